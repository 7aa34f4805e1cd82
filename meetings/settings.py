"""Typed settings, read from ``MEETINGS_*`` environment variables (and an optional ``.env`` file).

Nothing here runs at import time: ``Settings.from_env()`` is called by the CLI or the ASGI factory,
and tests build ``Settings`` from a plain dict with ``Settings.from_mapping()``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

PREFIX = "MEETINGS_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the app. Each field maps to ``MEETINGS_<FIELD NAME IN CAPITALS>``."""

    data_dir: Path = Path("data")
    """Folder for the SQLite database and other local files (created when missing)."""

    database_url: str = ""
    """Database URL as people write it: ``sqlite:///path/to.db`` or ``postgresql://user@host/db``.
    Empty means ``<data_dir>/meetings.db``. The driver is chosen by the app."""

    base_url: str = "http://127.0.0.1:8000"
    """Public URL of the app, used for absolute links in emails and calendar feeds."""

    host: str = "127.0.0.1"
    """Address that ``meetings serve`` listens on unless ``--host`` is given."""

    port: int = 8000
    """Port that ``meetings serve`` listens on unless ``--port`` is given."""

    workers: int = 1
    """Number of web worker processes started by ``meetings serve`` unless ``--workers`` is given."""

    debug: bool = False
    """Show tracebacks in error pages. Never turn this on in production."""

    log_level: str = "INFO"
    """Logging level: DEBUG, INFO, WARNING or ERROR."""

    secret_key: str = ""
    """Secret for CSRF tokens and signed links. Empty: one is generated once and kept in
    ``<data_dir>/secret_key``. Set the same value on every machine when running several."""

    smtp_url: str = ""
    """``smtp://user:password@host:587`` (STARTTLS) or ``smtps://...:465`` (TLS). Empty: emails are
    kept in the in-app mailbox page instead of being sent."""

    mail_from: str = "Meetings <meetings@localhost>"
    """Sender of every email."""

    session_days: int = 30
    """How long a sign-in lasts without activity, in days."""

    scheduler: bool = True
    """Run the scheduler's jobs inside this web process. Turn it off in web processes when
    ``meetings worker`` runs them (running them in several processes at once is safe too)."""

    broker_url: str = ""
    """Where live changes travel between server processes: ``redis://host:6379/0`` (Redis pub/sub)
    or ``postgresql://...`` (LISTEN/NOTIFY, e.g. the app's own database). Empty: in memory, which
    reaches only the sockets of the one process (right for a single process)."""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Build settings from a mapping of field names (or ``MEETINGS_*`` names) to raw values."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            for key in (f.name, PREFIX + f.name.upper()):
                if key in values:
                    kwargs[f.name] = _convert(f, values[key])
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
        """Read ``MEETINGS_*`` variables; values in ``env_file`` apply where the environment has none."""
        merged: dict[str, Any] = {}
        if env_file is not None and env_file.is_file():
            merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        merged.update(os.environ if environ is None else environ)
        return cls.from_mapping({k: v for k, v in merged.items() if k.startswith(PREFIX)})

    @classmethod
    def names(cls) -> list[str]:
        """The environment variable name of every setting."""
        return [PREFIX + f.name.upper() for f in dataclasses.fields(cls)]

    @property
    def secure_cookies(self) -> bool:
        """Cookies get the Secure flag when the app is served over https."""
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured secret, or the one generated and kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()

    @property
    def resolved_database_url(self) -> str:
        """The database URL with the default (SQLite in data_dir) filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'meetings.db').resolve()}"


def _convert(f: dataclasses.Field[Any], raw: Any) -> Any:
    name = PREFIX + f.name.upper()
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if not isinstance(raw, str):
        return raw
    raw = raw.strip()
    if kind == "Path":
        return Path(raw).expanduser()
    if kind == "int":
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if value < 1:
            raise SettingsError(f"{name} must be at least 1, got {value}")
        return value
    if kind == "bool":
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{name} must be true or false, got {raw!r}")
    if f.name == "log_level":
        if raw.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"{name} must be DEBUG, INFO, WARNING or ERROR, got {raw!r}")
        return raw.upper()
    if f.name == "smtp_url" and raw and not raw.startswith(("smtp://", "smtps://")):
        raise SettingsError(f"{name} must start with smtp:// or smtps://, got {raw!r}")
    if f.name == "broker_url" and raw and not raw.startswith(
        ("redis://", "rediss://", "postgresql://", "postgres://")
    ):
        raise SettingsError(f"{name} must start with redis://, rediss:// or postgresql://, got {raw!r}")
    if f.name == "secret_key" and raw and len(raw) < 32:
        raise SettingsError(f"{name} must be at least 32 characters long")
    if f.name == "mail_from" and any(c in raw for c in "\r\n"):
        raise SettingsError(f"{name} must be a single line")
    if f.name == "base_url":
        if not raw.startswith(("http://", "https://")):
            raise SettingsError(f"{name} must start with http:// or https://, got {raw!r}")
        return raw.rstrip("/")
    return raw
