"""What every console script needs: the app's settings from an ini file and a database session."""

import argparse
import logging
from contextlib import contextmanager

from pyramid.paster import get_appsettings, setup_logging

from tmo.clock import CLOCK, clock_from_settings
from tmo.models import get_engine, get_session_factory
from tmo.settings import finalise


def ini_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config_uri", nargs="?", default="development.ini", help="the ini file (development.ini)"
    )


def load_settings(config_uri: str) -> dict:
    setup_logging(config_uri)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return finalise(get_appsettings(config_uri, name="main"))


def clock_for(config_uri: str):
    """The clock the deployment ``config_uri`` runs on."""
    return clock_from_settings(load_settings(config_uri))


def today_for(config_uri: str):
    """Today in London by the clock the deployment ``config_uri`` runs on."""
    return clock_for(config_uri).today()


@contextmanager
def database_session(config_uri: str):
    """A session on the database ``config_uri`` names, carrying the deployment's clock (the
    audit log's entries are dated by it); closed, and its engine disposed, after."""
    settings = load_settings(config_uri)
    engine = get_engine(settings)
    dbsession = get_session_factory(engine)(info={CLOCK: clock_from_settings(settings)})
    try:
        yield dbsession
    finally:
        dbsession.close()
        engine.dispose()
