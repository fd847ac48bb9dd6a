"""Running alembic from Python: used by the demo loader, the tests and the bench harness."""

from alembic import command
from alembic.config import Config


def alembic_config(ini_path: str | None = None, settings: dict | None = None) -> Config:
    config = Config(ini_path) if ini_path else Config()
    config.set_main_option("script_location", "tmo:alembic")
    if settings is not None:
        config.attributes["settings"] = settings
        config.attributes["configure_logging"] = False
    return config


def upgrade(settings: dict, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings=settings), revision)
