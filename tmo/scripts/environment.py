"""What every console script needs: the app's settings from an ini file and a database session."""

import argparse
import logging

from pyramid.paster import get_appsettings, setup_logging

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


def open_session(settings: dict):
    engine = get_engine(settings)
    return engine, get_session_factory(engine)()
