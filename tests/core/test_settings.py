from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pairup import settings as pairup_settings

ROOT = Path(__file__).resolve().parents[2]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full.update(env)
    # Its own process group with a deadline: a command that should have refused to start
    # (`serve`) must fail the test, not hang it or leave a server behind.
    proc = subprocess.Popen(
        [sys.executable, "-m", "pairup.cli", *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += "\n(timed out: still running after 120 s)"
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_envbool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='maybe' is not a boolean"):
        pairup_settings.envbool("SOME_FLAG", "false")


def test_envint_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="is not a whole number"):
        pairup_settings.envint("SOME_NUMBER", "1")


def test_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert pairup_settings.env("SOME_SECRET") == "from-a-file"


def test_production_requires_secret_key():
    result = _run({"DEBUG": "false", "ALLOWED_HOSTS": "example.org"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG=false" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "kq3-90aZ!@#unguessable-and-long-enough-for-django",
            "ALLOWED_HOSTS": "pairup.example.org",
            "SITE_URL": "https://pairup.example.org",
            "PAIRUP_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_demo_refuses_production_settings(tmp_path):
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "y" * 60,
            "ALLOWED_HOSTS": "example.org",
            "SITE_URL": "https://example.org",
            "PAIRUP_VAR_DIR": str(tmp_path),
        },
        "demo",
    )
    assert result.returncode != 0
    assert "not allowed with production settings" in result.stderr


PRODUCTION = {"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "pairup.example.org"}


@pytest.mark.parametrize("debug", ["false", "0", "no", "off", "FALSE"])
@pytest.mark.parametrize(
    "command",
    [("check", "--deploy"), ("serve", "--port", "0", "--workers", "1"), ("migrate", "--no-input")],
    ids=["check-deploy", "serve", "migrate"],
)
def test_production_without_site_url_refuses_every_command(tmp_path, debug, command):
    result = _run({"DEBUG": debug, **PRODUCTION, "PAIRUP_VAR_DIR": str(tmp_path)}, *command)
    assert result.returncode != 0
    # One line naming the variable, not a traceback; nothing ran (no database was created).
    assert result.stderr.startswith("pairup: SITE_URL is required when DEBUG=false"), result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "site_url",
    ["mentoring.example.org", "ftp://mentoring.example.org", "https://", "https://x.org/pairup"],
)
def test_a_site_url_that_cannot_make_links_is_refused(tmp_path, site_url):
    result = _run(
        {"DEBUG": "false", **PRODUCTION, "SITE_URL": site_url, "PAIRUP_VAR_DIR": str(tmp_path)},
        "check",
    )
    assert result.returncode != 0
    assert result.stderr.startswith(f"pairup: SITE_URL={site_url!r}"), result.stderr


def test_development_defaults_site_url_to_the_address_make_run_serves(tmp_path):
    result = _run(
        {"DEBUG": "true", "PAIRUP_VAR_DIR": str(tmp_path)},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
    )
    assert result.stdout.splitlines()[-1] == "http://127.0.0.1:8000", result.stderr


def test_site_url_loses_its_trailing_slash(tmp_path):
    result = _run(
        {
            "DEBUG": "false",
            **PRODUCTION,
            "SITE_URL": "https://pairup.example.org/",
            "PAIRUP_VAR_DIR": str(tmp_path),
        },
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
    )
    assert result.stdout.splitlines()[-1] == "https://pairup.example.org", result.stderr


def _media_settings(env: dict[str, str]) -> str:
    script = (
        "from django.conf import settings; from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/media/avatars/x.jpg'); served = True\n"
        "except Resolver404:\n    served = False\n"
        "print(settings.MEDIA_ROOT, settings.MEDIA_URL, served)"
    )
    result = _run(env, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_photos_are_served_by_pairup_in_development_only(tmp_path):
    development = {"PAIRUP_VAR_DIR": str(tmp_path), "MEDIA_ROOT": "", "SERVE_MEDIA": ""}
    assert _media_settings(development) == f"{tmp_path}/media /media/ True"
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "z" * 60,
        "ALLOWED_HOSTS": "example.org",
        "SITE_URL": "https://example.org",
        "PAIRUP_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": "/var/lib/pairup/media",
    }
    assert _media_settings(production) == "/var/lib/pairup/media /media/ False"
    assert _media_settings({**production, "SERVE_MEDIA": "true"}).endswith(" True")
