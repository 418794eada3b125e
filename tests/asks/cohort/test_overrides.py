"""An admin's changes to a proposal: every hard rule checked (refused with the rule named),
the change of the total shown, and a re-run that keeps the pairs an admin fixed."""

from __future__ import annotations

import pytest

from pairup.asks.models import Block, CohortRunStatus, ProposedPair
from pairup.asks.services.cohort import (
    cohort_pair_fix,
    cohort_pair_release,
    cohort_pair_swap,
    cohort_run_publish,
    cohort_run_rerun,
)
from pairup.core.errors import Conflict, ServiceError
from pairup.programs.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(cohort, admin, run_now):
    return run_now(cohort.program, admin)


def _pair(run, ask):
    return ProposedPair.objects.get(run=run, ask=ask)


def _other_mentor(cohort, pair):
    return next(m for m in cohort.mentors if m.pk != pair.mentor_id)


def test_giving_an_ask_to_another_mentor_fixes_it_and_shows_the_change(cohort, admin, run):
    ask = cohort.asks[0]
    before = _pair(run, ask)
    other = _other_mentor(cohort, before)
    done = cohort_pair_fix(run=run, ask_id=ask.pk, mentor_id=other.pk, by=admin)
    after = _pair(run, ask)
    assert (after.mentor_id, after.fixed_by_admin) == (other.pk, True)
    assert done.score_change == pytest.approx(after.score - before.score, abs=1e-6)
    assert done.score_change < 0  # the engine's pair was the best for the total
    assert after.reasons and after.reasons != before.reasons
    run.refresh_from_db()
    assert run.figures["engine"]["total"] == pytest.approx(
        sum(ProposedPair.objects.filter(run=run).values_list("score", flat=True)), abs=1e-5
    )
    entry = AuditEntry.objects.get(action="cohort_pair_overridden")
    assert entry.actor == admin
    assert entry.before == {"ask": ask.pk, "mentor": before.mentor_id, "score": before.score}
    assert entry.after == {"ask": ask.pk, "mentor": other.pk, "score": after.score}


@pytest.mark.parametrize(
    ("how", "code", "words"),
    [
        ("blocked", "blocked", "a block stands between mentor and mentee"),
        ("pending", "not_approved", "not yet approved as a mentor of this program"),
        ("paused", "paused", "new asks are paused"),
        ("outsider", "not_a_mentor", "not a mentor of this program"),
    ],
)
def test_a_change_that_breaks_a_hard_rule_is_refused_with_the_rule_named(
    cohort, admin, run, outsider, how, code, words
):
    from datetime import timedelta

    from django.utils import timezone

    ask = cohort.asks[0]
    before = _pair(run, ask)
    target = _other_mentor(cohort, before)
    if how == "blocked":
        Block.objects.create(blocker=ask.mentee, blocked=target)
    elif how == "pending":
        target = cohort.pending
    elif how == "paused":
        Membership.objects.filter(user=target).update(
            invitations_paused_until=timezone.now() + timedelta(days=1)
        )
    else:
        target = outsider
    with pytest.raises(ServiceError) as refused:
        cohort_pair_fix(run=run, ask_id=ask.pk, mentor_id=target.pk, by=admin)
    assert refused.value.code == code and refused.value.field == "mentor"
    assert words in refused.value.detail
    after = _pair(run, ask)
    assert (after.mentor_id, after.fixed_by_admin) == (before.mentor_id, False)
    assert not AuditEntry.objects.filter(action="cohort_pair_overridden").exists()


def test_a_change_past_the_mentors_caps_counting_the_proposal_is_refused(cohort, admin, run):
    ask = cohort.asks[0]
    before = _pair(run, ask)
    target = _other_mentor(cohort, before)
    given = ProposedPair.objects.filter(run=run, mentor=target).count()
    Membership.objects.filter(user=target).update(monthly_cap=given)
    with pytest.raises(ServiceError) as refused:
        cohort_pair_fix(run=run, ask_id=ask.pk, mentor_id=target.pk, by=admin)
    assert refused.value.code == "at_cap"
    assert "this proposal gives them" in refused.value.detail


def test_swapping_two_mentors_fixes_both_and_shows_the_change(cohort, admin, run):
    a, b = cohort.asks[0], cohort.asks[1]
    pa, pb = _pair(run, a), _pair(run, b)
    assert pa.mentor_id != pb.mentor_id
    done = cohort_pair_swap(run=run, ask_id=a.pk, other_ask_id=b.pk, by=admin)
    qa, qb = _pair(run, a), _pair(run, b)
    assert (qa.mentor_id, qb.mentor_id) == (pb.mentor_id, pa.mentor_id)
    assert qa.fixed_by_admin and qb.fixed_by_admin
    assert done.score_change == pytest.approx(
        (qa.score + qb.score) - (pa.score + pb.score), abs=1e-6
    )


def test_a_swap_that_breaks_a_rule_changes_nothing(cohort, admin, run):
    a, b = cohort.asks[0], cohort.asks[1]
    pa, pb = _pair(run, a), _pair(run, b)
    Block.objects.create(blocker=pb.mentor, blocked=a.mentee)
    with pytest.raises(ServiceError) as refused:
        cohort_pair_swap(run=run, ask_id=a.pk, other_ask_id=b.pk, by=admin)
    assert refused.value.code == "blocked" and refused.value.field == "other_ask"
    assert (_pair(run, a).mentor_id, _pair(run, b).mentor_id) == (pa.mentor_id, pb.mentor_id)


def test_a_rerun_keeps_the_fixed_pairs_and_matches_the_rest_around_them(
    cohort, admin, run, django_capture_on_commit_callbacks
):
    ask = cohort.asks[0]
    before = _pair(run, ask)
    other = _other_mentor(cohort, before)
    cohort_pair_fix(run=run, ask_id=ask.pk, mentor_id=other.pk, by=admin)
    fixed_score = _pair(run, ask).score
    with django_capture_on_commit_callbacks(execute=True):
        cohort_run_rerun(run=run, by=admin)
    run.refresh_from_db()
    assert run.status == CohortRunStatus.READY
    after = _pair(run, ask)
    assert (after.mentor_id, after.fixed_by_admin, after.score) == (other.pk, True, fixed_score)
    pairs = ProposedPair.objects.filter(run=run)
    assert pairs.count() == len(cohort.asks)
    assert pairs.filter(fixed_by_admin=True).count() == 1
    assert pairs.exclude(ask=ask).filter(mentor__isnull=False).count() == len(cohort.asks) - 1
    assert AuditEntry.objects.filter(action="cohort_rerun").count() == 1


def test_a_released_pair_may_change_in_a_rerun(cohort, admin, run):
    ask = cohort.asks[0]
    pair = _pair(run, ask)
    cohort_pair_fix(run=run, ask_id=ask.pk, mentor_id=pair.mentor_id, by=admin)
    assert _pair(run, ask).fixed_by_admin
    cohort_pair_release(run=run, ask_id=ask.pk, by=admin)
    assert not _pair(run, ask).fixed_by_admin


def test_a_published_proposal_cannot_change(cohort, admin, run):
    cohort_run_publish(run=run, by=admin)
    pair = _pair(run, cohort.asks[0])
    with pytest.raises(Conflict) as refused:
        cohort_pair_fix(run=run, ask_id=pair.ask_id, mentor_id=pair.mentor_id, by=admin)
    assert refused.value.code == "already_published"
    with pytest.raises(Conflict):
        cohort_run_rerun(run=run, by=admin)
