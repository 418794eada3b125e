"""Program and membership changes: the only place that writes programs and memberships."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify

from pairup.accounts.models import User
from pairup.core.errors import Conflict, Forbidden, NotFound, ServiceError
from pairup.core.validators import check_count, clean_text, listed, text_problem
from pairup.topics.models import Topic

from . import rules
from .audit import audit_record, changed, snapshot
from .models import Membership, MentorStatus, Pool, Program, RetiredInvite, new_invite_code
from .policy import LABELS, SETTINGS_FIELDS, clean_settings
from .pools import pools_choose
from .queries import Invite, InviteState, invite_lookup, membership_of
from .templates import template_get
from .vetting import services as vetting

# Sent (inside the transaction) when a mentor stops taking asks in a program: paused by an
# admin or left. Asks connects here to withdraw and re-route pending invitations.
mentor_unavailable = Signal()
# Sent (inside the transaction, before the membership goes) when an admin removes a member:
# `membership`, `by`, `now`. Asks connects here: the member's pending invitations are
# withdrawn and re-routed, their engagements in the program closed with a notice to the other
# person, their open asks closed. A receiver returns counts of what it did, by name.
member_removed = Signal()
# Sent (inside the transaction, the status already offboarded) when an admin offboards a
# mentor: `membership`, `by`, `now`. Asks connects here: the engagements still under way with
# them as the mentor in the program are closed with a notice to the mentee (those to hand
# over are handed over before, by asks), their pending invitations withdrawn and re-routed.
# A receiver returns counts of what it did, by name.
mentor_offboarding = Signal()


def program_create(
    *,
    name: str,
    slug: str,
    admin: User,
    template: str = "",
    by: User | None = None,
    **policy: object,
) -> Program:
    """Create a program with `admin` as its first admin, from a template
    (`programs.templates`, its key; "" sets nothing) whose policy `policy` may override.

    `by` is whoever asks for it through a page or the API, refused (Forbidden) unless
    `rules.can_create_program`; None is the operator (the demo, the command line).
    Raises ServiceError on `template` or `slug`, or the field of a bad policy value.

    Side effects: the admin's membership; an audit entry "program_created"."""
    if by is not None and not rules.can_create_program(by):
        raise Forbidden("Only site staff can start a program here.", code="not_allowed")
    chosen = template_get(template) if template else None
    if template and chosen is None:
        raise ServiceError(f"Unknown template {template!r}.", field="template")
    settings = {**(chosen.policy if chosen else {}), **policy}
    # The operator may set other fields as well (the demo's fixed invite codes).
    other = {k: v for k, v in settings.items() if k not in SETTINGS_FIELDS}
    if other and by is not None:
        raise ServiceError(f"Unknown setting {next(iter(other))!r}.", field=next(iter(other)))
    values = clean_settings(
        {"name": name, **{k: v for k, v in settings.items() if k in SETTINGS_FIELDS}}
    )
    slug = slug.strip().lower() if isinstance(slug, str) else slug
    if not isinstance(slug, str) or not slug or len(slug) > 60 or slugify(slug) != slug:
        raise ServiceError(
            "A web address is lower-case letters, digits and dashes, up to 60.", field="slug"
        )
    program = Program(slug=slug, template=chosen.key if chosen else "", **values, **other)
    try:
        program.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == "slug" and Program.objects.filter(slug=slug).exists():
            raise Conflict(
                f"The address {slug} is taken: choose another.", code="slug_taken", field="slug"
            ) from None
        raise ServiceError(" ".join(messages), field=field) from None
    with transaction.atomic():
        program.save()
        Membership.objects.create(program=program, user=admin, is_admin=True)
        audit_record(
            program=program,
            actor=by or admin,
            action="program_created",
            summary=f"Created the program {program.name}"
            + (f" from the template {chosen.name}" if chosen else ""),
            target=program,
            # Invite codes stay out of the log, which every admin reads.
            after=snapshot(
                program,
                [
                    "name",
                    "slug",
                    *(["template"] if chosen else []),
                    *(k for k in values if k != "name"),
                ],
            ),
        )
    return program


