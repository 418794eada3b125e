"""Publishing a proposal: every invitation at once through the invitation service (its
rules and notices), or none; never twice. Matching one ask by hand takes the same road."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pairup.asks.models import Block, CohortRunStatus, Invitation, InvitationStatus, ProposedPair
from pairup.asks.services.cohort import ask_match_by_hand, cohort_run_publish
from pairup.core.errors import Conflict, Forbidden, ServiceError
from pairup.notifications.models import Kind, Notification
from pairup.programs.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(cohort, admin, run_now):
    return run_now(cohort.program, admin)


def test_publishing_invites_each_proposed_mentor_and_tells_both(cohort, admin, run):
    pairs = list(ProposedPair.objects.filter(run=run, mentor__isnull=False))
    invitations = cohort_run_publish(run=run, by=admin)
    assert len(invitations) == len(pairs) == len(cohort.asks)
    for pair in pairs:
        invitation = Invitation.objects.get(ask=pair.ask)
        assert invitation.mentor_id == pair.mentor_id
        assert invitation.status == InvitationStatus.PENDING and invitation.expires_at
        assert invitation.score == pair.score and invitation.reasons == pair.reasons
        assert Notification.objects.filter(user=pair.mentor, kind=Kind.INVITED).exists()
        assert Notification.objects.filter(user=pair.ask.mentee, kind=Kind.REROUTED).exists()
    run.refresh_from_db()
    assert run.status == CohortRunStatus.PUBLISHED and run.published_by == admin
    entry = AuditEntry.objects.get(action="cohort_published")
    assert entry.after == {"invitations": len(pairs), "asks": len(cohort.asks)}


def test_a_second_publish_is_refused_and_invites_nobody_more(cohort, admin, run):
    cohort_run_publish(run=run, by=admin)
    count = Invitation.objects.count()
    with pytest.raises(Conflict) as refused:
        cohort_run_publish(run=run, by=admin)
    assert refused.value.code == "already_published"
    assert Invitation.objects.count() == count
    assert AuditEntry.objects.filter(action="cohort_published").count() == 1


def test_one_pair_refused_now_publishes_nothing_and_names_the_ask_and_rule(cohort, admin, run):
    # After the run, the last ask's mentee blocks their proposed mentor.
    last = ProposedPair.objects.filter(run=run, mentor__isnull=False).order_by("-ask_id").first()
    Block.objects.create(blocker=last.ask.mentee, blocked=last.mentor)
    with pytest.raises(Conflict) as refused:
        cohort_run_publish(run=run, by=admin)
    assert f"ask {last.ask_id}" in refused.value.detail
    assert "a block stands between mentor and mentee" in refused.value.detail
    assert refused.value.detail.startswith("Nothing was published")
    assert not Invitation.objects.exists()
    assert not Notification.objects.filter(kind=Kind.INVITED).exists()
    run.refresh_from_db()
    assert run.status == CohortRunStatus.READY
    assert not AuditEntry.objects.filter(action="cohort_published").exists()


def test_only_admins_publish(cohort, run, mentee):
    with pytest.raises(Forbidden):
        cohort_run_publish(run=run, by=mentee)
    assert not Invitation.objects.exists()


def test_matching_one_ask_by_hand_invites_through_the_same_rules(cohort, admin):
    ask = cohort.asks[0]
    mentor = cohort.mentors[2]
    invitation = ask_match_by_hand(ask=ask, mentor_id=mentor.pk, by=admin)
    assert (invitation.ask, invitation.mentor, invitation.status) == (ask, mentor, "pending")
    entry = AuditEntry.objects.get(action="ask_matched")
    assert entry.actor == admin and entry.after == {"ask": ask.pk, "mentor": mentor.pk}
    # Now waiting on that mentor: a second match is refused as a mentee's would be.
    with pytest.raises(Conflict) as refused:
        ask_match_by_hand(ask=ask, mentor_id=cohort.mentors[3].pk, by=admin)
    assert refused.value.code == "invitation_pending"


def test_matching_by_hand_refuses_a_mentor_the_rules_refuse(cohort, admin):
    ask = cohort.asks[0]
    Membership.objects.filter(user=cohort.mentors[1]).update(
        invitations_paused_until=timezone.now() + timedelta(days=3)
    )
    with pytest.raises(ServiceError) as refused:
        ask_match_by_hand(ask=ask, mentor_id=cohort.mentors[1].pk, by=admin)
    assert refused.value.field == "mentor" and "new asks are paused" in refused.value.detail
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="ask_matched").exists()


def test_only_admins_match_by_hand(cohort, mentee):
    with pytest.raises(Forbidden):
        ask_match_by_hand(ask=cohort.asks[0], mentor_id=cohort.mentors[0].pk, by=mentee)
