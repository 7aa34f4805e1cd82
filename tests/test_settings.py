from pathlib import Path

import pytest

from meetings.db import normalize_database_url
from meetings.settings import Settings, SettingsError


def test_defaults_are_the_embedded_shape():
    settings = Settings.from_mapping({})
    assert settings.database_url == ""
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("/data/meetings.db")
    assert settings.base_url == "http://127.0.0.1:8000"


def test_reads_prefixed_environment_variables():
    settings = Settings.from_env(
        {
            "MEETINGS_DATA_DIR": "/srv/meetings",
            "MEETINGS_DATABASE_URL": "postgresql://app@db/meetings",
            "MEETINGS_PORT": "9000",
            "MEETINGS_DEBUG": "yes",
            "MEETINGS_BASE_URL": "https://meet.example.com/",
            "OTHER": "ignored",
        },
        env_file=None,
    )
    assert settings.data_dir == Path("/srv/meetings")
    assert settings.database_url == "postgresql://app@db/meetings"
    assert settings.port == 9000
    assert settings.debug is True
    assert settings.base_url == "https://meet.example.com"


def test_env_file_fills_in_what_the_environment_lacks(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("MEETINGS_PORT=8100\nMEETINGS_LOG_LEVEL=debug\n")
    settings = Settings.from_env({"MEETINGS_PORT": "8200"}, env_file=env_file)
    assert settings.port == 8200  # the environment wins
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MEETINGS_PORT", "eighty", "MEETINGS_PORT must be a whole number"),
        ("MEETINGS_WORKERS", "0", "MEETINGS_WORKERS must be at least 1"),
        ("MEETINGS_DEBUG", "maybe", "MEETINGS_DEBUG must be true or false"),
        ("MEETINGS_LOG_LEVEL", "LOUD", "MEETINGS_LOG_LEVEL must be DEBUG"),
        ("MEETINGS_BASE_URL", "meet.example.com", "MEETINGS_BASE_URL must start with http"),
        ("MEETINGS_BROKER_URL", "amqp://rabbit", "MEETINGS_BROKER_URL must start with redis://"),
    ],
)
def test_bad_values_name_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value}, env_file=None)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///data/meetings.db", "sqlite"),
        ("postgresql://user@host/db", "postgresql+psycopg"),
        ("postgres://user:pw@host:5433/db", "postgresql+psycopg"),
        ("postgresql+psycopg2://user@host/db", "postgresql+psycopg"),
    ],
)
def test_plain_database_urls_get_the_apps_driver(given, driver):
    assert normalize_database_url(given).drivername == driver


@pytest.mark.parametrize("given", ["mysql://root@localhost/x", "not a url"])
def test_unsupported_database_urls_are_refused_clearly(given):
    with pytest.raises(SettingsError, match="MEETINGS_DATABASE_URL"):
        normalize_database_url(given)