def invite_refusal(invite: Invite) -> ServiceError:
    """Why an invite code lets nobody in, as the error every door shows (field `code`)."""
    name = invite.program.name if invite.program is not None else ""
    if invite.state == InviteState.EXPIRED:
        return ServiceError(
            f"This invite link to {name} has expired. Ask the program's admins for a new one.",
            code="invite_expired",
            field="code",
        )
    if invite.state == InviteState.REPLACED:
        return ServiceError(
            f"This invite link to {name} was replaced by a new one. "
            "Ask the program's admins for the new link.",
            code="invite_replaced",
            field="code",
        )
    return ServiceError(
        "No program has this invite code. Check it for typos, or ask for the link again.",
        code="invite_unknown",
        field="code",
    )


@transaction.atomic
def program_join(
    *,
    program: Program,
    user: User,
    as_mentor: bool = False,
    as_mentee: bool = False,
    invite_code: str | None = None,
    pools: Sequence[Pool] | None = None,
    admitted: bool = False,
    now: datetime | None = None,
) -> Membership:
    """Join a program, or add roles in one: a newcomer through its invite code, which must
    be the program's current one and not expired, or without a code when the program is
    open (or `admitted`: the caller let them in through a door of its own that it checked,
    such as an event that takes registrations from anyone with its link); a member adds a
    role without one. A new mentor waits for approval when the
    program vets mentors. `pools`: the member's choice among the program's self-selected
    pools (`pools.pools_choose`; a pool that is not is refused, field `pools`).

    Raises ServiceError on the field `code` (`invite_unknown`, `invite_expired`,
    `invite_replaced`) for a code given that lets nobody in, and Forbidden
    (`invite_required`) for a newcomer to a program that is not open without a code."""
    if invite_code is not None:
        invite = invite_lookup(invite_code, now=now)
        if invite.program is None or invite.program.pk != program.pk:
            raise invite_refusal(Invite(InviteState.UNKNOWN))
        if not invite.valid:
            raise invite_refusal(invite)
    elif (
        not admitted
        and not rules.can_join_without_invite(program)
        and membership_of(user, program) is None
    ):
        raise Forbidden(
            f"{program.name} takes new members through an invite link: ask its admins for one.",
            code="invite_required",
            field="code",
        )
    if not (as_mentor or as_mentee):
        raise ServiceError("Choose to join as a mentor, a mentee or both.", field="role")
    membership, created = Membership.objects.select_for_update().get_or_create(
        program=program, user=user, defaults={"is_mentor": as_mentor, "is_mentee": as_mentee}
    )
    was = (membership.is_mentor, membership.mentor_status) if not created else None
    if not created:
        membership.is_mentor = membership.is_mentor or as_mentor
        membership.is_mentee = membership.is_mentee or as_mentee
    if as_mentor and (created or membership.mentor_status == MentorStatus.PENDING):
        membership.mentor_status = (
            MentorStatus.PENDING if program.mentors_need_approval else MentorStatus.APPROVED
        )
    membership.save()
    if as_mentor and was != (True, membership.mentor_status):
        # A new mentor: into the approval queue, or approved at once (no vetting).
        if membership.mentor_status == MentorStatus.PENDING:
            vetting.application_open(membership=membership, now=now)
        elif membership.mentor_status == MentorStatus.APPROVED:
            vetting.mentor_approved(membership=membership, by=None, now=now or timezone.now())
    if pools is not None and (created or pools):
        pools_choose(membership, pools, user)
    return membership


INVITE_DAYS_MAX = 365


