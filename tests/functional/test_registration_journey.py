"""Registering and applying to join, walked as a new resident would: the "check your email"
page, the confirmation of an application, and finding one's home."""

from sqlalchemy import select

from tests.conftest import PASSWORD, choose, fill_date, link_in, log_in
from tests.factories import AccountFactory, HomeFactory, TenancyFactory
from tmo.models.notices import Delivery
from tmo.rules.notices import DeliveryStatus


def register(testapp, email="ruth@example.org", name="Ruth Adeyemi"):
    form = testapp.get("/register").forms["form"]
    form["display_name"] = name
    form["email"] = email
    form["password"] = PASSWORD
    return form.submit("submit")


def test_check_your_email_names_the_address_and_sends_the_link_again(testapp, mailer):
    page = register(testapp, email=" Ruth@Example.org ").follow()
    assert "Check your email" in page.text
    assert "ruth@example.org" in page.text
    assert len(mailer.outbox) == 1

    again = page.forms["form"].submit("submit")
    assert again.status_int == 302
    shown = again.follow()
    assert "We have sent the message again to ruth@example.org" in shown.text
    first, second = mailer.outbox
    assert second.recipients == ["ruth@example.org"]
    # A new link that works, like the first.
    assert link_in(second, "/verify/") != link_in(first, "/verify/")
    confirm = testapp.get(link_in(second, "/verify/")).forms["form"].submit("submit")
    assert "Your email address is confirmed" in confirm.follow().text


def test_sending_again_for_a_known_address_looks_the_same_and_tells_the_owner(testapp, mailer):
    AccountFactory(email="kim@example.org")
    known = register(testapp, email="kim@example.org", name="Someone Else").follow()
    resent = known.forms["form"].submit("submit").follow()
    assert "We have sent the message again to kim@example.org" in resent.text
    assert [m.recipients for m in mailer.outbox] == [["kim@example.org"]] * 2
    assert all("already have an account" in m.subject for m in mailer.outbox)
    assert all("/verify/" not in m.body for m in mailer.outbox)


def test_sending_again_is_throttled_and_needs_the_forms_token(testapp, mailer):
    page = register(testapp).follow()
    form = page.forms["form"]
    for _ in range(3):
        assert form.submit("submit").status_int == 302
    refused = form.submit("submit", status=429)
    assert "Too many attempts" in refused.text
    assert len(mailer.outbox) == 4

    forged = testapp.post("/register/check-your-email", {"submit": "submit"}, status=400)
    assert forged.status_int == 400
    assert len(mailer.outbox) == 4


def test_check_your_email_without_a_registration_offers_no_button(testapp, mailer):
    page = testapp.get("/register/check-your-email")
    assert "the address you gave" in page.text
    assert "form" not in page.forms


def apply(testapp, home, contact="email"):
    form = testapp.get("/membership/apply", params={"postcode": home.postcode}).forms["form"]
    choose(form, str(home.id))
    choose(form, "secure_tenant")
    fill_date(form, "date_of_birth", "1980-06-15")
    choose(form, contact)
    form["consent"] = True
    return form.submit("submit")


def test_applying_sends_a_confirmation_by_email(testapp, dbsession, mailer):
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    resident = AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org")
    log_in(testapp, resident.email)
    assert apply(testapp, tenancy.home).status_int == 302
    (message,) = mailer.outbox
    assert message.recipients == ["ruth@example.org"]
    assert "We have your application to join" in message.subject
    assert tenancy.home.address in message.body
    assert dbsession.scalar(select(Delivery.status)) == DeliveryStatus.SENT


def test_applying_by_post_puts_the_confirmation_on_the_print_pile(testapp, dbsession, mailer):
    tenancy = TenancyFactory(holder_name="Ruth Adeyemi")
    resident = AccountFactory(display_name="Ruth Adeyemi", email="ruth@example.org")
    log_in(testapp, resident.email)
    assert apply(testapp, tenancy.home, contact="post").status_int == 302
    assert mailer.outbox == []
    delivery = dbsession.scalar(select(Delivery))
    assert delivery.status == DeliveryStatus.TO_PRINT
    assert delivery.notice.kind == "membership_applied"


def test_find_my_home_lists_homes_in_counting_order_and_focuses_them(testapp, logged_in):
    logged_in()
    for line in ("Flat 10 Elm Row", "Flat 2 Elm Row", "flat 1 Elm Row", "Flat 2A Elm Row"):
        HomeFactory(address_line_1=line, postcode="W11 1AA")
    page = testapp.get("/membership/apply", params={"postcode": "w11 1aa"})
    labels = [label.get_text(strip=True) for label in page.html.select("label.radios__label")]
    homes = [label.split(" Elm Row")[0] for label in labels if "Elm Row" in label]
    assert homes == ["flat 1", "Flat 2", "Flat 2A", "Flat 10"]

    heading = page.html.find(id="homes")
    assert heading.get_text() == "Homes at W11 1AA"
    assert heading["tabindex"] == "-1" and heading.has_attr("autofocus")
    assert page.html.select_one("form.search-form")["action"].endswith("#homes")

    none = testapp.get("/membership/apply", params={"postcode": "ZZ1 1ZZ"})
    status = none.html.find(id="homes")
    assert "cannot find any homes" in status.get_text()
    assert status.has_attr("autofocus")


def test_find_my_home_with_no_postcode_says_to_enter_one(testapp, logged_in):
    logged_in()
    assert "There is a problem" not in testapp.get("/membership/apply").text
    page = testapp.get("/membership/apply", params={"postcode": "  "})
    assert "There is a problem" in page.text
    assert page.html.title.get_text().startswith("Error:")
    assert page.html.select_one(".error-summary a")["href"] == "#postcode"
    box = page.html.find(id="postcode")
    assert box["aria-invalid"] == "true"
    assert "postcode-error" in box["aria-describedby"]
    assert "Enter a postcode" in page.html.find(id="postcode-error").get_text()
