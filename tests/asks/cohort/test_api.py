"""Cohort matching over the API: the same shapes and errors as the other endpoints, 404 for
anyone but the program's admins (admins of another program included), 422 naming the
field, refusals naming the rule."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pairup.asks.models import Block, CohortRun, Invitation, ProposedPair

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(cohort, admin, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(f"/programs/{cohort.program.slug}/cohort-runs", {})
    assert response.status_code == 202, response.json()
    return response.json()


def test_start_then_read_the_run_its_figures_and_pairs(cohort, admin, api, started):
    assert started["status"] == "queued" and started["program"] == cohort.program.slug
    client = api(admin)
    run = client.get(f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}").json()
    assert run["status"] == "ready" and run["progress"] == 100
    assert run["figures"]["engine"]["matched"] == len(cohort.asks)
    assert {"gini", "top10_share", "cross_site_share"} <= set(run["figures"]["greedy"])
    pairs = client.get(f"/programs/{cohort.program.slug}/cohort-runs/{run['id']}/pairs").json()
    assert pairs["count"] == len(cohort.asks)
    first = pairs["items"][0]
    assert first["mentor"]["display_name"] and first["reasons"] and first["fixed"] is False
    listed = client.get(f"/programs/{cohort.program.slug}/cohort-runs").json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]


def test_fix_swap_and_release_over_the_api(cohort, admin, api, started):
    client = api(admin)
    base = f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}"
    a, b = cohort.asks[0].pk, cohort.asks[1].pk
    pair = ProposedPair.objects.get(run_id=started["id"], ask_id=a)
    other = next(m for m in cohort.mentors if m.pk != pair.mentor_id)
    fixed = client.post(f"{base}/fix", {"ask": a, "mentor": other.pk})
    assert fixed.status_code == 200, fixed.json()
    body = fixed.json()
    assert body["pairs"][0]["mentor"]["id"] == other.pk and body["pairs"][0]["fixed"]
    assert body["score_change"] < 0 and body["run"]["fixed"] == 1
    swapped = client.post(f"{base}/swap", {"ask": a, "other_ask": b})
    assert swapped.status_code == 200, swapped.json()
    assert [p["ask"]["id"] for p in swapped.json()["pairs"]] == sorted([a, b])
    released = client.post(f"{base}/release", {"ask": a})
    assert released.status_code == 200 and released.json()["fixed"] is False


def test_a_refused_fix_is_422_naming_the_field_and_the_rule(cohort, admin, api, started):
    a = cohort.asks[0]
    pair = ProposedPair.objects.get(run_id=started["id"], ask=a)
    other = next(m for m in cohort.mentors if m.pk != pair.mentor_id)
    Block.objects.create(blocker=a.mentee, blocked=other)
    response = api(admin).post(
        f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}/fix",
        {"ask": a.pk, "mentor": other.pk},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "blocked"
    assert body["errors"] == [{"field": "mentor", "message": body["detail"]}]
    assert "a block stands between mentor and mentee" in body["detail"]


def test_bad_input_is_422_naming_the_field(cohort, admin, api, started):
    client = api(admin)
    base = f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}"
    response = client.post(f"{base}/fix", {"ask": "many", "mentor": 1})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ask"
    response = client.post(f"{base}/fix", {"ask": 10**9, "mentor": cohort.mentors[0].pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ask"
    response = client.post(
        f"/programs/{cohort.program.slug}/cohort-rounds",
        {"name": "Past", "deadline": "2001-01-01T00:00:00Z"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "deadline"


def test_publish_once_then_409(cohort, admin, api, started):
    client = api(admin)
    url = f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}/publish"
    first = client.post(url)
    assert first.status_code == 200, first.json()
    assert len(first.json()["invitations"]) == Invitation.objects.count() == len(cohort.asks)
    assert first.json()["run"]["status"] == "published"
    second = client.post(url)
    assert second.status_code == 409 and second.json()["code"] == "already_published"
    assert Invitation.objects.count() == len(cohort.asks)


def test_scores_csv(cohort, admin, api, started):
    response = api(admin).get(
        f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}/scores.csv"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "ask,mentor,score" and len(lines) > len(cohort.asks)


def test_everything_is_404_to_an_admin_of_another_program(cohort, outsider, api, started):
    client = api(outsider)
    slug = cohort.program.slug
    base = f"/programs/{slug}/cohort-runs/{started['id']}"
    ask = cohort.asks[0].pk
    mentor = cohort.mentors[0].pk
    calls = [
        client.get(f"/programs/{slug}/cohort-runs"),
        client.post(f"/programs/{slug}/cohort-runs", {}),
        client.get(base),
        client.get(f"{base}/pairs"),
        client.post(f"{base}/fix", {"ask": ask, "mentor": mentor}),
        client.post(f"{base}/swap", {"ask": ask, "other_ask": cohort.asks[1].pk}),
        client.post(f"{base}/release", {"ask": ask}),
        client.post(f"{base}/rerun"),
        client.post(f"{base}/publish"),
        client.get(f"{base}/scores.csv"),
        client.get(f"/programs/{slug}/cohort-rounds"),
        client.post(f"/programs/{slug}/matches", {"ask": ask, "mentor": mentor}),
    ]
    assert [c.status_code for c in calls] == [404] * len(calls)
    assert calls[2].json()["code"] == "not_found"
    # A run of this program under the outsider's own program's slug is 404 too.
    own = client.get(f"/programs/globex/cohort-runs/{started['id']}")
    assert own.status_code == 404
    assert Invitation.objects.count() == 0 and CohortRun.objects.count() == 1


def test_a_mentee_may_not_use_them_either(cohort, mentee, api, started):
    response = api(mentee).get(f"/programs/{cohort.program.slug}/cohort-runs/{started['id']}")
    assert response.status_code == 404


def test_rounds_open_and_mentees_sign_up(cohort, admin, api):
    deadline = (timezone.now() + timezone.timedelta(days=3)).isoformat()
    created = api(admin).post(
        f"/programs/{cohort.program.slug}/cohort-rounds", {"name": "June", "deadline": deadline}
    )
    assert created.status_code == 201 and created.json()["asks"] == 0
    ask = cohort.asks[0]
    joined = api(ask.mentee).post(f"/cohort-rounds/{created.json()['id']}/asks", {"ask": ask.pk})
    assert joined.status_code == 200 and joined.json()["asks"] == 1
    # Someone else's ask: 404, as any ask they may not see.
    other = api(cohort.asks[1].mentee).post(
        f"/cohort-rounds/{created.json()['id']}/asks", {"ask": ask.pk}
    )
    assert other.status_code == 404


def test_match_one_ask_by_hand(cohort, admin, api):
    ask = cohort.asks[0]
    response = api(admin).post(
        f"/programs/{cohort.program.slug}/matches", {"ask": ask.pk, "mentor": cohort.mentors[0].pk}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["mentor"]["id"] == cohort.mentors[0].pk
    refused = api(admin).post(
        f"/programs/{cohort.program.slug}/matches",
        {"ask": cohort.asks[1].pk, "mentor": cohort.pending.pk},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "mentor"