@transaction.atomic
def program_invite_rotate(
    *, program: Program, by: User, valid_days: int | None = None, now: datetime | None = None
) -> Program:
    """Replace a program's invite link with a new one. The old code stops working at once
    and is remembered, so whoever opens the old link is told it was replaced; the new one
    works for `valid_days` days (None: until it is replaced). Only the program's admins.

    Side effects: a RetiredInvite row for the old code."""
    _require_admin(program, by)
    if valid_days is not None and not 1 <= valid_days <= INVITE_DAYS_MAX:
        raise ServiceError(
            f"A link works for 1 to {INVITE_DAYS_MAX} days, or until it is replaced.",
            field="valid_days",
        )
    now = now or timezone.now()
    program = Program.objects.select_for_update().get(pk=program.pk)
    retired = RetiredInvite(program=program, code=program.invite_code, retired_at=now)
    retired.full_clean()
    retired.save()
    program.invite_code = new_invite_code()
    program.invite_expires_at = now + timedelta(days=valid_days) if valid_days else None
    program.full_clean()
    program.save(update_fields=["invite_code", "invite_expires_at"])
    audit_record(
        program=program,
        actor=by,
        action="invite_rotated",
        summary="Replaced the invite link",
        target=program,
        # The codes themselves stay out of the log: it is readable by every admin, and an
        # old code is worthless anyway.
        after={"invite_expires_at": program.invite_expires_at},
        now=now,
    )
    return program


def _require_admin(program: Program, user: User) -> None:
    if not rules.can_admin_program(membership_of(user, program)):
        raise Forbidden("Only this program's admins can do that.")


@transaction.atomic
def membership_set_mentor_status(*, membership: Membership, status: str, by: User) -> Membership:
    """Approve, pause or re-approve a mentor. Only the program's admins may.

    Side effects: a mentor approved from the queue gets the program's onboarding to read
    (when it has one), their application decided, and a notification; one sent back to
    the queue has their application reopened."""
    _require_admin(membership.program, by)
    if not membership.is_mentor:
        raise Conflict("This member is not a mentor.", code="not_a_mentor")
    if status not in MentorStatus.values:
        raise ServiceError(f"Unknown mentor status {status!r}.", field="status")
    if status == MentorStatus.OFFBOARDED:
        # Offboarding settles the engagements under way first (handed over or closed).
        raise Conflict(
            "Offboard a mentor from their member page (or the offboarding endpoint of the "
            "API): their engagements under way are handed over or closed first.",
            code="use_offboarding",
            field="status",
        )
    before = membership.mentor_status
    membership.mentor_status = status
    membership.save(update_fields=["mentor_status"])
    verb = {
        MentorStatus.APPROVED: "Approved",
        MentorStatus.PAUSED: "Paused",
        MentorStatus.PENDING: "Sent back to the approval queue",
        MentorStatus.OFFBOARDED: "Offboarded",
    }[MentorStatus(status)]
    audit_record(
        program=membership.program,
        actor=by,
        action=f"mentor_{status}",
        summary=f"{verb} {membership.user.display_name} as a mentor",
        target=membership,
        before={"mentor_status": before},
        after={"mentor_status": status},
    )
    if before == MentorStatus.PENDING and status != MentorStatus.PENDING:
        # Decided: a mentor now (paused straight away, perhaps).
        vetting.mentor_approved(membership=membership, by=by, now=timezone.now())
        if status == MentorStatus.APPROVED:
            vetting.mentor_approved_notify(membership=membership)
    elif status == MentorStatus.PENDING and before != MentorStatus.PENDING:
        vetting.application_open(membership=membership)
    if status != MentorStatus.APPROVED:
        mentor_unavailable.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def program_leave(*, program: Program, user: User) -> None:
    """Leave a program: pending invitations are withdrawn and re-routed first."""
    membership = Membership.objects.select_for_update().filter(program=program, user=user).first()
    if membership is None:
        raise Conflict("You are not a member of this program.", code="not_a_member")
    if membership.is_mentor:
        mentor_unavailable.send(sender=Membership, membership=membership)
    membership.delete()


# ------------------------------------------------------------------ settings and topics

PROGRAM_TOPICS_MAX = 200
OWN_TOPIC_NAME_MAX_LENGTH = 120


def _topic_slugs(program: Program) -> list[str]:
    return sorted(program.topics.filter(shared=True).values_list("slug", flat=True))


