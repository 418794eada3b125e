"""Answers to questions the apps below ask (they may not import this one)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import Resolver404, resolve

from pairup.accounts.emails import account_email_programs
from pairup.accounts.models import Profile
from pairup.accounts.services import profile_topics_offered

from .matching_stamp import matching_changed
from .member_queries import member_invitation_lookup
from .models import MatchRule, Membership, Pool, Program
from .queries import member_topic_ids


@receiver(account_email_programs)
def programs_for_account_email(sender: Any, user: Any, next_url: str, **kwargs: Any) -> list[str]:
    """The program a person is joining (their invite link or personal invitation link is
    where sign-up goes next), then the programs they already belong to."""
    names: list[str] = []
    path = urlsplit(next_url).path
    if path.startswith("/"):
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is not None and match.url_name == "program_join":
            joining = Program.objects.filter(invite_code=match.kwargs["code"]).first()
            if joining is not None:
                names.append(joining.name)
        elif match is not None and match.url_name == "member_invitation":
            invite = member_invitation_lookup(match.kwargs["token"])
            if invite.program is not None:
                names.append(invite.program.name)
    if user is not None and user.pk is not None:
        names += [
            name
            for name in Membership.objects.filter(user=user)
            .order_by("program__name")
            .values_list("program__name", flat=True)
            if name not in names
        ]
    return names


@receiver(profile_topics_offered)
def topics_of_member_programs(sender: Any, user: Any, **kwargs: Any) -> set[int] | None:
    """The topics a person's programs offer, for their profile (None: in no program)."""
    return member_topic_ids(user)


# ------------------------------------------------------------- the matching stamp


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=Pool)
@receiver(post_delete, sender=Pool)
@receiver(post_save, sender=MatchRule)
@receiver(post_delete, sender=MatchRule)
def on_matching_row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Who may be matched with whom in the program may have changed: see matching_stamp.
    matching_changed(instance.program_id)


@receiver(m2m_changed, sender=Membership.pools.through)
def on_pool_members_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    # A membership's pools set, or a pool's members added or removed: either side knows
    # its program.
    if action in ("post_add", "post_remove", "post_clear"):
        matching_changed(instance.program_id)


# What of a profile a save may change without touching matching (the photo, the welcome).
NOT_MATCHING = frozenset({"photo", "welcome_step", "welcomed_at", "updated_at"})


@receiver(post_save, sender=Profile)
def on_profile_saved(
    sender: Any, instance: Profile, update_fields: Any = None, **kwargs: Any
) -> None:
    # Languages and the manager (the reporting line) are read by the pair rules, the rest
    # of the profile by the scores.
    if update_fields is not None and set(update_fields) <= NOT_MATCHING:
        return
    matching_changed(
        Membership.objects.filter(user_id=instance.user_id).values_list("program_id", flat=True)
    )
