"""Settings: the environment overlays the ini file, the secret is resolved, the rest is checked."""

import stat

import pytest
from pyramid.exceptions import ConfigurationError

from tmo.settings import finalise, normalise_database_url, overlay_environment, resolve_secret

INI = {
    "sqlalchemy.url": "sqlite:///from-ini.sqlite",
    "tmo.secret": "ini-secret",
    "tmo.mail_mode": "folder",
    "mail.host": "ini-host",
    "mail.port": "25",
    "mail.username": "ini-user",
    "mail.password": "ini-password",
    "mail.tls": "false",
    "mail.ssl": "false",
    "mail.default_sender": "ini@example.org",
}


@pytest.mark.parametrize(
    ("variable", "key", "value"),
    [
        ("DATABASE_URL", "sqlalchemy.url", "sqlite:///from-environment.sqlite"),
        ("TMO_SECRET", "tmo.secret", "environment-secret"),
        ("TMO_MAIL_MODE", "tmo.mail_mode", "memory"),
        ("SMTP_HOST", "mail.host", "smtp.example.org"),
        ("SMTP_PORT", "mail.port", "587"),
        ("SMTP_USERNAME", "mail.username", "mailer"),
        ("SMTP_PASSWORD", "mail.password", "hunter22"),
        ("SMTP_TLS", "mail.tls", "true"),
        ("SMTP_SSL", "mail.ssl", "true"),
        ("MAIL_FROM", "mail.default_sender", "tmo@example.org"),
    ],
)
def test_each_environment_variable_overrides_its_setting(variable, key, value):
    merged = overlay_environment(INI, {variable: value})
    assert merged[key] == value
    # Only that setting changed.
    assert {k: v for k, v in merged.items() if k != key} == {
        k: v for k, v in INI.items() if k != key
    }


def test_overlay_leaves_the_settings_it_was_given_untouched():
    settings = dict(INI)
    overlay_environment(settings, {"SMTP_HOST": "smtp.example.org"})
    assert settings == INI


def test_an_empty_environment_variable_does_not_blank_the_ini_setting():
    merged = overlay_environment(INI, {"SMTP_HOST": "", "TMO_SECRET": ""})
    assert merged["mail.host"] == "ini-host"
    assert merged["tmo.secret"] == "ini-secret"


def test_unrelated_environment_variables_are_ignored():
    merged = overlay_environment(INI, {"HOME": "/root", "SMTP_HOSTNAME": "nope"})
    assert merged == INI


def test_the_process_environment_is_used_when_none_is_given(monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "from-os-environ.example.org")
    assert overlay_environment(INI)["mail.host"] == "from-os-environ.example.org"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/tmo", "postgresql+psycopg://u:p@db:5432/tmo"),
        ("postgresql://u:p@db:5432/tmo", "postgresql+psycopg://u:p@db:5432/tmo"),
        ("postgresql+psycopg://u:p@db/tmo", "postgresql+psycopg://u:p@db/tmo"),
        ("sqlite:///var/tmo.sqlite", "sqlite:///var/tmo.sqlite"),
        ("", ""),
    ],
)
def test_normalise_database_url(url, expected):
    assert normalise_database_url(url) == expected


def test_a_heroku_style_database_url_from_the_environment_gets_the_psycopg_driver():
    merged = overlay_environment(INI, {"DATABASE_URL": "postgres://u:p@db.example.org:5432/tmo"})
    assert merged["sqlalchemy.url"] == "postgresql+psycopg://u:p@db.example.org:5432/tmo"


def test_a_bare_postgresql_url_in_the_ini_file_gets_the_psycopg_driver():
    settings = {**INI, "sqlalchemy.url": "postgresql://localhost/tmo"}
    assert (
        overlay_environment(settings, {})["sqlalchemy.url"] == "postgresql+psycopg://localhost/tmo"
    )


# The secret ----------------------------------------------------------------------------------


def test_a_secret_file_is_generated_with_owner_only_permissions(tmp_path):
    path = tmp_path / "not-yet" / "secret"
    secret = resolve_secret({"tmo.secret_file": str(path)})
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) >= 32
    assert path.read_text().strip() == secret


