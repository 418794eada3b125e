"""Schemathesis against the live OpenAPI schema (`make fuzz`; CI runs it on PostgreSQL).

The schema is read from /api/v1/openapi.json as served, and every operation is called
in-process through the WSGI application, signed in as the demo mentee with a Bearer token,
so the requests reach past 401. Path parameters are drawn from the demo's real objects as
well as from anything the schema allows, so the endpoints are exercised past 404 too.

The checks: no 5xx, every status documented, the documented content type, and the body
matches the documented schema (the one `Error` component for every error).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import werkzeug
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pairup.accounts.models import User
from pairup.accounts.services import api_token_create
from pairup.asks.models import Ask, Engagement, Invitation
from pairup.sessions.models import Session
from pairup.site.demo import demo_load

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(
        os.environ.get("PAIRUP_FUZZ") != "1", reason="schemathesis runs with `make fuzz`"
    ),
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and generation mode: with ~50 operations this keeps the run to a
# few minutes on two cores. PAIRUP_FUZZ_EXAMPLES raises it for a deeper local run.
MAX_EXAMPLES = int(os.environ.get("PAIRUP_FUZZ_EXAMPLES", "25"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)


def _real_ids(mentee: User) -> dict[str, list[Any]]:
    """Identifiers of objects the mentee may see (or act on), per path parameter name."""
    return {
        "ask_id": list(Ask.objects.filter(mentee=mentee).values_list("pk", flat=True)),
        "invitation_id": list(
            Invitation.objects.filter(ask__mentee=mentee).values_list("pk", flat=True)
        ),
        "engagement_id": list(
            Engagement.objects.filter(mentee=mentee).values_list("pk", flat=True)
        ),
        "session_id": list(
            Session.objects.filter(engagement__mentee=mentee).values_list("pk", flat=True)
        ),
        "mentor_id": list(
            User.objects.filter(email="mentor@demo.pairup").values_list("pk", flat=True)
        ),
        "slug": ["acme-mentoring"],
        "token_id": [],
    }


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    # Django closes the database connection after each request; in a test that would end
    # the test's transaction. Its test client disconnects the same handlers.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(db: None, _keep_connection: None) -> None:
    demo_load()
    mentee = User.objects.get(email="mentee@demo.pairup")
    _, token = api_token_create(user=mentee, name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    real = _real_ids(mentee)
    app = get_wsgi_application()
    # The token works through the same in-process door, so the fuzzing gets past 401.
    me = werkzeug.Client(app).get("/api/v1/me", headers=headers)
    assert (me.status_code, me.json["email"]) == (200, "mentee@demo.pairup")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Schemathesis' own pytest runner does not work with pytest 9 yet, so each operation
    # runs as a Hypothesis test built by schemathesis here, and every failure is collected.
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    only = os.environ.get("PAIRUP_FUZZ_ONLY")  # e.g. "PATCH /api/v1/me/profile"
    operations = [op for op in operations if not only or op.label == only]
    # Revoking tokens may revoke the fuzzer's own: that goes last.
    operations.sort(key=lambda op: op.label.startswith("DELETE /api/v1/auth/tokens/"))

    def signed_in(ctx: Any, response: Any, case: Any) -> bool | None:
        # Every request carries a valid token, so a 401 means the run lost its sign-in
        # (and everything after it would only be "documented 401s").
        if response.status_code == 401:
            raise AssertionError("401 with a valid token: the fuzzer is no longer signed in")
        return None

    calls = itertools.count(1)

    def check(case: Any) -> None:
        # A WSGI server always sets the client's address; the in-process client does not.
        # Each call comes from its own address, so the per-address throttles (tested on
        # their own) do not stop the fuzzer from reaching the code behind them.
        n = next(calls)
        address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        response = case.call_and_validate(
            headers=headers,
            checks=CHECKS,
            additional_checks=[signed_in],
            environ_base={"REMOTE_ADDR": address},
        )
        if os.environ.get("PAIRUP_FUZZ_DEBUG"):
            print(response.status_code, case.path_parameters, case.query, case.body)

    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        runs = [({}, list(HypothesisTestMode))]
        if names:
            # The mentee's own objects, through every phase (past the 404); then any
            # identifier the schema allows, fuzzed.
            known = {name: real[name][0] for name in names if real.get(name)}
            runs = [(known, list(HypothesisTestMode)), ({}, [HypothesisTestMode.FUZZING])]
        for path_parameters, phases in runs:
            test = create_test(
                operation=operation,
                test_func=check,
                config=HypothesisTestConfig(
                    project=schema.config,
                    modes=phases,
                    settings=SETTINGS,
                    override=Override(path_parameters=path_parameters),
                ),
            )
            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:  # every operation's failures
                failures.append(f"{operation.label} {path_parameters or ''}: {exc}")
    assert not failures, f"{len(failures)} failing run(s):\n\n" + "\n\n".join(failures)
