"""The mailer the mail worker hands emails to (``tmo.services.notices.outbox``): requests never
send mail themselves.

Modes (``tmo.mail_mode``): ``smtp`` for deployments, ``folder`` for development (each message
written as a plain-text UTF-8 file to ``tmo.mail_folder``, its From, To, Subject, Date and
Message-ID on top and the body as a person reads it, not MIME-encoded), ``memory`` for the test
suite (kept in a list on the registry's mailer).
"""

import contextlib
import itertools
import os
import re
import smtplib
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path

from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import DummyMailer, Mailer


def mailer_for(settings):
    mode = settings["tmo.mail_mode"]
    if mode == "memory":
        return DummyMailer()
    if mode == "folder":
        return FolderMailer(settings.get("tmo.mail_folder", "var/mail"))
    mailer = Mailer.from_settings(settings)
    closing_its_connections(mailer.smtp_mailer)
    ending_lines_with_crlf(mailer.smtp_mailer)
    return mailer


class FolderMailer:
    """Development's mailer: each message a ``.txt`` file in ``folder``, readable as it is."""

    numbers = itertools.count(1)

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send_immediately(self, message, fail_silently: bool = False) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        headers = {
            "From": message.sender,
            "To": ", ".join(message.recipients),
            "Subject": message.subject,
            **(message.extra_headers or {}),
        }
        # Dated by the worker's clock (the outbox sets Date), and named in that order.
        sent = parsedate_to_datetime(headers["Date"]) if "Date" in headers else None
        text = "".join(f"{name}: {value}\n" for name, value in headers.items())
        text += "\n" + message.body
        stamp = f"{sent:%Y%m%d-%H%M%S}-" if sent else ""
        name = f"{stamp}{os.getpid()}-{next(self.numbers):05d}.txt"
        (self.folder / name).write_text(text, encoding="utf-8")

    send = send_immediately


def closing_its_connections(smtp_mailer) -> None:
    """Make repoze.sendmail's SMTP mailer close its connection also when the server refuses a
    message (its own ``send`` leaves the socket for the garbage collector to close, a
    ResourceWarning), and not fail a message the server has taken because the goodbye after it
    (QUIT) went wrong: the worker would send it again."""
    opened = threading.local()

    def recorded(connect):
        def connect_and_record(*args, **kwargs):
            connection = connect(*args, **kwargs)
            opened.connections.append(connection)
            quit_ = connection.quit

            def quit_quietly():
                # Said only once the server has taken the message: a goodbye that fails must
                # not make it look unsent, to be sent again.
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    return quit_()

            connection.quit = quit_quietly
            return connection

        return connect_and_record

    send = smtp_mailer.send

    def send_and_close(fromaddr, toaddrs, message):
        opened.connections = []
        try:
            send(fromaddr, toaddrs, message)
        finally:
            for connection in opened.connections:
                connection.close()

    # Read by its ``smtp_factory`` as ``self.smtp(...)``: an attribute of the instance wins.
    smtp_mailer.smtp = recorded(smtp_mailer.smtp)
    smtp_mailer.send = send_and_close


# A line's end as the email package writes it (LF), or as a body may hold it (CR, CRLF).
LINE_END = re.compile(rb"\r\n|\r|\n")


def with_crlf(message):
    """``message`` with every line ended by CRLF, as SMTP requires (RFC 5321 2.3.8); a ``str``
    is left as it is, smtplib ending its lines itself."""
    return LINE_END.sub(b"\r\n", message) if isinstance(message, bytes) else message


def ending_lines_with_crlf(smtp_mailer) -> None:
    """Make repoze.sendmail's SMTP mailer end the lines of what it sends by CRLF. It hands
    smtplib the message as bytes with its lines ended by LF, which smtplib sends as they are
    (repoze/repoze.sendmail#49): a mail server that reads SMTP's lines by CRLF sees one line as
    long as the message, and refuses any message over 1,000 bytes for good ("500 Line too
    long"); others refuse any bare LF."""

    def speaking_crlf(connect):
        def connect_speaking_crlf(*args, **kwargs):
            connection = connect(*args, **kwargs)
            sendmail = connection.sendmail

            def sendmail_with_crlf(from_addr, to_addrs, message, *args, **kwargs):
                return sendmail(from_addr, to_addrs, with_crlf(message), *args, **kwargs)

            connection.sendmail = sendmail_with_crlf
            return connection

        return connect_speaking_crlf

    smtp_mailer.smtp = speaking_crlf(smtp_mailer.smtp)
    if smtp_mailer.smtp_ssl is not None:
        smtp_mailer.smtp_ssl = speaking_crlf(smtp_mailer.smtp_ssl)


def sender_for(settings) -> str:
    return settings.get("mail.default_sender", "tmo <no-reply@localhost>")


def includeme(config):
    config.registry.registerUtility(mailer_for(config.get_settings()), IMailer)