def test_the_generated_secret_is_reused_on_the_next_start(tmp_path):
    path = tmp_path / "secret"
    first = resolve_secret({"tmo.secret_file": str(path)})
    second = resolve_secret({"tmo.secret_file": str(path)})
    assert first == second


def test_two_secret_files_get_different_secrets(tmp_path):
    one = resolve_secret({"tmo.secret_file": str(tmp_path / "one")})
    two = resolve_secret({"tmo.secret_file": str(tmp_path / "two")})
    assert one != two


def test_an_existing_secret_file_is_read_not_replaced(tmp_path):
    path = tmp_path / "secret"
    path.write_text("kept-from-last-deploy\n")
    assert resolve_secret({"tmo.secret_file": str(path)}) == "kept-from-last-deploy"
    assert path.read_text() == "kept-from-last-deploy\n"


def test_tmo_secret_wins_over_an_existing_secret_file(tmp_path):
    path = tmp_path / "secret"
    generated = resolve_secret({"tmo.secret_file": str(path)})
    settings = {"sqlalchemy.url": "sqlite://", "tmo.secret_file": str(path)}
    merged = finalise(settings, {"TMO_SECRET": "from-the-environment"})
    assert merged["tmo.secret"] == "from-the-environment"
    assert merged["tmo.secret"] != generated


def test_tmo_secret_means_no_secret_file_is_written(tmp_path):
    path = tmp_path / "secret"
    settings = {"sqlalchemy.url": "sqlite://", "tmo.secret_file": str(path)}
    finalise(settings, {"TMO_SECRET": "from-the-environment"})
    assert not path.exists()


def test_no_secret_and_no_secret_file_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="TMO_SECRET"):
        resolve_secret({})
    with pytest.raises(ConfigurationError, match="TMO_SECRET"):
        finalise({"sqlalchemy.url": "sqlite://"}, {})


def test_an_empty_secret_file_is_not_an_empty_secret(tmp_path):
    path = tmp_path / "secret"
    path.write_text("")
    with pytest.raises(ConfigurationError):
        resolve_secret({"tmo.secret_file": str(path)})


# The checks of finalise ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["smtp", "folder", "memory"])
def test_each_mail_mode_is_accepted(mode):
    merged = finalise({"sqlalchemy.url": "sqlite://", "tmo.secret": "s"}, {"TMO_MAIL_MODE": mode})
    assert merged["tmo.mail_mode"] == mode


def test_the_mail_mode_defaults_to_smtp():
    merged = finalise({"sqlalchemy.url": "sqlite://", "tmo.secret": "s"}, {})
    assert merged["tmo.mail_mode"] == "smtp"


@pytest.mark.parametrize("mode", ["sendmail", "SMTP", "file"])
def test_an_unknown_mail_mode_is_a_configuration_error(mode):
    with pytest.raises(ConfigurationError, match=r"tmo\.mail_mode"):
        finalise({"sqlalchemy.url": "sqlite://", "tmo.secret": "s"}, {"TMO_MAIL_MODE": mode})


def test_no_database_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        finalise({"tmo.secret": "s"}, {})


def test_database_url_from_the_environment_satisfies_finalise():
    merged = finalise({"tmo.secret": "s"}, {"DATABASE_URL": "postgres://db/tmo"})
    assert merged["sqlalchemy.url"] == "postgresql+psycopg://db/tmo"


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), (None, False)])
def test_secure_cookies_becomes_a_boolean(value, expected):
    settings = {"sqlalchemy.url": "sqlite://", "tmo.secret": "s"}
    if value is not None:
        settings["tmo.secure_cookies"] = value
    assert finalise(settings, {})["tmo.secure_cookies"] is expected


def test_production_waitress_outlasts_idle_connections():
    """Waitress's default of 100 connections was used up by 100 idle clients, after which it
    answered nobody: production raises the limit and closes silent connections."""
    import configparser
    from pathlib import Path

    ini = configparser.ConfigParser(interpolation=None)
    ini.read(Path(__file__).resolve().parents[2] / "ini" / "production.ini")
    server = ini["server:main"]
    assert int(server["connection_limit"]) >= 1000
    assert 0 < int(server["channel_timeout"]) <= 60
