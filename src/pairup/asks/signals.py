"""Keep asks and engagements consistent when people leave, pause or delete their account."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pairup.accounts.models import Expertise, Profile
from pairup.accounts.services import account_deleting
from pairup.core.vectors import embeds_on_save
from pairup.programs.models import Membership
from pairup.programs.services import member_removed, mentor_offboarding, mentor_unavailable

from . import services
from .models import AskStatus, Engagement, EngagementStatus
from .tasks import embed_mentor_later


@receiver(account_deleting)
def on_account_deleting(sender: Any, user: Any, **kwargs: Any) -> None:
    # Invitations to this mentor go to the next suggested mentor; engagements with other
    # people are cancelled and the other person told; their own open asks are withdrawn.
    services.invitations_withdraw_for_mentor(mentor=user, why="has left PairUp")
    for engagement in Engagement.objects.filter(status=EngagementStatus.ACTIVE).filter(
        mentee=user
    ) | Engagement.objects.filter(status=EngagementStatus.ACTIVE, mentor=user):
        services.engagement_close(
            engagement=engagement,
            by=user,
            cancel=True,
            reason="The other person deleted their account.",
        )
    for ask in user.asks.filter(status__in=AskStatus.unmatched()):
        services.ask_withdraw(ask=ask, by=user)


@receiver(mentor_unavailable)
def on_mentor_unavailable(sender: Any, membership: Any, **kwargs: Any) -> None:
    services.invitations_withdraw_for_mentor(
        mentor=membership.user, program=membership.program, why="is not taking new asks now"
    )


@receiver(member_removed)
def on_member_removed(sender: Any, membership: Any, now: Any, **kwargs: Any) -> dict[str, int]:
    # In the removing transaction: if anything here fails, the member stays.
    return services.member_departure(user=membership.user, program=membership.program, now=now)


@receiver(mentor_offboarding)
def on_mentor_offboarding(sender: Any, membership: Any, now: Any, **kwargs: Any) -> dict[str, int]:
    # In the offboarding transaction, after any hand-overs: what is left is closed.
    return services.mentor_departure(user=membership.user, program=membership.program, now=now)


# Semantic relevance: a mentor's vectors follow their profile (headline, bio, tags, and the
# topics they know), their becoming a mentor, and their history (a new engagement adds a
# past ask). Each change queues one refresh after commit; it encodes only new texts.

PROFILE_WORDS = {"headline", "bio", "tags"}


@receiver(post_save, sender=Profile)
def on_profile_saved(
    sender: Any, instance: Profile, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and not PROFILE_WORDS & set(update_fields):
        return  # a photo, a welcome step: no words changed
    embed_mentor_later(instance.user_id, only_if_mentor=True)


@receiver(post_save, sender=Expertise)
@receiver(post_delete, sender=Expertise)
def on_expertise_changed(sender: Any, instance: Expertise, **kwargs: Any) -> None:
    # One by one (an admin, a factory); `profile_update` replaces them in bulk after saving
    # the profile, which queued the refresh already.
    if not embeds_on_save():
        return
    user_id = Profile.objects.filter(pk=instance.profile_id).values_list("user_id", flat=True)
    if user_id:
        embed_mentor_later(user_id[0], only_if_mentor=True)


@receiver(post_save, sender=Membership)
def on_membership_saved(sender: Any, instance: Membership, **kwargs: Any) -> None:
    if instance.is_mentor:
        embed_mentor_later(instance.user_id)


@receiver(post_save, sender=Engagement)
def on_engagement_saved(sender: Any, instance: Engagement, created: bool, **kwargs: Any) -> None:
    if created:
        embed_mentor_later(instance.mentor_id)
