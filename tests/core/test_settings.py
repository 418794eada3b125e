from __future__ import annotations

import os
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
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pairup.cli", *args],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


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
            "PAIRUP_VAR_DIR": str(tmp_path),
        },
        "demo",
    )
    assert result.returncode != 0
    assert "not allowed with production settings" in result.stderr


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
