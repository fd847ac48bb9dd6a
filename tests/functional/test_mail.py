"""Mail in development: each message written to a folder by the mail worker and its sending
logged, without the one-time link that the message carries."""

import logging

import webtest

import tmo
from tests.mail import sent_mail


def test_development_mail_is_written_to_a_folder_and_logged_without_its_link(
    app_settings, dbsession, tmp_path, caplog
):
    folder = tmp_path / "mail"
    settings = dict(app_settings, **{"tmo.mail_mode": "folder", "tmo.mail_folder": str(folder)})
    app = webtest.TestApp(tmo.main({}, **settings), extra_environ={"tmo.dbsession": dbsession})
    form = app.get("/register").forms["form"]
    form["display_name"], form["email"] = "Ruth", "ruth@example.org"
    form["password"] = "mango kettle orbit lantern"
    with caplog.at_level(logging.INFO, logger="tmo"):
        form.submit("submit")
        sent_mail(app.app.registry, dbsession)

    (written,) = list(folder.iterdir())
    message = written.read_text(encoding="utf-8")
    # Plain text as a person reads it, with a real From: no MIME encoding to decode.
    assert message.startswith(f"From: {settings['mail.default_sender']}\nTo: ruth@example.org\n")
    assert "\nSubject: Confirm your email address" in message
    assert "Hello Ruth," in message and "=20" not in message
    assert "ruth@example.org" in message
    assert "/verify/" in message
    token = message.split("/verify/")[1].split()[0]

    logged = [record.getMessage() for record in caplog.records if record.name.startswith("tmo")]
    assert any("Confirm your email address" in line for line in logged)
    assert not any(token in line or "ruth@example.org" in line for line in logged)
