"""How each member wants to be contacted, and staff acting for a resident who phoned or came in,
through the whole stack: the choice asked at joining (nothing chosen for them), carried to the
register, changed by the member, recorded by the secretary with how they were told, and an
application entered for a resident with no account and no email, who is admitted and sent a
letter."""

from datetime import UTC, date, datetime

import webtest
from sqlalchemy import select

from tests.conftest import choose, date_typed, fill_date, log_in
from tests.factories import AccountFactory, MemberFactory, TenancyFactory, YouthMemberFactory
from tests.functional.test_membership import apply, decide
from tmo.clock import london_day
from tmo.models.audit import AuditEntry
from tmo.models.membership import Member, MembershipApplication
from tmo.models.notices import Delivery
from tmo.permissions import Role
from tmo.presenters import day
from tmo.rules.notices import Channel, DeliveryStatus
from tmo.services import notices

MOMENT = datetime(2031, 3, 4, 10, 15, tzinfo=UTC)


def error_summary(page) -> str:
    return page.html.select_one(".error-summary").get_text(" ", strip=True)


def secretary_browser(app, testapp, name="Sam Secretary"):
    """A second browser, logged in as the secretary ``name``."""
    browser = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    secretary = AccountFactory(display_name=name, roles=[Role.SECRETARY])
    log_in(browser, secretary.email)
    return browser, secretary


def on_post(**kwargs):
    """A member who has not agreed to email: reached by post."""
    return MemberFactory(contact_by=Channel.POST, email_agreed_at=None, **kwargs)


def history_of(browser, member) -> list[list[str]]:
    """The rows of the member's history, as the secretary reads them."""
    page = browser.get(f"/secretary/register/{member.id}")
    table = page.html.select_one('caption:-soup-contains("History")').find_parent("table")
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


# Joining -----------------------------------------------------------------------------------------


