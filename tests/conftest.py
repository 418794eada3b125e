"""Personas shared by every test: a mentee, a mentor and an admin of one program, and an
outsider who belongs to another program and must see nothing of the first."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from pairup.accounts.services import api_token_create
from pairup.programs.models import Membership, Program

from .factories import PASSWORD, MembershipFactory, ProgramFactory, UserFactory, make_mentor

# In CI property tests are derandomised (same examples every run): a red CI must mean a
# change broke something. Locally they explore new examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") is None and "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") is None:
        return
    if "django_db_setup" not in request.fixturenames:
        request.getfixturevalue("django_db_setup")
    if connection.vendor != "postgresql":
        if os.environ.get("PAIRUP_REQUIRE_POSTGRES") == "1":
            pytest.fail("PAIRUP_REQUIRE_POSTGRES=1 but this run is not on PostgreSQL")
        pytest.skip("needs PostgreSQL (run `make test-pg`)")


DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def _taxonomy_present(request: pytest.FixtureRequest, django_db_blocker) -> None:
    """The topic taxonomy is data a migration loads; a transactional test's flush wipes it,
    so put it back for whichever test comes next."""
    if request.node.get_closest_marker("django_db") is None and not DB_FIXTURES & set(
        request.fixturenames
    ):
        return
    request.getfixturevalue("django_db_setup")
    from pairup.topics.models import Topic
    from pairup.topics.taxonomy import load_taxonomy

    with django_db_blocker.unblock():
        if not Topic.objects.exists():
            load_taxonomy(Topic)


@pytest.fixture(autouse=True)
def _cache_empty_for_transactional_tests(request: pytest.FixtureRequest, django_db_blocker) -> None:
    """The cache lives in a database table no model owns, so a transactional test's flush
    leaves it behind: allauth's "one confirmation email per address in 3 minutes" set by one
    browser journey would silently swallow the next journey's email. Empty it first."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("django_db_setup")
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _lexical_unless_semantic(request: pytest.FixtureRequest, monkeypatch) -> None:
    """Tests run the lexical relevance unless marked `semantic`: every ask saved would
    otherwise be embedded inline (tasks run inline here) and every suggestion encode the
    program's texts, seconds of CPU across the suite, and the many tests that assert a
    ranking were written for the lexical scores. The semantic tests opt in; they share one
    loaded model per test process (`core.vectors` loads it once), and start with no kept
    semantic index (`core.vectors.KEPT`). The engine's own tests
    (no database) are left to choose for themselves."""
    if "engine" in request.node.nodeid.split("/")[:2]:
        return  # the engine's own tests choose their relevance by argument
    if request.node.get_closest_marker("semantic") is None:
        monkeypatch.setenv("PAIRUP_RELEVANCE", "lexical")
        return
    monkeypatch.setenv("PAIRUP_RELEVANCE", "hybrid")
    from pairup.core.vectors import KEPT, relevance_backend

    # The semantic indexes a process keeps between suggestions start empty in each test, so
    # a test's reads and encodes do not depend on the tests before it.
    KEPT.clear()
    if relevance_backend() is None:
        if os.environ.get("CI"):
            pytest.fail("the sentence-embedding model is not installed (`make install`)")
        pytest.skip("the sentence-embedding model is not installed (`make install`)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing costs ~0.3 s a user; tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings) -> None:
    # Tasks (emails, expiry) run inline in tests, after the transaction commits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory) -> None:
    # Uploaded photos go to a folder of this test run, never to var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def program(db: None) -> Program:
    return ProgramFactory(name="Acme Mentoring", slug="acme")


@pytest.fixture
def other_program(db: None) -> Program:
    return ProgramFactory(name="Globex Mentors", slug="globex")


@pytest.fixture
def mentee(program: Program):
    user = UserFactory(email="mentee@example.org", profile_fields={"display_name": "Sam Mentee"})
    Membership.objects.create(program=program, user=user, is_mentee=True)
    return user


@pytest.fixture
def mentor(program: Program):
    return make_mentor(
        program,
        topics={"negotiating-an-offer": "expert", "sql": "experienced"},
        display_name="Priya Mentor",
        headline="Data scientist",
        site="London",
        languages=["en", "fr"],
    )


@pytest.fixture
def admin(program: Program):
    user = UserFactory(email="admin@example.org", profile_fields={"display_name": "Alex Admin"})
    Membership.objects.create(program=program, user=user, is_admin=True)
    return user


@pytest.fixture
def outsider(other_program: Program):
    user = UserFactory(email="outsider@example.org", profile_fields={"display_name": "Olivia Out"})
    MembershipFactory(program=other_program, user=user, is_mentee=True, is_admin=True)
    return user


class ApiClient:
    """JSON calls to /api/v1 as one person (bearer token) or anonymously."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, raw = api_token_create(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method: str, path: str, data=None, **params):
        fn = getattr(self.client, method)
        if method in {"post", "patch", "put", "delete"} and data is not None:
            return fn(
                f"/api/v1{path}", data=data, content_type="application/json", headers=self.headers
            )
        return fn(f"/api/v1{path}", data=params or None, headers=self.headers)

    def get(self, path: str, **params):
        return self._call("get", path, **params)

    def post(self, path: str, data=None):
        return self._call("post", path, data if data is not None else {})

    def patch(self, path: str, data=None):
        return self._call("patch", path, data)

    def put(self, path: str, data=None):
        return self._call("put", path, data if data is not None else {})

    def delete(self, path: str):
        return self._call("delete", path)


@pytest.fixture
def api():
    def make(user=None) -> ApiClient:
        return ApiClient(user)

    return make
