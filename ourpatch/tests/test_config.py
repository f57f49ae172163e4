"""Settings are validated once, with one line naming the variable that is wrong."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ourpatch.config import ConfigError, load

GOOD_KEY = secrets.token_urlsafe(64)


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"OURPATCH_DATA_DIR": str(tmp_path), **values}


def test_unset_database_url_means_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    config = load(_env(tmp_path))
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["NAME"] == str(tmp_path / "ourpatch.sqlite3")


def test_postgres_url_means_postgresql(tmp_path: Path) -> None:
    config = load(_env(tmp_path, DATABASE_URL="postgres://ops@db.internal:5433/ourpatch"))
    assert config.database["ENGINE"] == "django.db.backends.postgresql"
    assert (config.database["HOST"], config.database["PORT"]) == ("db.internal", 5433)
    assert config.database["NAME"] == "ourpatch"


@pytest.mark.parametrize(
    "url",
    ["mysql://x/y", "not a url", "postgres://u:pw@host:99999/db", "postgres://host:5432/"],
)
def test_malformed_database_url_names_the_variable(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(_env(tmp_path, DATABASE_URL=url))
    message = str(error.value)
    assert message.startswith("DATABASE_URL:")
    assert "\n" not in message
    assert "pw" not in message  # a password never lands in a log


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example", "DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "x.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + GOOD_KEY, "ALLOWED_HOSTS": "x"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path: Path, values, variable) -> None:
    with pytest.raises(ConfigError) as error:
        load(_env(tmp_path, OURPATCH_ENV="production", **values))
    assert str(error.value).startswith(f"{variable}:")


def test_production_accepts_safe_settings(tmp_path: Path) -> None:
    config = load(
        _env(tmp_path, OURPATCH_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a, b")
    )
    assert config.is_production and config.allowed_hosts == ("a", "b")
    assert not config.debug


def test_development_key_is_kept_and_refused_by_production(tmp_path: Path) -> None:
    first = load(_env(tmp_path)).secret_key
    assert first == load(_env(tmp_path)).secret_key  # sessions survive a restart
    with pytest.raises(ConfigError):
        load(_env(tmp_path, OURPATCH_ENV="production", SECRET_KEY=first, ALLOWED_HOSTS="x"))


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "perhaps"), ("OURPATCH_ENV", "staging"), ("OURPATCH_STALE_AFTER_DAYS", "-3")],
)
def test_bad_values_name_their_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(_env(tmp_path, **{name: value}))
    assert str(error.value).startswith(f"{name}:")


def _ourpatch(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-m", "ourpatch.cli", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_prints_one_line_for_a_malformed_url(tmp_path: Path) -> None:
    result = _ourpatch(["manage", "check"], _env(tmp_path, DATABASE_URL="mysql://nope"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ourpatch: configuration error: DATABASE_URL: expected sqlite:///PATH or "
        "postgres://USER@HOST:PORT/NAME, got 'mysql://nope'"
    ]


def test_production_check_deploy_reports_nothing(tmp_path: Path) -> None:
    result = _ourpatch(
        ["manage", "check", "--deploy", "--fail-level", "WARNING"],
        _env(
            tmp_path,
            OURPATCH_ENV="production",
            SECRET_KEY=GOOD_KEY,
            ALLOWED_HOSTS="ourpatch.example",
            DATABASE_URL=f"sqlite:///{tmp_path}/prod.sqlite3",
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_with_debug_on(tmp_path: Path) -> None:
    result = _ourpatch(
        ["manage", "check"],
        _env(
            tmp_path,
            OURPATCH_ENV="production",
            SECRET_KEY=GOOD_KEY,
            ALLOWED_HOSTS="ourpatch.example",
            DEBUG="1",
        ),
    )
    assert result.returncode == 2
    assert "DEBUG: must be off" in result.stderr


def test_help_lists_every_command_on_a_line_each(tmp_path: Path) -> None:
    result = _ourpatch(["--help"], _env(tmp_path, COLUMNS="100"))
    assert result.returncode == 0
    from ourpatch.cli import COMMANDS

    lines = result.stdout.splitlines()
    for name, summary in COMMANDS.items():
        assert any(
            line.split() and line.split()[0] == name and summary in line for line in lines
        ), name