def test_the_apply_form_asks_how_to_send_notices_with_nothing_chosen_and_keeps_what_was_typed(
    testapp, dbsession
):
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    log_in(testapp, AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org").email)
    page = testapp.get("/membership/apply", params={"postcode": "W10 5PA"})
    question = page.html.select_one('legend:-soup-contains("How should we send you notices")')
    group = question.find_parent("fieldset")
    labels = [label.get_text(" ", strip=True) for label in group.select("label")]
    assert labels == [
        "By email to ruth@example.org: I agree to be sent notices and documents by email "
        "instead of on paper",
        "By post to my home",
    ]
    assert not group.select("input[checked]"), "nothing is chosen for them"
    # The register is the law's, said plainly and apart from the choice.
    assert "a legal duty, not something you are asked to agree to" in page.text
    assert "legal duty" not in group.get_text()

    refused = apply(testapp, home=tenancy.home, name="Ruth A. Adeyemi", contact=None)
    assert refused.status_int == 200
    assert "Choose how we should send notices: by email or by post." in error_summary(refused)
    form = refused.forms["form"]
    assert form["full_name"].value == "Ruth A. Adeyemi"
    assert date_typed(form, "date_of_birth") == "1980-06-15"
    assert dbsession.scalar(select(MembershipApplication)) is None


def test_an_applicant_who_chose_post_becomes_a_member_reached_by_post(
    testapp, app, dbsession, mailer
):
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    log_in(testapp, AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org").email)
    apply(testapp, home=tenancy.home, contact="post")
    assert "let you know by post" in testapp.get("/membership").text
    application = dbsession.scalar(select(MembershipApplication))

    secretary, _ = secretary_browser(app, testapp)
    assert "By post to their home" in secretary.get(f"/secretary/applications/{application.id}")
    decide(secretary, application.id, "admit")

    member = dbsession.scalar(select(Member))
    assert (member.contact_by, member.email_agreed_at) == (Channel.POST, None)
    assert member.contact_email == "ruth@example.org"
    letter = dbsession.scalar(select(Delivery).where(Delivery.member_id == member.id))
    assert letter.status == DeliveryStatus.TO_PRINT
    assert letter.channel == Channel.POST and letter.address == tenancy.home.address
    assert member.number_label in letter.body
    assert mailer.outbox == []
    assert "By post to your home" in testapp.get("/membership").text


def test_an_applicant_who_chose_email_agreed_to_it_when_they_applied(
    testapp, app, dbsession, mailer, clock
):
    clock.set(MOMENT)
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    log_in(testapp, AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org").email)
    apply(testapp, home=tenancy.home, contact="email")
    application = dbsession.scalar(select(MembershipApplication))
    clock.advance(days=3)
    secretary, _ = secretary_browser(app, testapp)
    decide(secretary, application.id, "admit")

    member = dbsession.scalar(select(Member))
    assert (member.contact_by, member.email_agreed_at) == (Channel.EMAIL, MOMENT)
    # The confirmation that the application arrived, then the welcome.
    assert [message.recipients for message in mailer.outbox] == [["ruth@example.org"]] * 2
    assert history_of(secretary, member)[0][1] == (
        "Applied to join on 4 March 2031, asking for notices by email."
    )


# A member's own choice ---------------------------------------------------------------------------


def test_a_member_switches_to_email_and_back_and_their_history_says_so(
    testapp, app, dbsession, clock
):
    clock.set(MOMENT)
    account = AccountFactory(display_name="Ann Lee", roles=[Role.MEMBER])
    member = on_post(account=account, name="Ann Lee", contact_email="")
    log_in(testapp, account.email)
    assert "By post to your home" in testapp.get("/membership").text

    form = testapp.get("/membership/contact").forms["form"]
    choose(form, "email")
    form["phone"] = "020 7946 0000"
    refused = form.submit("submit")
    assert "Choosing email needs an email address" in error_summary(refused)
    assert refused.forms["form"]["phone"].value == "020 7946 0000"
    assert dbsession.get(Member, member.id).contact_by == Channel.POST

    form = refused.forms["form"]
    form["contact_email"] = "ann@example.org"
    saved = form.submit("submit").follow()
    assert "How we contact you has been saved" in saved.text
    assert "By email: you agreed to electronic communication" in saved.text
    stored = dbsession.get(Member, member.id)
    assert (stored.contact_by, stored.email_agreed_at) == (Channel.EMAIL, MOMENT)
    assert notices.member_recipient(stored).channel == Channel.EMAIL

    clock.advance(hours=2)
    form = testapp.get("/membership/contact").forms["form"]
    assert form["contact_email"].value == "ann@example.org"
    choose(form, "post")
    assert "By post to your home" in form.submit("submit").follow().text
    stored = dbsession.get(Member, member.id)
    assert (stored.contact_by, stored.email_agreed_at) == (Channel.POST, None)
    assert notices.member_recipient(stored).channel == Channel.POST

    choices = dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action == "membership.contact_choice")
    ).all()
    assert [(entry.actor_id, entry.occurred_at) for entry in choices] == [
        (account.id, MOMENT),
        (account.id, datetime(2031, 3, 4, 12, 15, tzinfo=UTC)),
    ]
    secretary, _ = secretary_browser(app, testapp)
    rows = history_of(secretary, member)
    assert [row[1:] for row in rows if row[1].startswith("Chose")] == [
        [
            "Chose to be sent notices by email, agreeing to electronic communication, online.",
            "Ann Lee",
        ],
        ["Chose to be sent notices by post, online.", "Ann Lee"],
    ]
    assert rows[-1][0] == "4 March 2031, 12:15"


# The secretary, for someone who phoned -----------------------------------------------------------


def test_the_secretary_records_a_choice_a_member_phoned_in(testapp, app, dbsession, clock):
    clock.set(MOMENT)
    member = on_post(name="Bob Khan", account=None, contact_email="")
    secretary = AccountFactory(display_name="Sam Secretary", roles=[Role.SECRETARY])
    log_in(testapp, secretary.email)
    entry = testapp.get(f"/secretary/register/{member.id}")
    page = entry.click("Record how they want to be contacted")
    assert "Notices now: By post to their home." in page.text
    assert "Their choice recorded: Not recorded." in page.text

    form = page.forms["form"]
    choose(form, "email")
    choose(form, "phoned")
    refused = form.submit("submit")
    assert "Choosing email needs an email address" in error_summary(refused)
    form = refused.forms["form"]
    form["contact_email"] = "bob@example.org"
    recorded = form.submit("submit").follow()

    assert "Recorded how Bob Khan wants to be contacted." in recorded.text
    assert "By email (agreed to electronic communication)" in recorded.text
    assert (
        "Told us by phone, 4 March 2031, 10:15, entered for them by Sam Secretary" in recorded.text
    )
    stored = dbsession.get(Member, member.id)
    assert (stored.contact_by, stored.email_agreed_at) == (Channel.EMAIL, MOMENT)
    assert stored.contact_email == "bob@example.org"
    assert (stored.contact_recorded_how, stored.contact_recorded_by_id) == ("phoned", secretary.id)
    assert stored.contact_recorded_at == MOMENT
    assert notices.member_recipient(stored).channel == Channel.EMAIL
    entry = dbsession.scalar(
        select(AuditEntry).where(AuditEntry.action == "membership.contact_choice")
    )
    assert entry.actor_id == secretary.id and entry.occurred_at == MOMENT
    assert entry.detail == {
        "contact_by": "email",
        "how": "phoned",
        "assisted": "entered for them by Sam Secretary",
    }
    assert history_of(testapp, member)[-1][1:] == [
        "Chose to be sent notices by email, agreeing to electronic communication; told us by "
        "phone (entered for them by Sam Secretary).",
        "Sam Secretary",
    ]


def test_the_secretary_records_a_withdrawal_by_letter_and_must_say_how_they_were_told(
    testapp, dbsession, logged_in
):
    logged_in(Role.SECRETARY, display_name="Sam Secretary")
    member = MemberFactory(contact_email="cara@example.org")
    form = testapp.get(f"/secretary/register/{member.id}/contact").forms["form"]
    choose(form, "post")
    refused = form.submit("submit")
    assert "Say how they told you." in error_summary(refused)
    form = refused.forms["form"]
    choose(form, "wrote")
    form.submit("submit")
    stored = dbsession.get(Member, member.id)
    assert (stored.contact_by, stored.email_agreed_at) == (Channel.POST, None)
    assert stored.contact_recorded_how == "wrote"
    assert notices.member_recipient(stored).channel == Channel.POST


def test_a_former_members_choice_is_not_recorded(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    member = MemberFactory(ceased_on=date(2025, 1, 1), ceased_reason="resigned")
    assert "Record how they want" not in testapp.get(f"/secretary/register/{member.id}")
    response = testapp.get(f"/secretary/register/{member.id}/contact", expect_errors=True)
    assert response.status_int == 403


def test_a_member_cannot_record_anothers_choice_or_enter_an_application(testapp, dbsession):
    account = AccountFactory(roles=[Role.MEMBER])
    MemberFactory(account=account, contact_email=account.email)
    other = MemberFactory(name="Bob Khan")
    log_in(testapp, account.email)
    token = testapp.get("/membership/contact").forms["form"]["csrf_token"].value
    for path in (f"/secretary/register/{other.id}/contact", "/secretary/applications/new"):
        assert testapp.get(path, expect_errors=True).status_int == 403, path
        posted = testapp.post(
            path,
            {"csrf_token": token, "contact_by": "post", "told_how": "phoned"},
            expect_errors=True,
        )
        assert posted.status_int == 403, path
    stored = dbsession.get(Member, other.id)
    assert (stored.contact_by, stored.contact_recorded_at) == (Channel.EMAIL, None)
    assert dbsession.scalar(select(MembershipApplication)) is None


# Assisted digital: an application entered for a resident -----------------------------------------


def enter_application(browser, tenancy, *, contact="post", told="in_person", email=""):
    listing = browser.get("/secretary/applications")
    page = listing.click("Enter an application for a resident who phoned or came in")
    [finder] = {form for form in page.forms.values() if "postcode" in form.fields}
    finder["postcode"] = tenancy.home.postcode.lower()
    form = finder.submit().forms["form"]
    choose(form, str(tenancy.home_id))
    form["full_name"] = tenancy.holder_name
    choose(form, "secure_tenant")
    fill_date(form, "date_of_birth", "1948-11-02")
    choose(form, contact)
    form["contact_email"] = email
    choose(form, told)
    form["consent"] = True
    return form.submit("submit")


def test_a_resident_with_no_account_and_no_email_is_entered_admitted_and_sent_a_letter(
    testapp, app, dbsession, mailer, clock
):
    clock.set(MOMENT)
    tenancy = TenancyFactory(holder_name="Edna Price")
    secretary = AccountFactory(display_name="Sam Secretary", roles=[Role.SECRETARY])
    log_in(testapp, secretary.email)

    refused = enter_application(testapp, tenancy, contact="email")
    assert "Choosing email needs an email address" in error_summary(refused)
    assert refused.forms["form"]["full_name"].value == "Edna Price"
    form = refused.forms["form"]
    choose(form, "post")
    page = form.submit("submit").follow()

    assert "The application from Edna Price has been entered for them." in page.text
    assert "None: entered for them by Sam Secretary" in page.text
    assert "Matches the tenancy" in page.text
    application = dbsession.scalar(select(MembershipApplication))
    assert application.account_id is None and application.entered_by_id == secretary.id
    assert (application.contact_recorded_how, application.contact_by) == ("in_person", "post")
    applied = dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "membership.applied"))
    assert applied.actor_id == secretary.id
    assert applied.detail["assisted"] == "entered for them by Sam Secretary"

    admitted = decide(testapp, application.id, "admit").follow()
    assert "Admitted Edna Price as member M" in admitted.text
    # The secretary is told the truth: the news goes by letter, to be printed.
    assert "Telling them: 1 letter to print and post (see Notices)." in admitted.text
    member = dbsession.scalar(select(Member))
    assert member.account_id is None and member.contact_email == ""
    assert (member.contact_by, member.contact_recorded_how) == (Channel.POST, "in_person")
    assert member.contact_recorded_by_id == secretary.id
    letter = dbsession.scalar(select(Delivery).where(Delivery.member_id == member.id))
    assert (letter.status, letter.address) == (DeliveryStatus.TO_PRINT, tenancy.home.address)
    assert mailer.outbox == []
    applied_on = day(london_day(applied.occurred_at))
    assert history_of(testapp, member)[0][1:] == [
        f"Applied to join on {applied_on}, asking for notices by post (entered for them by Sam "
        "Secretary).",
        "Sam Secretary",
    ]


