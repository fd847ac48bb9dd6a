"""Membership through the whole stack: a resident applies, the secretary admits or rejects, the
member manages their membership, the register is searched and exported, data is erased and
purged on time."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import choose, fill_date, log_in
from tests.factories import AccountFactory, HomeFactory, MemberFactory, TenancyFactory
from tmo.models.accounts import Account
from tmo.models.audit import AuditEntry
from tmo.models.membership import Member, MembershipApplication
from tmo.permissions import Role
from tmo.rules.membership import ApplicationStatus, may_vote
from tmo.scripts import retention
from tmo.scripts.migrate import upgrade


def apply(
    testapp,
    postcode="w10 5pa",
    home=None,
    name=None,
    holding="secure_tenant",
    born="1980-06-15",
    consent=True,
    contact="email",
):
    page = testapp.get("/membership/apply", params={"postcode": postcode})
    form = page.forms["form"]
    if home is not None:
        choose(form, str(home.id))
    if name is not None:
        form["full_name"] = name
    if holding:
        choose(form, holding)
    fill_date(form, "date_of_birth", born)
    if contact:
        choose(form, contact)
    form["consent"] = consent
    return form.submit("submit")


def decide(testapp, application_id, decision, reason=""):
    form = testapp.get(f"/secretary/applications/{application_id}").forms["form"]
    choose(form, decision)
    form["reason"] = reason
    return form.submit("submit")


def test_a_resident_applies_the_secretary_admits_and_the_member_sees_their_number(
    testapp, app, dbsession, mailer, logged_in
):
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    resident = AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org")
    log_in(testapp, resident.email)
    assert "Apply to join" in testapp.get("/membership").text

    page = testapp.get("/membership/apply", params={"postcode": "w105pa"})
    assert "Homes at W10 5PA" in page.text
    sent = apply(testapp, home=tenancy.home).follow()
    assert "Your application has been sent" in sent.text
    application = dbsession.scalar(select(MembershipApplication))
    assert application.matched_tenancy_id == tenancy.id

    import webtest

    secretary_app = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    secretary = AccountFactory(roles=[Role.SECRETARY])
    log_in(secretary_app, secretary.email)
    listing = secretary_app.get("/secretary/applications")
    assert "Ruth Adeyemi" in listing.text and "Yes" in listing.text
    admitted = decide(secretary_app, application.id, "admit").follow()
    assert "Admitted Ruth Adeyemi as member M" in admitted.text

    member = dbsession.scalar(select(Member))
    assert member.name == "Ruth Adeyemi" and member.address == tenancy.home.address
    assert member.admitted_on == date.today()
    assert mailer.outbox[-1].recipients == ["ruth@example.org"]
    assert member.number_label in mailer.outbox[-1].subject

    mine = testapp.get("/membership")
    assert member.number_label in mine.text
    assert "Member (may vote)" in mine.text
    assert Role.MEMBER in dbsession.get(Account, resident.id).roles
    actions = dbsession.scalars(select(AuditEntry.action)).all()
    assert "membership.applied" in actions and "membership.admitted" in actions


def waiting_application(dbsession, name: str):
    """An account and its application to join, waiting for the secretary, for the tenant
    ``name``."""
    tenancy = TenancyFactory(holder_name=name)
    account = AccountFactory(display_name=name)
    application = MembershipApplication(
        account_id=account.id,
        home_id=tenancy.home_id,
        full_name=name,
        holding="secure_tenant",
        date_of_birth=date(1970, 1, 1),
        consented_at=account.created_at,
    )
    dbsession.add(application)
    dbsession.commit()
    return account, application


def test_a_member_is_admitted_and_resigns_on_the_days_the_apps_clock_shows(
    testapp, app, dbsession, clock, logged_in
):
    # 23:30 on 30 June in UTC is already 1 July in London (summer time).
    clock.set(datetime(2031, 6, 30, 23, 30, tzinfo=UTC))
    logged_in(Role.SECRETARY)
    account, application = waiting_application(dbsession, "Ann Lee")
    decide(testapp, application.id, "admit")
    member = dbsession.scalar(select(Member).where(Member.account_id == account.id))
    assert member.admitted_on == date(2031, 7, 1)
    assert dbsession.get(MembershipApplication, application.id).status == ApplicationStatus.ADMITTED

    import webtest

    clock.advance(days=40)
    own = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    log_in(own, account.email)
    form = own.get("/membership/resign").forms["form"]
    form["confirm"] = True
    form.submit("submit")
    assert dbsession.get(Member, member.id).ceased_on == date(2031, 8, 10)


def test_member_numbers_are_unique_and_ascending(testapp, app, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    numbers = []
    for name in ("Ann Lee", "Bob Khan", "Cara Diaz"):
        account, application = waiting_application(dbsession, name)
        decide(testapp, application.id, "admit")
        numbers.append(
            dbsession.scalar(select(Member.member_number).where(Member.account_id == account.id))
        )
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_an_unmatched_application_is_flagged_and_can_be_rejected_with_a_reason(
    testapp, app, dbsession, mailer, logged_in
):
    home = HomeFactory()
    TenancyFactory(home=home, holder_name="Someone Else")
    resident = AccountFactory(display_name="Ruth Adeyemi")
    log_in(testapp, resident.email)
    apply(testapp, home=home)
    application = dbsession.scalar(select(MembershipApplication))
    assert application.matched_tenancy_id is None

    import webtest

    secretary_app = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    log_in(secretary_app, AccountFactory(roles=[Role.SECRETARY]).email)
    page = secretary_app.get(f"/secretary/applications/{application.id}")
    assert "No current tenancy at this home matches" in page.text
    missing_reason = decide(secretary_app, application.id, "reject")
    assert "Give the reason for rejecting" in missing_reason.text
    decide(secretary_app, application.id, "reject", "The council has no tenancy in your name.")

    assert "The council has no tenancy in your name." in testapp.get("/membership").text
    assert "The council has no tenancy in your name." in mailer.outbox[-1].body
    assert dbsession.scalar(select(Member)) is None


@pytest.mark.parametrize(
    ("born", "holding", "message"),
    [
        (
            (date.today() - timedelta(days=365 * 17)).isoformat(),
            "secure_tenant",
            "You must be 18 or older to join.",
        ),
        ("1980-01-01", "", "Choose how you hold your home."),
    ],
)
def test_ineligible_applications_are_refused_with_a_reason(testapp, born, holding, message):
    tenancy = TenancyFactory()
    log_in(testapp, AccountFactory().email)
    page = apply(testapp, home=tenancy.home, born=born, holding=holding)
    assert page.status_int == 200
    assert message in page.html.select_one(".error-summary").get_text()


def test_asking_to_become_a_member_is_required(testapp, dbsession):
    tenancy = TenancyFactory()
    log_in(testapp, AccountFactory().email)
    page = apply(testapp, home=tenancy.home, consent=False)
    assert "Tick the box to confirm that you want to become a member." in page.text
    assert dbsession.scalar(select(MembershipApplication)) is None


def test_one_application_and_one_membership_per_person(testapp, dbsession):
    tenancy = TenancyFactory()
    log_in(testapp, AccountFactory().email)
    apply(testapp, home=tenancy.home)
    again = apply(testapp, home=tenancy.home)
    assert "You have already applied" in again.text


def test_the_household_rule_one_per_home(testapp, dbsession, logged_in):
    from tmo.constitution import Constitution, MembershipRules
    from tmo.services.constitution import adopt_constitution

    adopt_constitution(
        dbsession,
        Constitution(membership=MembershipRules(household_rule="one_per_home")),
        effective_from=date.today(),
        note="one per home",
        actor_id=None,
    )
    existing = MemberFactory()
    TenancyFactory(
        home=existing.home,
        holder_name="Joan Joint",
        holder_number=2,
        reference=existing.tenancy.reference,
        holding="joint_tenant",
    )
    dbsession.commit()
    log_in(testapp, AccountFactory(display_name="Joan Joint").email)
    page = apply(testapp, home=existing.home, holding="joint_tenant")
    assert "allows one member for each home" in page.text
    # An associate member is not counted by the household rule.
    assert apply(testapp, home=existing.home, holding="associate").status_int == 302


def test_a_withdrawn_application_can_be_made_again(testapp, dbsession):
    tenancy = TenancyFactory()
    log_in(testapp, AccountFactory().email)
    apply(testapp, home=tenancy.home)
    page = testapp.get("/membership/withdraw")
    assert "Your application has been withdrawn" in page.forms["form"].submit("submit").follow()
    assert apply(testapp, home=tenancy.home).status_int == 302


def member_with_account(**kwargs):
    account = AccountFactory(roles=[Role.MEMBER])
    member = MemberFactory(account=account, contact_email=account.email, **kwargs)
    return account, member


def test_a_member_updates_contact_details_and_resigns(testapp, dbsession):
    account, member = member_with_account()
    log_in(testapp, account.email)
    form = testapp.get("/membership/contact").forms["form"]
    form["contact_email"], form["phone"] = "new@example.org", "020 7946 0000"
    assert "How we contact you has been saved" in form.submit("submit").follow().text

    form = testapp.get("/membership/resign").forms["form"]
    refused = form.submit("submit")
    assert "Tick the box to confirm that you want to resign." in refused.text
    form = refused.forms["form"]
    form["confirm"] = True
    page = form.submit("submit").follow()
    assert "You have resigned" in page.text
    stored = dbsession.get(Member, member.id)
    assert stored.ceased_on == date.today() and stored.ceased_reason == "resigned"
    assert stored.contact_email == "new@example.org"
    assert not may_vote(stored.ceased_on, stored.associate, date.today())
    assert Role.MEMBER not in dbsession.get(Account, account.id).roles
    assert "Past memberships" in page.text


def test_a_member_never_sees_another_members_record(testapp, dbsession):
    account, mine = member_with_account(name="Ann Lee")
    _, other = member_with_account(name="Bob Khan")
    log_in(testapp, account.email)
    for path in (
        f"/secretary/register/{other.id}",
        "/secretary/register",
        "/secretary/register.csv",
        f"/secretary/register/{other.id}/end",
        f"/secretary/register/{other.id}/erase",
    ):
        assert testapp.get(path, expect_errors=True).status_int in (403, 404), path
    own = testapp.get("/membership").text
    assert mine.number_label in own
    assert other.number_label not in own and "Bob Khan" not in own


def test_the_secretary_ends_a_membership_with_a_reason(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    _, member = member_with_account()
    form = testapp.get(f"/secretary/register/{member.id}/end").forms["form"]
    form["note"] = "Board resolution 2026/14"
    page = form.submit("submit").follow()
    assert "Ended by the secretary" in page.text
    assert "Board resolution 2026/14" in page.text
    assert re.search(r"Membership ended on \d+ \w+ \d{4} \(ended by the secretary\)\.", page.text)


def test_the_register_searches_filters_and_pages(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    home = HomeFactory(postcode="W10 6AB", address_line_1="Flat 3 Oak House")
    MemberFactory(name="Zainab Okafor", tenancy=TenancyFactory(home=home), member_number=77)
    for n in range(30):
        MemberFactory(name=f"Member {n:02d}")
    former = MemberFactory(name="Old Member", ceased_on=date(2024, 1, 1), ceased_reason="resigned")

    for query in ("okafor", "M000077", "77", "w10 6ab", "Oak House"):
        page = testapp.get("/secretary/register", params={"q": query})
        assert "Zainab Okafor" in page.text, query
        assert "Member 00" not in page.text, query
    everyone = testapp.get("/secretary/register")
    assert "Page 1 of 2 (31 in all)" in everyone.text
    assert "Old Member" not in everyone.text
    assert "Old Member" in testapp.get("/secretary/register", params={"status": "former"}).text
    by_estate = testapp.get("/secretary/register", params={"estate": str(home.estate_id)})
    assert "Zainab Okafor" in by_estate.text and "Member 00" not in by_estate.text
    assert former.id


def test_the_statutory_register_exports_current_and_former_members(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    current = MemberFactory(name="Ann Lee")
    MemberFactory(name="Bob Khan", ceased_on=date(2025, 3, 1), ceased_reason="resigned")
    response = testapp.get("/secretary/register.csv")
    assert response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["name"] for row in rows] == ["Ann Lee", "Bob Khan"]
    assert set(rows[0]) == {"member_number", "name", "address", "date_admitted", "date_ceased"}
    assert rows[0]["address"] == current.address
    assert rows[1]["date_ceased"] == "2025-03-01"


def test_no_cell_of_an_export_runs_as_a_formula_in_a_spreadsheet(testapp, dbsession, logged_in):
    """A name typed as a formula (by a resident, or in the council's file) reaches the register,
    the roster and the ledger: each CSV quotes it so a spreadsheet shows it and never runs it."""
    logged_in(Role.SECRETARY)
    MemberFactory(name='=HYPERLINK("https://evil.example","Ann")')
    MemberFactory(name="@SUM(A1:A9)")
    response = testapp.get("/secretary/register.csv")
    names = [row["name"] for row in csv.DictReader(io.StringIO(response.text))]
    assert names == ['\'=HYPERLINK("https://evil.example","Ann")', "'@SUM(A1:A9)"]


def test_erasure_keeps_only_the_register_entry(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    _, member = member_with_account(date_of_birth=date(1970, 2, 3), phone="020 7946 0001")
    form = testapp.get(f"/secretary/register/{member.id}/erase").forms["form"]
    form["confirm"] = True
    page = form.submit("submit").follow()
    assert "Personal data erased" in page.text
    stored = dbsession.get(Member, member.id)
    assert (stored.date_of_birth, stored.contact_email, stored.phone) == (None, "", "")
    assert stored.name and stored.address and stored.admitted_on


def test_tmo_retention_purges_entries_ten_years_after_ceasing(tmp_path, capsys):
    from tmo.models import get_engine, get_session_factory

    path = tmp_path / "retention.sqlite"
    settings = {"sqlalchemy.url": f"sqlite:///{path}", "tmo.secret": "test"}
    upgrade(settings)
    ini = tmp_path / "retention.ini"
    ini.write_text(
        f"[app:main]\nuse = egg:tmo\nsqlalchemy.url = sqlite:///{path}\n"
        "tmo.secret = test\ntmo.mail_mode = memory\n"
    )
    engine = get_engine(settings)
    session = get_session_factory(engine)()
    home = HomeFactory.build()
    session.add(home.estate)
    session.add(home)
    session.flush()
    today = date(2036, 6, 30)
    for number, ceased in ((1, date(2026, 6, 30)), (2, date(2026, 7, 1)), (3, None)):
        session.add(
            Member(
                member_number=number,
                home_id=home.id,
                name=f"Person {number}",
                address=home.address,
                admitted_on=date(2020, 1, 1),
                ceased_on=ceased,
                phone="0",
            )
        )
    session.commit()

    assert retention.main(["--config", str(ini), "--dry-run", "--today", today.isoformat()]) == 0
    assert "M000001" in capsys.readouterr().out
    assert retention.main(["--config", str(ini), "--today", today.isoformat()]) == 0
    assert "Purged 1 register entry" in capsys.readouterr().out
    session.expire_all()
    members = {m.member_number: m for m in session.scalars(select(Member))}
    assert members[1].name == "" and members[1].ceased_on == date(2026, 6, 30)
    assert members[2].name == "Person 2" and members[3].name == "Person 3"
    session.close()
    engine.dispose()


def test_a_member_who_rejoined_sees_their_home_now_and_their_past_memberships(testapp, dbsession):
    account = AccountFactory(roles=[Role.MEMBER])
    MemberFactory(
        account=account,
        member_number=41,
        admitted_on=date(2015, 3, 1),
        ceased_on=date(2019, 6, 30),
        ceased_reason="resigned",
    )
    MemberFactory(
        account=account,
        member_number=42,
        admitted_on=date(2019, 7, 1),
        ceased_on=date(2021, 2, 28),
        ceased_reason="resigned",
    )
    home = HomeFactory(address_line_1="Flat 9 Elm House")
    MemberFactory(account=account, member_number=77, tenancy=TenancyFactory(home=home))
    log_in(testapp, account.email)

    page = testapp.get("/membership")
    assert "Flat 9 Elm House" in page.text
    past = [" ".join(li.get_text().split()) for li in page.html.select("h2 + ul.list li")]
    assert [line.split(":")[0] for line in past] == ["M000042", "M000041"]
