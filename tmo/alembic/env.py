"""Alembic's environment: the database comes from the same settings the app uses."""

from alembic import context
from pyramid.paster import get_appsettings, setup_logging
from sqlalchemy import TypeDecorator

from tmo.models import Base, get_engine
from tmo.settings import overlay_environment

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    setup_logging(config.config_file_name)

if "settings" in config.attributes:
    settings = config.attributes["settings"]
else:
    settings = overlay_environment(get_appsettings(config.config_file_name, name="main"))

target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Write tmo's column types as the plain SQL types they store, so migrations never import
    application code that may later change."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def run_migrations_offline():
    context.configure(
        url=settings["sqlalchemy.url"],
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = get_engine(settings)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
