"""The demo's optional self-identification: Acme's admin asks two questions, and most
members answer them with consent, so that the insights dashboard's DEI section has groups to
show and some to hide. Answers are given through the member's own service, dated two months
back, as people would have answered when they joined: the DEI release counts only members
and answers from before the current month."""

from __future__ import annotations

from datetime import datetime, timedelta

from pairup.accounts.models import User
from pairup.programs.identity import PREFER_NOT, identity_answers_save, identity_field_create
from pairup.programs.models import Membership, Program

# The members' history starts at most this long ago (demo_data's oldest past engagement
# is 160 days back).
JOINED_DAYS_AGO = 170


def demo_identity(program: Program, admin: User, now: datetime) -> None:
    """Two questions in `program`, and answers from most members: a deterministic pattern
    with a small group (hidden on the dashboard), a few "prefer not to say" and some who did
    not answer."""
    gender = identity_field_create(
        program=program,
        by=admin,
        label="Gender",
        options=["Woman", "Man", "Non-binary"],
        prefer_not_to_say=True,
    )
    first_gen = identity_field_create(
        program=program,
        by=admin,
        label="First in your family at university",
        options=["Yes", "No"],
        prefer_not_to_say=True,
    )
    # Memberships were written at load time; the people in the demo's history were members
    # when it began. No service dates a membership: set it directly, as a roster would.
    joined = now - timedelta(days=JOINED_DAYS_AGO)
    Membership.objects.filter(program=program).update(joined_at=joined)
    woman, man, non_binary = (str(o.pk) for o in gender.options.all())
    yes, no = (str(o.pk) for o in first_gen.options.all())
    answered = now - timedelta(days=60)
    members = Membership.objects.filter(program=program).order_by("pk")
    for i, membership in enumerate(members):
        if i % 20 == 19:
            continue  # one in twenty does not answer
        g = i % 20
        # Non-binary: one in forty, a group of fewer than 5 in the demo (hidden whole).
        rare = non_binary if i % 40 == 17 else PREFER_NOT
        chosen_gender = woman if g < 9 else man if g < 17 else rare
        chosen_first = "" if i % 7 == 0 else yes if i % 3 == 0 else no
        identity_answers_save(
            membership=membership,
            consent=True,
            answers={gender.pk: chosen_gender, first_gen.pk: chosen_first},
            now=answered,
        )
