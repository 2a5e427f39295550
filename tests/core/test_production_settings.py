"""Production settings refuse to start without real secrets, and pass `check --deploy`.

Each case starts a fresh interpreter: settings are read once per process.
"""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k" * 20 + "-ansinh-production-secret-key-for-tests-only-0123456789"
DEV_KEY = "django-insecure-ansinh-development-only-key-do-not-use"


def run_ansinh(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        # (the browser scenarios set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright: not here)
        if key
        not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="ansinh.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-m", "ansinh.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "sqlite:///x", "ALLOWED_HOSTS": "a.vn"}, "SECRET_KEY"),
        (
            {"SECRET_KEY": DEV_KEY, "DATABASE_URL": "sqlite:///x", "ALLOWED_HOSTS": "a.vn"},
            "SECRET_KEY",
        ),
        (
            {"SECRET_KEY": "short", "DATABASE_URL": "sqlite:///x", "ALLOWED_HOSTS": "a.vn"},
            "SECRET_KEY",
        ),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.vn"}, "DATABASE_URL"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "sqlite:///x"}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_real_settings(env, message):
    result = run_ansinh("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_passes_the_deploy_check(tmp_path):
    result = run_ansinh(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="ansinh.example.vn",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_demo_data_is_refused_outside_debug(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ansinh.cli", "demo", "--no-migrate"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ansinh.settings.base",
            "DEBUG": "0",
            "ANSINH_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "DEBUG=1" in result.stderr
