"""Typed, validated configuration read once from the environment.

Every setting the deployment can change is read here and nowhere else, so a bad value
fails at start-up with one line naming the variable, never deep inside a request.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import dj_database_url

Environment = Literal["development", "production"]

# A value that anyone could read in this file must never sign a production session.
INSECURE_KEY_PREFIX = "django-insecure-"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name}: expected a number above 0, got {raw!r}")
    return value


def _non_negative_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if not value >= 0:  # also refuses NaN
        raise ConfigError(f"{name}: expected 0 or more, got {raw!r}")
    return value


def default_data_dir(env: dict[str, str]) -> Path:
    """Where the SQLite file, uploaded photos and static files live unless told otherwise."""
    if env.get("OURPATCH_DATA_DIR"):
        return Path(env["OURPATCH_DATA_DIR"]).expanduser()
    xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "ourpatch"


def _redact(url: str) -> str:
    """The URL with any password hidden, fit to print in an error message."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def parse_database_url(url: str | None, data_dir: Path) -> dict[str, Any]:
    """Turn DATABASE_URL into Django's DATABASES['default']; unset means SQLite in data_dir."""
    if url is None or url.strip() == "":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "ourpatch.sqlite3"),
            # Readers and the worker share the file: wait rather than fail on a write lock.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    url = url.strip()
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            "DATABASE_URL: expected sqlite:///PATH or postgres://USER@HOST:PORT/NAME,"
            f" got {_redact(url)!r}"
        )
    try:
        parsed: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"DATABASE_URL: cannot be read ({exc}): {_redact(url)!r}") from None
    if not parsed.get("NAME"):
        raise ConfigError(f"DATABASE_URL: names no database: {_redact(url)!r}")
    if parsed["ENGINE"] == "django.db.backends.sqlite3":
        parsed["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        parsed["CONN_MAX_AGE"] = 0
    else:
        try:
            port = urlsplit(url).port
        except ValueError:
            raise ConfigError(f"DATABASE_URL: the port is not a number: {_redact(url)!r}") from None
        if port is not None and not 0 < port < 65536:
            raise ConfigError(f"DATABASE_URL: the port is out of range: {_redact(url)!r}")
    return parsed


@dataclass(frozen=True)
class Config:
    environment: Environment
    debug: bool
    secret_key: str
    allowed_hosts: tuple[str, ...]
    data_dir: Path
    database: dict[str, Any]
    csrf_trusted_origins: tuple[str, ...]
    # Staff are shown information not confirmed for longer than this (seed 14.7).
    stale_after_days: int
    # Failed sign-ins before an account (and address) is locked out.
    login_failure_limit: int
    login_lockout_minutes: int
    # Empty means no tiles: boundaries on a plain background (DESIGN: no tile server).
    map_tile_url: str
    map_tile_attribution: str
    # The public API's leaky bucket per client (police.uk's: 15/s, bursts of 30); 0 turns it off
    api_rate_per_second: float
    api_burst: int
    # The site's public address, for links in emails sent by the worker
    site_url: str
    # Email: SMTP when a host is given, else printed to the console (the demo)
    email_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    email_from: str

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load(env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if env is None else env)
    raw_env = env.get("OURPATCH_ENV", "development").strip().lower()
    if raw_env not in {"development", "production"}:
        raise ConfigError(f"OURPATCH_ENV: expected development or production, got {raw_env!r}")
    environment: Environment = "production" if raw_env == "production" else "development"
    data_dir = default_data_dir(env)
    debug = _flag(env, "DEBUG", default=False)
    hosts = tuple(h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip())
    origins = tuple(o.strip() for o in env.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip())
    secret_key = env.get("SECRET_KEY", "").strip()

    if environment == "production":
        if debug:
            raise ConfigError("DEBUG: must be off when OURPATCH_ENV=production")
        if not secret_key:
            raise ConfigError("SECRET_KEY: must be set when OURPATCH_ENV=production")
        if (
            secret_key.startswith(INSECURE_KEY_PREFIX)
            or len(set(secret_key)) < 5
            or len(secret_key) < 50
        ):
            raise ConfigError(
                "SECRET_KEY: must be a random value of at least 50 characters in production"
                " (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
            )
        if not hosts:
            raise ConfigError("ALLOWED_HOSTS: must list the site's host names in production")
    else:
        if not secret_key:
            secret_key = _development_secret_key(data_dir)
        if not hosts:
            hosts = ("127.0.0.1", "localhost", "[::1]", "testserver")

    return Config(
        environment=environment,
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=hosts,
        data_dir=data_dir,
        database=parse_database_url(env.get("DATABASE_URL"), data_dir),
        csrf_trusted_origins=origins,
        stale_after_days=_positive_int(env, "OURPATCH_STALE_AFTER_DAYS", 90),
        login_failure_limit=_positive_int(env, "OURPATCH_LOGIN_FAILURE_LIMIT", 5),
        login_lockout_minutes=_positive_int(env, "OURPATCH_LOGIN_LOCKOUT_MINUTES", 15),
        map_tile_url=env.get("OURPATCH_MAP_TILE_URL", "").strip(),
        map_tile_attribution=env.get("OURPATCH_MAP_TILE_ATTRIBUTION", "").strip(),
        api_rate_per_second=_non_negative_float(env, "OURPATCH_API_RATE_PER_SECOND", 15.0),
        api_burst=_positive_int(env, "OURPATCH_API_BURST", 30),
        site_url=env.get("OURPATCH_SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/"),
        email_host=env.get("EMAIL_HOST", "").strip(),
        email_port=_positive_int(env, "EMAIL_PORT", 587),
        email_user=env.get("EMAIL_HOST_USER", ""),
        email_password=env.get("EMAIL_HOST_PASSWORD", ""),
        email_use_tls=_flag(env, "EMAIL_USE_TLS", default=True),
        email_from=env.get("DEFAULT_FROM_EMAIL", "ourpatch <noreply@ourpatch.invalid>"),
    )


def _development_secret_key(data_dir: Path) -> str:
    """A random key kept in the data directory, so sessions survive a restart in development.

    It is prefixed so that production refuses it if it is ever copied across.
    """
    path = data_dir / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = INSECURE_KEY_PREFIX + secrets.token_urlsafe(48)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(key)
        path.chmod(0o600)
    except OSError:
        pass  # a read-only home still runs, with sessions that end at restart
    return key
