"""Settings: the ini file's ``[app:main]`` section, overlaid by the environment.

Deployments configure tmo with environment variables (``DATABASE_URL``, ``TMO_SECRET``, ``SMTP_*``)
so that no secret lives in a committed file; development generates its secret into an ignored file.
"""

import os
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool

# Environment variable -> the setting it overrides.
ENVIRONMENT_SETTINGS = {
    "DATABASE_URL": "sqlalchemy.url",
    "TMO_SECRET": "tmo.secret",
    "TMO_MAIL_MODE": "tmo.mail_mode",
    "SMTP_HOST": "mail.host",
    "SMTP_PORT": "mail.port",
    "SMTP_USERNAME": "mail.username",
    "SMTP_PASSWORD": "mail.password",
    "SMTP_TLS": "mail.tls",
    "SMTP_SSL": "mail.ssl",
    "MAIL_FROM": "mail.default_sender",
    "TMO_TODAY": "tmo.today",
    "TMO_PAGE_CACHE_MB": "tmo.page_cache_mb",
}

MAIL_MODES = ("smtp", "folder", "memory")


def overlay_environment(settings: Mapping[str, str], environ: Mapping[str, str] | None = None):
    """Return a copy of ``settings`` with every variable of ENVIRONMENT_SETTINGS that is set."""
    environ = os.environ if environ is None else environ
    merged = dict(settings)
    for variable, key in ENVIRONMENT_SETTINGS.items():
        value = environ.get(variable)
        if value:
            merged[key] = value
    merged["sqlalchemy.url"] = normalise_database_url(merged.get("sqlalchemy.url", ""))
    return merged


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs (as hosting platforms give them) at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def resolve_secret(settings: Mapping[str, str]) -> str:
    """The signing secret: TMO_SECRET, else one generated once into ``tmo.secret_file``."""
    secret = settings.get("tmo.secret")
    if secret:
        return secret
    path = settings.get("tmo.secret_file")
    if not path:
        raise ConfigurationError("No secret: set TMO_SECRET (or tmo.secret_file for development).")
    secret_file = Path(path)
    if not secret_file.exists():
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        # Written with owner-only permissions before any content reaches it.
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    secret = secret_file.read_text().strip()
    if not secret:
        raise ConfigurationError(f"The secret file {secret_file} is empty: delete it to make anew.")
    return secret


def finalise(settings: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict:
    """Apply the environment, resolve the secret and check the settings tmo relies on."""
    merged = overlay_environment(settings, environ)
    merged["tmo.secret"] = resolve_secret(merged)
    mode = merged.setdefault("tmo.mail_mode", "smtp")
    if mode not in MAIL_MODES:
        raise ConfigurationError(f"tmo.mail_mode must be one of {', '.join(MAIL_MODES)}")
    if not merged.get("sqlalchemy.url"):
        raise ConfigurationError("No database: set DATABASE_URL or sqlalchemy.url.")
    merged["tmo.secure_cookies"] = asbool(merged.get("tmo.secure_cookies", False))
    if merged.get("tmo.today"):
        try:
            date.fromisoformat(merged["tmo.today"])
        except ValueError:
            raise ConfigurationError("tmo.today (TMO_TODAY) must be a day as YYYY-MM-DD") from None
    return merged
