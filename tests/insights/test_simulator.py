"""The policy simulator: a small program's asks replayed under the current policy and a
draft, every figure worked out by hand; the 422s of a draft out of range, on the page and
in the API; only admins (404 for anyone else); and nothing saved until "Save this policy".

The program: three mentors who know SQL, M1 as an expert (topic score 1.0), M2 and M3
familiar with it (0.5); six one-session SQL asks by mentees at Paris, two in each of three
weeks of January 2026. Relevance and availability weigh 0 and the cap is 10, so the
score is the topic score minus load_weight × load / (load + seats).

- Current (load weight 0): M1 scores best every week and has room: all six go to M1.
  Loads (6, 0, 0): Gini (n - 1) / n = 0.6667, top 10 % share 1.0; every pair across sites
  (M1 at London).
- Draft (load weight 5): week 1 as before, both to M1 (load 2 of 2 + 8 seats: 1.0 - 5 ×
  0.2 = 0.0). Week 2: M2 and M3 score 0.5 and tie; the engine's tie-break gives the
  earliest asks the lowest mentor id: both to M2. Week 3: M1 0.0, M2 0.5 - 1.0 < 0 (not
  eligible), M3 0.5: both to M3. Loads (2, 2, 2): Gini 0, top share 2 / 6; M3 is at
  Paris, so 4 of 6 pairs are across sites.
- Draft with a cap of 1 a month (load weight 0): each mentor takes one ask: week 1 M1 and
  M2 (the next best, lowest id), week 2 M3 and nobody, week 3 nobody: 3 matched, 3 not.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from pairup.asks.models import Ask, AskStatus
from pairup.insights.simulation.policy import PolicyDraft, policy_draft
from pairup.insights.simulation.service import simulate
from pairup.programs.models import AuditEntry, Membership, Program
from pairup.topics.models import Topic
from tests.factories import UserFactory, make_mentor
from tests.vector_reads import count_vector_reads

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 23, 12, tzinfo=UTC)
PAGE = "/p/acme/insights/simulator/"
SAVE = "/p/acme/insights/simulator/save/"
API = "/programs/acme/insights/simulation"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def small(program: Program) -> dict[str, object]:
    Program.objects.filter(pk=program.pk).update(
        relevance_weight=0.0,
        topic_weight=1.0,
        availability_weight=0.0,
        load_weight=0.0,
        cross_site_bonus=0.0,
        mentor_monthly_cap=10,
        max_sessions_per_engagement=1,
    )
    program.refresh_from_db()
    m1 = make_mentor(program, topics={"sql": "expert"}, display_name="M1", site="London")
    m2 = make_mentor(program, topics={"sql": "familiar"}, display_name="M2", site="Berlin")
    m3 = make_mentor(program, topics={"sql": "familiar"}, display_name="M3", site="Paris")
    sql = Topic.objects.get(slug="sql")
    asks = []
    for k, day in enumerate((5, 6, 12, 13, 19, 20)):
        mentee = UserFactory(profile_fields={"site": "Paris"})
        Membership.objects.create(program=program, user=mentee, is_mentee=True)
        a = Ask.objects.create(
            program=program, mentee=mentee, question=f"Query {k}", status=AskStatus.OPEN
        )
        Ask.objects.filter(pk=a.pk).update(created_at=datetime(2026, 1, day, 9, tzinfo=UTC))
        a.topics.set([sql])
        asks.append(a)
    return {"program": program, "mentors": (m1, m2, m3), "asks": asks}


def _run(program: Program, **draft: object):
    return simulate(program, policy_draft(program, draft), weeks=3, now=NOW)


def _by_ask(rows, side: str) -> list[str | None]:
    return [getattr(r, side) for r in rows]


def test_raising_the_load_weight_spreads_the_load_and_the_gini_falls(small):
    sim = _run(small["program"], load_weight=5.0)
    assert _by_ask(sim.rows, "current") == ["M1"] * 6
    assert _by_ask(sim.rows, "draft") == ["M1", "M1", "M2", "M2", "M3", "M3"]
    assert sim.changed == 4
    cur, dra = sim.current.as_dict(), sim.draft.as_dict()
    assert (cur["matched"], cur["unmatched"], cur["gini"], cur["top10_share"]) == (
        6,
        0,
        0.6667,
        1.0,
    )
    assert (dra["matched"], dra["unmatched"], dra["gini"], dra["top10_share"]) == (
        6,
        0,
        0.0,
        0.3333,
    )
    assert (cur["cross_site_share"], dra["cross_site_share"]) == (1.0, 0.6667)
    assert sim.current.loads == [6, 0, 0] and sim.draft.loads == [2, 2, 2]
    assert sim.mentors == ["M1", "M2", "M3"]


def test_a_lower_cap_leaves_asks_unmatched(small):
    sim = _run(small["program"], mentor_monthly_cap=1)
    assert _by_ask(sim.rows, "draft") == ["M1", "M2", "M3", None, None, None]
    assert sim.draft.figures.unmatched == 3
    assert sim.draft.figures.unmatched_reasons == {"every eligible mentor is full": 3}
    assert sim.rows[3].draft_why == "every eligible mentor is full"


def test_the_current_policy_as_draft_changes_nothing(small):
    sim = _run(small["program"])
    assert sim.changed == 0
    assert sim.current.as_dict() == sim.draft.as_dict()


def test_asks_outside_the_window_and_drafts_are_not_replayed(small):
    program = small["program"]
    sim = simulate(program, PolicyDraft.of(program), weeks=1, now=NOW)
    assert [r.ask_id for r in sim.rows] == [a.pk for a in small["asks"][4:]]
    Ask.objects.filter(pk=small["asks"][5].pk).update(status=AskStatus.DRAFT)
    sim = simulate(program, PolicyDraft.of(program), weeks=1, now=NOW)
    assert [r.ask_id for r in sim.rows] == [small["asks"][4].pk]


def test_the_page_shows_both_sides_and_marks_the_changed_asks(client, admin, small):
    client.force_login(admin)
    draft = PolicyDraft.of(small["program"]).changes() | {"load_weight": 5, "weeks": 3}
    response = client.get(PAGE, draft)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["figures"][3] == {
        "key": "gini",
        "label": "Load Gini (0 = even)",
        "current": "0.67",
        "draft": "0.00",
        "better": True,
        "direction": "down",
    }
    assert html.count('<tr class="changed">') == 4 + 1  # four asks, and the load weight
    assert response.context["histogram"] == {
        "asks": [0, 1, 2, 3, 4, 5, 6],
        "current": [2, 0, 0, 0, 0, 0, 1],
        "draft": [0, 0, 3, 0, 0, 0, 0],
    }
    assert "Save this policy" in html
    only = client.get(PAGE, {**draft, "changed": "1"})
    assert [r.changed for r in only.context["page"].object_list] == [True] * 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("load_weight", "9", "A weight lies between 0 and 5."),
        ("relevance_weight", "-1", "A weight lies between 0 and 5."),
        ("mentor_monthly_cap", "0", "Choose from 1 to 50."),
        ("weeks", "27", "Choose from 1 to 26 weeks."),
        ("topic_weight", "lots", "Give a number."),
    ],
)
def test_a_draft_out_of_range_is_said_beside_its_field(client, admin, small, field, value, message):
    client.force_login(admin)
    draft = PolicyDraft.of(small["program"]).changes() | {"weeks": 3, field: value}
    response = client.get(PAGE, draft)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{message}</p>' in html
    assert "sim" not in response.context


def test_only_the_programs_admins_open_the_simulator(
    client, api, mentee, mentor, outsider, admin, small
):
    for person in (mentee, mentor, outsider):
        client.force_login(person)
        assert client.get(PAGE, {"weeks": 3}).status_code == 404
        assert client.post(SAVE, {"weeks": 3, "load_weight": 2}).status_code == 404
        assert api(person).post(API, {"load_weight": 2}).status_code == 404
    client.logout()
    assert client.get(PAGE).status_code == 302
    assert api().post(API, {}).status_code == 401


def test_the_api_gives_both_sides_figures(api, admin, small):
    response = api(admin).post(API, {"weeks": 3, "load_weight": 5})
    assert response.status_code == 200
    body = response.json()
    assert (body["weeks"], body["changed"], body["truncated"]) == (3, 4, False)
    assert body["current"]["policy"]["load_weight"] == 0.0
    assert body["draft"]["policy"]["load_weight"] == 5.0
    assert (body["current"]["gini"], body["draft"]["gini"]) == (0.6667, 0.0)
    assert body["draft"]["load_counts"] == {"2": 3}
    assert [a["draft_mentor"] for a in body["asks"]] == ["M1", "M1", "M2", "M2", "M3", "M3"]
    assert [a["ask"] for a in body["asks"]] == [a.pk for a in small["asks"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"load_weight": 5.5}, "load_weight"),
        ({"cross_site_bonus": -0.1}, "cross_site_bonus"),
        ({"matching_objective": "fastest"}, "matching_objective"),
        ({"mentor_monthly_cap": 51}, "mentor_monthly_cap"),
        ({"max_sessions_per_engagement": 4}, "max_sessions_per_engagement"),
        ({"weeks": 0}, "weeks"),
        ({"availability_weight": "much"}, "availability_weight"),
        ({"load_weight": None}, "load_weight"),
    ],
)
def test_the_api_refuses_a_draft_out_of_range_naming_the_field(api, admin, small, payload, field):
    response = api(admin).post(API, payload)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_simulating_saves_nothing(client, api, admin, small):
    program = small["program"]
    before = Program.objects.filter(pk=program.pk).values().get()
    client.force_login(admin)
    assert client.get(PAGE, {"weeks": 3, "load_weight": 5}).status_code == 422  # not whole
    draft = PolicyDraft.of(program).changes() | {"load_weight": 5, "weeks": 3}
    assert client.get(PAGE, draft).status_code == 200
    assert api(admin).post(API, {"load_weight": 5, "mentor_monthly_cap": 2}).status_code == 200
    assert Program.objects.filter(pk=program.pk).values().get() == before
    assert not AuditEntry.objects.filter(program=program).exists()
    assert Ask.objects.filter(program=program, status=AskStatus.OPEN).count() == 6


def test_save_this_policy_goes_through_the_settings_service(client, admin, small):
    program = small["program"]
    client.force_login(admin)
    draft = PolicyDraft.of(program).changes() | {"load_weight": 2.5, "weeks": 3}
    response = client.post(SAVE, draft)
    assert response.status_code == 302
    assert response["Location"].startswith(PAGE + "?weeks=3&")
    program.refresh_from_db()
    assert program.load_weight == 2.5
    entry = AuditEntry.objects.get(program=program, action="program_updated")
    assert (entry.before, entry.after) == ({"load_weight": 0.0}, {"load_weight": 2.5})


def test_save_refuses_a_draft_out_of_range_and_saves_nothing(client, admin, small):
    program = small["program"]
    client.force_login(admin)
    draft = PolicyDraft.of(program).changes() | {"load_weight": 7, "weeks": 3}
    response = client.post(SAVE, draft)
    assert response.status_code == 422
    assert 'id="id_load_weight_error"' in response.content.decode()
    program.refresh_from_db()
    assert program.load_weight == 0.0
    assert not AuditEntry.objects.filter(program=program).exists()


def test_a_program_without_asks_or_mentors_replays_nothing(client, admin, program):
    sim = simulate(program, PolicyDraft.of(program), weeks=8, now=NOW)
    assert (sim.rows, sim.mentors, sim.changed) == ([], [], 0)
    assert sim.current.as_dict()["matched"] == 0 and sim.draft.mean_relevance is None
    client.force_login(admin)
    draft = PolicyDraft.of(program).changes() | {"weeks": 8, "load_weight": 1}
    html = client.get(PAGE, draft).content.decode()
    assert "The program had no asks in these weeks." in html


def test_asks_but_no_mentor_leave_every_ask_unmatched(small):
    Membership.objects.filter(program=small["program"], is_mentor=True).update(
        mentor_status="pending"
    )
    sim = _run(small["program"], load_weight=5.0)
    assert sim.mentors == [] and sim.draft.figures.unmatched == 6
    assert _by_ask(sim.rows, "current") == [None] * 6


@pytest.mark.semantic
def test_a_second_simulation_reads_no_mentor_vector_again(small, monkeypatch):
    """The simulator shares the program's kept semantic index (`records.kept_scope`): a
    second run reads no mentor's vector again and replays the same."""
    from pairup.asks.matching.vectors import mentor_texts
    from pairup.engine.embedding import text_key

    program = small["program"]
    first = _run(program, load_weight=5.0)
    read = count_vector_reads(monkeypatch)

    second = _run(program, load_weight=5.0)

    for side in ("current", "draft"):
        assert _by_ask(second.rows, side) == _by_ask(first.rows, side)
    mentors = {text_key(t) for t in mentor_texts(program, [m.pk for m in small["mentors"]])}
    assert not mentors & set(read)
