"""`tmo-mail-worker`: a pass that fails (the database gone for a moment) is logged and the worker
carries on after a pause, where ``--once`` fails with it."""

import logging
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings

from tmo.scripts import mail_worker
from tmo.services.notices.outbox import Pass
from tmo.settings import finalise

TESTING_INI = str(Path(__file__).resolve().parents[2] / "ini" / "testing.ini")


@pytest.fixture
def passes(monkeypatch):
    """The worker's passes, the first of which fails; its sleeps, the second of which ends it."""
    made, slept = [], []

    def send_due(dbsession, mailer, **options):
        made.append(options["limit"])
        if len(made) == 1:
            raise ConnectionError("the database is not answering")
        return Pass(sent=0, tried=0)

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) == 2:
            raise KeyboardInterrupt

    # The settings without the ini file's logging, which would replace pytest's.
    settings = finalise(get_appsettings(TESTING_INI, name="main"))
    monkeypatch.setattr(mail_worker, "load_settings", lambda config_uri: settings)
    monkeypatch.setattr(mail_worker, "give_up_interrupted", lambda dbsession, now: 0)
    monkeypatch.setattr(mail_worker, "send_checkpoints", lambda registry, factory, now: 0)
    monkeypatch.setattr(mail_worker, "send_due", send_due)
    monkeypatch.setattr(mail_worker.time, "sleep", sleep)
    return made, slept


def test_a_failed_pass_is_logged_and_the_worker_carries_on_after_a_pause(passes, caplog):
    made, slept = passes
    with caplog.at_level(logging.ERROR, logger="tmo.mail_worker"):
        assert mail_worker.main([TESTING_INI, "--every", "2"]) == 0

    assert made == [mail_worker.BATCH, mail_worker.BATCH]
    assert slept == [mail_worker.PAUSE, 2]
    (record,) = caplog.records
    assert "pass failed" in record.getMessage()
    assert "the database is not answering" in record.exc_text


def test_with_once_a_failed_pass_fails_the_command(passes):
    with pytest.raises(ConnectionError):
        mail_worker.main([TESTING_INI, "--once"])
