"""Production settings: `check --deploy` is clean with the environment the README documents,
the suite runs on the database it was asked for, and the error pages are Chinese."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "study.example.internal",
    "CSRF_TRUSTED_ORIGINS": "https://study.example.internal",
}


def _run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DEMO_MODE", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="zhongxinzu.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_example_passes_check_deploy(tmp_path):
    # .env.example is what the README tells operators to copy: it must be deployable as is,
    # once the secret key is replaced.
    env = {}
    for line in (settings.BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    assert env["DEBUG"] == "0" and env["DEMO_MODE"] == "0"
    env.update(SECRET_KEY=secrets.token_urlsafe(50), MEDIA_ROOT=str(tmp_path / "uploads"))
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_manage("check", **PRODUCTION_ENV)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for():
    # `make test-postgres` sets EXPECT_DB_VENDOR=postgresql: a run that silently fell back to
    # SQLite would otherwise pass as a PostgreSQL run.
    expected = os.environ.get("EXPECT_DB_VENDOR")
    if expected:
        assert connection.vendor == expected


def test_error_pages_are_chinese_and_standalone():
    # 500.html renders with no context at all (Django's server_error does exactly this).
    assert "系统错误" in render_to_string("500.html")
    assert "页面不存在" in render_to_string("404.html")
    assert "无权操作" in render_to_string("403.html", {"exception": "无权操作该单位"})


@pytest.mark.django_db
def test_unknown_url_gets_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