def test_an_entered_application_with_an_email_is_answered_by_email(
    testapp, app, dbsession, mailer, logged_in
):
    logged_in(Role.SECRETARY, display_name="Sam Secretary")
    tenancy = TenancyFactory(holder_name="Edna Price")
    enter_application(testapp, tenancy, contact="email", told="phoned", email="edna@example.org")
    application = dbsession.scalar(select(MembershipApplication))
    decide(testapp, application.id, "reject", "The council has no tenancy in your name.")
    confirmation, message = mailer.outbox
    assert confirmation.recipients == message.recipients == ["edna@example.org"]
    assert "We have your application" in confirmation.subject
    assert "The council has no tenancy in your name." in message.body


def test_the_same_resident_is_not_entered_twice(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    tenancy = TenancyFactory(holder_name="Edna Price")
    enter_application(testapp, tenancy)
    again = enter_application(testapp, tenancy)
    assert "An application from Edna Price for this home is already waiting." in error_summary(
        again
    )
    assert len(dbsession.scalars(select(MembershipApplication)).all()) == 1


def test_the_staff_forms_label_every_field_and_group_every_choice(testapp, logged_in):
    logged_in(Role.SECRETARY)
    tenancy = TenancyFactory()
    member = MemberFactory()
    pages = [
        testapp.get("/secretary/applications/new", params={"postcode": tenancy.home.postcode}),
        testapp.get(f"/secretary/register/{member.id}/contact"),
    ]
    for page in pages:
        html = page.html
        assert len(html.select("h1")) == 1
        for field in html.select("form#form input:not([type=hidden])"):
            label = html.select_one(f'label[for="{field["id"]}"]')
            assert label is not None and label.get_text(strip=True), field
        radios = html.select("input[type=radio]")
        assert radios
        for radio in radios:
            fieldset = radio.find_parent("fieldset")
            assert fieldset is not None and fieldset.find("legend").get_text(strip=True)
            assert radio.get("checked") is None, "nothing is chosen for them"


# The Youth Forum ---------------------------------------------------------------------------------


def test_a_forum_member_is_told_how_they_are_reached(testapp, dbsession):
    account = AccountFactory(email="kai@example.org", roles=[Role.YOUTH_MEMBER])
    kai = YouthMemberFactory(account=account)
    log_in(testapp, "kai@example.org")
    page = testapp.get("/youth/forum")
    assert "at kai@example.org, the address of your account" in page.text
    assert "Change how we contact you" in page.text
    kai = dbsession.get(type(kai), kai.id)  # as the app's session holds it
    kai.contact_by, kai.email_agreed_at, kai.address = "post", None, "1 Lancaster Road, W11"
    dbsession.commit()
    assert "We post you letters about the forum" in testapp.get("/youth/forum").text
