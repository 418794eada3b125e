"""Answers to questions the apps below ask (they may not import this one)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.dispatch import receiver
from django.urls import Resolver404, resolve

from pairup.accounts.emails import account_email_programs
from pairup.accounts.services import profile_topics_offered

from .member_queries import member_invitation_lookup
from .models import Membership, Program
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
