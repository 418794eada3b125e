from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from .test_settings import _run


@pytest.mark.django_db
def test_healthz_answers_ok_with_the_database_checked(django_assert_num_queries):
    with django_assert_num_queries(1):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_needs_no_login_no_session_and_no_allowed_host():
    # A load balancer probes the bare address: its Host header is not in ALLOWED_HOSTS.
    response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert "Set-Cookie" not in response
    assert json.loads(response.content)["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/").status_code == 301  # everything else still is


@pytest.mark.django_db
def test_healthz_refuses_writes():
    response = Client().post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert json.loads(response.content)["code"] == "method_not_allowed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_is_503_when_the_database_is_down():
    # Point the connection at a port where no database listens, as when the server is down
    # (SQLite, a file, has no such state).
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        response = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = json.loads(response.content)
    # No error text, host or port leaks to whoever can reach the probe.
    assert body == {"status": "error", "database": "unavailable"}
    assert Client().get("/healthz").status_code == 200  # and it recovers by itself


def test_postgres_connections_persist_with_health_checks_by_default():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    pg = _run({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}, "shell", "-v0", "-c", code)
    assert pg.stdout.split() == ["60", "True"], pg.stderr
    tuned = _run(
        {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_CONN_MAX_AGE": "0"},
        "shell",
        "-v0",
        "-c",
        code,
    )
    assert tuned.stdout.split() == ["0", "True"], tuned.stderr