@transaction.atomic
def program_update(*, program: Program, by: User, **changes: object) -> Program:
    """Change a program's settings (`policy.SETTINGS_FIELDS`: name, description, policy,
    matching) and its part of the taxonomy (`topics`: slugs of shared topics, [] for all
    of it). Only its admins. Every value is checked before anything is written: the first
    refusal is raised naming its field, and nothing changes.

    Side effects: one audit entry "program_updated" with the before and after of the
    fields that changed (none when nothing did)."""
    _require_admin(program, by)
    topics = changes.pop("topics", None)
    values = clean_settings(changes)
    wanted: list[Topic] | None = None
    if topics is not None:
        wanted = _shared_topics(topics)
    program = Program.objects.select_for_update().get(pk=program.pk)
    fields = list(values)
    before = snapshot(program, fields)
    if wanted is not None:
        before["topics"] = _topic_slugs(program)
    for name, value in values.items():
        setattr(program, name, value)
    program.full_clean()
    after = snapshot(program, fields)
    if wanted is not None:
        after["topics"] = sorted(t.slug for t in wanted)
    old, new = changed(before, after)
    if not new:
        return program
    program.save(update_fields=[f for f in new if f != "topics"] or None)
    if wanted is not None and "topics" in new:
        own = list(program.topics.filter(shared=False))
        program.topics.set([*own, *wanted])
    labels = ", ".join(LABELS.get(f, f).lower() for f in new)
    audit_record(
        program=program,
        actor=by,
        action="program_updated",
        summary=f"Changed {labels}",
        target=program,
        before=old,
        after=new,
    )
    return program


def _shared_topics(slugs: object) -> list[Topic]:
    if not isinstance(slugs, list | tuple) or any(not isinstance(s, str) for s in slugs):
        raise ServiceError("Give a list of topic slugs.", field="topics")
    wanted = list(dict.fromkeys(slugs))
    check_count(wanted, field="topics", max_items=PROGRAM_TOPICS_MAX, what="topics")
    queryable = [s for s in wanted if text_problem(s) is None]
    found = {t.slug: t for t in Topic.objects.filter(shared=True, slug__in=queryable)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise ServiceError(
            f"Unknown topic: {listed(missing)}.", code="unknown_topic", field="topics"
        )
    return [found[s] for s in wanted]


@transaction.atomic
def program_topic_add(*, program: Program, by: User, name: str, description: str = "") -> Topic:
    """Give a program a topic of its own (e.g. "Our expense tool"), offered in this program
    only, beside its part of the taxonomy. Only its admins; a name the program offers
    already is refused (field `name`).

    Side effects: the topic (not shared), linked to the program; an audit entry."""
    _require_admin(program, by)
    name = clean_text(name, field="name", max_length=OWN_TOPIC_NAME_MAX_LENGTH)
    if not name:
        raise ServiceError("Give the topic a name.", code="required", field="name")
    description = clean_text(description, field="description", max_length=300)
    base = slugify(f"{program.slug} {name}")[:72].strip("-")
    if not slugify(name):
        raise ServiceError("Use letters or digits in the name.", field="name")
    if program.topics.filter(shared=False, name__iexact=name).exists():
        raise Conflict(f"{program.name} has a topic {name} already.", field="name")
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    topic = Topic(slug=slug, name=name, description=description, shared=False)
    topic.full_clean()
    topic.save()
    program.topics.add(topic)
    audit_record(
        program=program,
        actor=by,
        action="topic_added",
        summary=f"Added the program topic {name}",
        target=topic,
        after={"name": name, "description": description},
    )
    return topic


@transaction.atomic
def program_topic_remove(*, program: Program, by: User, slug: str) -> None:
    """Stop offering one of the program's own topics. Asks and profiles that name it keep
    it (nothing is deleted); it is no longer offered for new ones. Only its admins; a slug
    that is not one of the program's own topics is NotFound.

    Side effects: an audit entry."""
    _require_admin(program, by)
    topic = program.topics.filter(shared=False, slug=slug).first()
    if topic is None:
        raise NotFound("This program has no topic of its own by that name.", field="topic")
    program.topics.remove(topic)
    audit_record(
        program=program,
        actor=by,
        action="topic_removed",
        summary=f"Removed the program topic {topic.name}",
        target=topic,
        before={"name": topic.name, "description": topic.description},
    )
