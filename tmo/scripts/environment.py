"""What every console script needs: the app's settings from an ini file and a database session;
for one that sends notices as the app does (the mail worker's checkpoints), the app's registry
and a request made on it."""

import argparse
import logging
from contextlib import contextmanager
from pathlib import Path

from pyramid.exceptions import ConfigurationError
from pyramid.paster import get_appsettings, setup_logging

from tmo.clock import CLOCK, clock_from_settings
from tmo.models import get_engine, get_session_factory
from tmo.settings import finalise, overlay_environment


def ini_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config_uri", nargs="?", default="development.ini", help="the ini file (development.ini)"
    )


def load_settings(config_uri: str) -> dict:
    setup_logging(config_uri)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return finalise(get_appsettings(config_uri, name="main"))


def database_url_for(config_uri: str) -> str:
    """The database ``config_uri`` (or ``DATABASE_URL``) names, read without the secret: a job
    that copies the database (tmo-backup, tmo-restore) needs no key to it."""
    if not Path(config_uri.split("#")[0]).is_file():
        raise ConfigurationError(f"There is no ini file {config_uri}.")
    setup_logging(config_uri)
    url = overlay_environment(get_appsettings(config_uri, name="main")).get("sqlalchemy.url")
    if not url:
        raise ConfigurationError("No database: set DATABASE_URL or sqlalchemy.url.")
    return url


def app_registry(settings: dict):
    """The application's registry (templates, clock, database) built from ``settings``."""
    from tmo import make_config

    config = make_config(None, **settings)
    config.commit()
    return config.registry


def app_request(registry, dbsession):
    """A request on the app for a script's work: services that send notices take one. Its
    writes go through ``dbsession``, which the script commits."""
    from pyramid.request import Request, apply_request_extensions

    request = Request.blank("/", environ={"HTTP_HOST": "localhost"})
    request.registry = registry
    apply_request_extensions(request)
    request.dbsession = dbsession
    return request


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
