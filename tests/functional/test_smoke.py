from tmo.permissions import Role


def test_home(testapp):
    assert "Create an account" in testapp.get("/").text


def test_log_in_with_roles(testapp, logged_in):
    account = logged_in(Role.ADMINISTRATOR)
    page = testapp.get("/account")
    assert account.email in page.text
    assert "Administrator" in page.text
    assert testapp.get("/admin/accounts").status_int == 200
