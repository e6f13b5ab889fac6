"""Production settings: required variables enforced, `check --deploy` clean,
the admin at a configurable path. Each runs manage.py in a fresh process
with a production-like environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x8Jq2-production-like-secret-key-with-plenty-of-entropy-4fK9zW7pLmN3vR",
    "DJANGO_ALLOWED_HOSTS": "results.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://results.example.org",
}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="alert.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in environment.items() if v is not None},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_reports_nothing_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_admin_lives_at_the_configured_path():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    result = manage("shell", "-c", code, DJANGO_ADMIN_URL="records-office/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/records-office/"
