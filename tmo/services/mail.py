"""The mailer the mail worker hands emails to (``tmo.services.notices.outbox``): requests never
send mail themselves.

Modes (``tmo.mail_mode``): ``smtp`` for deployments, ``folder`` for development (each message
written as a plain-text file to ``tmo.mail_folder``, with its From, To and Subject), ``memory``
for the test suite (kept in a list on the registry's mailer).
"""

from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import DebugMailer, DummyMailer, Mailer


def mailer_for(settings):
    mode = settings["tmo.mail_mode"]
    if mode == "memory":
        return DummyMailer()
    if mode == "folder":
        return DebugMailer(settings.get("tmo.mail_folder", "var/mail"))
    return Mailer.from_settings(settings)


def sender_for(settings) -> str:
    return settings.get("mail.default_sender", "tmo <no-reply@localhost>")


def includeme(config):
    config.registry.registerUtility(mailer_for(config.get_settings()), IMailer)
