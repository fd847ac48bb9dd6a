"""Outgoing mail: renders a text template and hands it to pyramid_mailer inside the transaction,
so a message leaves only if the request's transaction commits.

Modes (``tmo.mail_mode``): ``smtp`` for deployments, ``folder`` for development (each message
written to ``tmo.mail_folder`` and its arrival logged), ``memory`` for the test suite.
"""

import logging

from pyramid.renderers import render
from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import DebugMailer, DummyMailer, Mailer
from pyramid_mailer.message import Message

log = logging.getLogger(__name__)


def send_mail(request, recipient: str, template: str, **values) -> None:
    """Send ``tmo/templates/mail/TEMPLATE.txt.jinja2``; its first line is the subject."""
    deliver(request, prepare_mail(request, recipient, template, **values))


def prepare_mail(request, recipient: str, template: str, **values) -> Message:
    """The message ``send_mail`` would send, rendered now and sent only by ``deliver``."""
    values.setdefault("organisation", request.constitution.organisation_name)
    text = render(f"tmo:templates/mail/{template}.txt.jinja2", values, request=request)
    subject, _, body = text.strip().partition("\n")
    message = Message(subject=subject.strip(), recipients=[recipient], body=body.strip() + "\n")
    message.extra_headers["X-Tmo-Template"] = template
    return message


def deliver(request, message: Message) -> None:
    """Queue ``message`` to leave when the request's transaction commits."""
    template = message.extra_headers.pop("X-Tmo-Template", "")
    get_mailer(request).send(message)
    # The body may hold a one-time link: only the subject and the template are logged.
    log.info("mail queued: template=%s subject=%r", template, message.subject)


def includeme(config):
    settings = config.get_settings()
    mode = settings["tmo.mail_mode"]
    if mode == "memory":
        mailer = DummyMailer()
    elif mode == "folder":
        mailer = DebugMailer(settings.get("tmo.mail_folder", "var/mail"))
    else:
        mailer = Mailer.from_settings(settings)
    config.registry.registerUtility(mailer, IMailer)
