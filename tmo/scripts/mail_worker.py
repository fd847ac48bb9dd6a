"""``tmo-mail-worker [INI] [--once]``: send the emails waiting in the outbox, trying again with
longer waits when the mail server does not take them, until stopped (``make run`` starts it
beside the web server). Once a minute it also sends the checkpoints that are due (a poll's daily
one, and its close). With ``--once`` it sends what is due now and stops. Several may run at
once: each email is taken by one of them only (``tmo.services.notices.outbox``). A pass that
fails is logged and tried again after a pause; with ``--once`` the command fails."""

import argparse
import logging
import signal
import sys
import time

from tmo.clock import CLOCK
from tmo.scripts.environment import app_registry, app_request, ini_argument, load_settings
from tmo.services import checkpoints
from tmo.services.mail import mailer_for, sender_for
from tmo.services.notices import Retries, give_up_interrupted, send_due

log = logging.getLogger("tmo.mail_worker")
# How often the worker looks for checkpoints due (they are due daily and at a poll's close).
CHECKPOINTS_EVERY = 60.0


def send_checkpoints(registry, session_factory, now) -> int:
    """Sign and queue the checkpoints due at ``now``; how many elections' were sent."""
    with session_factory() as dbsession:
        sent = checkpoints.send_due(app_request(registry, dbsession), now)
        dbsession.commit()
    return sent


# Emails sent in one pass before the worker reads its clock again: each is stamped with the
# moment its pass began, and must not look stuck (``STUCK_AFTER``) to another worker.
BATCH = 20
# Seconds to wait after a pass that failed, before the next.
PAUSE = 30


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-mail-worker", description=__doc__.splitlines()[0])
    ini_argument(parser)
    parser.add_argument("--once", action="store_true", help="send what is due now, then stop")
    parser.add_argument(
        "--every", type=float, default=1.0, metavar="SECONDS", help="how often to look (1)"
    )
    args = parser.parse_args(argv)
    settings = load_settings(args.config_uri)
    registry = app_registry(settings)
    engine, session_factory = registry["dbengine"], registry["dbsession_factory"]
    clock = registry[CLOCK]
    mailer, sender = mailer_for(settings), sender_for(settings)
    retries = Retries.from_settings(settings)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        checkpoints_at = 0.0
        while not stopping:
            if time.monotonic() >= checkpoints_at:
                checkpoints_at = time.monotonic() + CHECKPOINTS_EVERY
                try:
                    if send_checkpoints(registry, session_factory, clock.now()):
                        log.info("checkpoints sent")
                except Exception:
                    # Tried again in a minute; the outbox's emails go out meanwhile.
                    log.exception("the checkpoints due could not be sent")
            try:
                with session_factory() as dbsession:
                    # At every pass, not only at start: another worker may have stopped.
                    if give_up_interrupted(dbsession, clock.now()):
                        log.warning("emails left half-sent by a stopped worker are marked failed")
                    done = send_due(
                        dbsession,
                        mailer,
                        sender=sender,
                        now=clock.now(),
                        retries=retries,
                        limit=BATCH,
                    )
            except Exception:
                # The database gone for a moment, say: a worker left running tries again later
                # (an email it was sending is failed after STUCK_AFTER, never sent twice).
                if args.once:
                    raise
                log.exception("the mail worker's pass failed; trying again in %ss", PAUSE)
                time.sleep(PAUSE)
                continue
            if done.tried:
                log.info("sent %d of %d email(s) tried", done.sent, done.tried)
            if args.once and done.tried < BATCH:
                break
            if done.tried < BATCH:
                time.sleep(args.every)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
