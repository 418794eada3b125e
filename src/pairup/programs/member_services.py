"""What a program's admins do to its members: change their roles, remove them, and invite
people by a personal, expiring link (resend, revoke); and the invited person accepting.

Each change is one transaction with its audit entry; emails go out after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from pairup.accounts.emails import listed_names
from pairup.accounts.models import User
from pairup.core import limits
from pairup.core.errors import Conflict, Forbidden, ItemErrors, ServiceError
from pairup.core.quiet import is_quiet

from . import rules
from .audit import audit_record
from .member_queries import ROLES, PersonalInvite, PersonalInviteState, member_invitation_lookup
from .models import (
    MemberInvitation,
    MemberInvitationStatus,
    Membership,
    MentorStatus,
    Program,
    new_invitation_token,
)
from .queries import membership_of
from .services import (
    member_removed,
    membership_set_mentor_status,
    mentor_offboarding,
    mentor_unavailable,
)
from .tasks import send_member_invitation_email
from .vetting import services as vetting


def _require_admin(program: Program, user: User) -> None:
    if not rules.can_admin_program(membership_of(user, program)):
        raise Forbidden("Only this program's admins can do that.")


def clean_roles(roles: Iterable[str], *, field: str = "roles") -> set[str]:
    """The roles asked for, each one of mentor, mentee and admin, at least one."""
    chosen = set(roles)
    unknown = sorted(chosen - set(ROLES))
    if unknown:
        raise ServiceError(
            f"Unknown role {unknown[0]!r}: roles are mentor, mentee and admin.", field=field
        )
    if not chosen:
        raise ServiceError(
            "Choose at least one role (to take someone out of the program, remove them).",
            code="no_role",
            field=field,
        )
    return chosen


def roles_words(roles: Iterable[str]) -> str:
    """ "a mentor", "a mentor and a mentee", "an admin"."""
    return listed_names([f"an {r}" if r == "admin" else f"a {r}" for r in ROLES if r in roles])


def mentor_status_on_joining(program: Program) -> str:
    """A new mentor waits for approval when the program vets its mentors (as joining by the
    program's invite link does, `services.program_join`)."""
    return MentorStatus.PENDING if program.mentors_need_approval else MentorStatus.APPROVED


def _mentor_started(membership: Membership, by: User | None, now: datetime) -> None:
    """A member who just became a mentor: into the approval queue when they wait for
    approval, else approved at once (onboarding due), as `services.program_join` does."""
    if membership.mentor_status == MentorStatus.PENDING:
        vetting.application_open(membership=membership, now=now)
    elif membership.mentor_status == MentorStatus.APPROVED:
        vetting.mentor_approved(membership=membership, by=by, now=now)


def _last_admin_refusal(membership: Membership, field: str) -> Conflict:
    return Conflict(
        f"{membership.user.display_name} is the last admin of {membership.program.name}: "
        "make another member an admin first.",
        code="last_admin",
        field=field,
    )


def _is_last_admin(membership: Membership) -> bool:
    """Whether `membership` is its program's only admin. The admins' rows are locked, so two
    admins taking each other's role at once cannot leave the program with none."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(program_id=membership.program_id, is_admin=True)
        .values_list("pk", flat=True)
    )
    return admins == [membership.pk]


# ---------------------------------------------------------------------------- roles


@transaction.atomic
def member_set_roles(
    *, membership: Membership, roles: Iterable[str], by: User, now: datetime | None = None
) -> Membership:
    """Give a member exactly `roles`. A new mentor waits for approval when the program vets
    mentors; a mentor who stops mentoring has their pending invitations withdrawn and
    re-routed (`mentor_unavailable`); their engagements under way go on. The last admin
    keeps the admin role (409 `last_admin`). Only the program's admins.

    Side effects: an audit entry `member_roles_changed` with the roles before and after."""
    program = membership.program
    _require_admin(program, by)
    chosen = clean_roles(roles)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user__profile", "program")
        .get(pk=membership.pk)
    )
    before = membership.roles
    if membership.is_admin and "admin" not in chosen and _is_last_admin(membership):
        raise _last_admin_refusal(membership, "roles")
    was_mentor = membership.is_mentor
    membership.is_mentor = "mentor" in chosen
    membership.is_mentee = "mentee" in chosen
    membership.is_admin = "admin" in chosen
    status_before = membership.mentor_status
    if membership.is_mentor and not was_mentor:
        membership.mentor_status = mentor_status_on_joining(program)
    if membership.roles == before and membership.mentor_status == status_before:
        return membership
    membership.save(update_fields=["is_mentor", "is_mentee", "is_admin", "mentor_status"])
    after: dict[str, object] = {"roles": membership.roles}
    if membership.is_mentor and not was_mentor:
        after["mentor_status"] = membership.mentor_status
    audit_record(
        program=program,
        actor=by,
        action="member_roles_changed",
        summary=f"Made {membership.user.display_name} {roles_words(membership.roles)}",
        target=membership,
        before={"roles": before},
        after=after,
        now=now,
    )
    if membership.is_mentor and not was_mentor:
        _mentor_started(membership, by, now or timezone.now())
    if was_mentor and not membership.is_mentor:
        mentor_unavailable.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    by: User,
    roles: Iterable[str] | None = None,
    mentor_status: str | None = None,
) -> Membership:
    """Change a member's roles and/or mentor status together (the API's PATCH): both or
    neither. See `member_set_roles` and `services.membership_set_mentor_status`."""
    if mentor_status is not None and mentor_status not in MentorStatus.values:
        raise ServiceError(
            f"A mentor status is one of {', '.join(MentorStatus.values)}.",
            field="mentor_status",
        )
    if mentor_status == MentorStatus.OFFBOARDED and mentor_status != membership.mentor_status:
        raise Conflict(
            "Offboard a mentor through POST /programs/{slug}/members/{member_id}/offboarding: "
            "their engagements under way are handed over or closed first.",
            code="use_offboarding",
            field="mentor_status",
        )
    if roles is not None:
        membership = member_set_roles(membership=membership, roles=roles, by=by)
    if mentor_status is not None and mentor_status != membership.mentor_status:
        if not membership.is_mentor:
            raise Conflict(
                "This member is not a mentor: give them the mentor role first.",
                code="not_a_mentor",
                field="mentor_status",
            )
        membership = membership_set_mentor_status(
            membership=membership, status=mentor_status, by=by
        )
    return membership


# --------------------------------------------------------------------------- removal


def _counted(answers: Sequence[tuple[object, object]]) -> dict[str, int]:
    """The counts the receivers of a signal returned, added up by name."""
    counts: dict[str, int] = {}
    for _receiver, answer in answers:
        if isinstance(answer, dict):
            for key, value in answer.items():
                counts[key] = counts.get(key, 0) + int(value)
    return counts


@dataclass(frozen=True)
class MemberRemoval:
    """What removing a member did, for the admin's message and the API."""

    name: str
    invitations_rerouted: int = 0
    engagements_closed: int = 0
    asks_closed: int = 0


@transaction.atomic
def member_remove(
    *, membership: Membership, by: User, now: datetime | None = None
) -> MemberRemoval:
    """Take a member out of the program, in one transaction: `member_removed` lets asks
    withdraw and re-route the invitations waiting on them, close their engagements here
    (the other person told why) and close their open asks; then the membership goes. The
    last admin stays (409 `last_admin`). Only the program's admins (an admin may remove
    themself while another admin remains).

    Side effects: an audit entry `member_removed` with the member as they were and what was
    closed."""
    program = membership.program
    _require_admin(program, by)
    now = now or timezone.now()
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user__profile", "program")
        .get(pk=membership.pk)
    )
    if membership.is_admin and _is_last_admin(membership):
        raise _last_admin_refusal(membership, "member")
    user = membership.user
    counts = _counted(member_removed.send(sender=Membership, membership=membership, by=by, now=now))
    removal = MemberRemoval(
        name=user.display_name,
        invitations_rerouted=counts.get("invitations_rerouted", 0),
        engagements_closed=counts.get("engagements_closed", 0),
        asks_closed=counts.get("asks_closed", 0),
    )
    audit_record(
        program=program,
        actor=by,
        action="member_removed",
        summary=f"Removed {user.display_name} from the program",
        target=membership,
        before={
            "user": user.pk,
            "email": user.email,
            "roles": membership.roles,
            "mentor_status": membership.mentor_status if membership.is_mentor else None,
        },
        after={
            "invitations_rerouted": removal.invitations_rerouted,
            "engagements_closed": removal.engagements_closed,
            "asks_closed": removal.asks_closed,
        },
        now=now,
    )
    membership.delete()
    return removal


# ---------------------------------------------------------------------- offboarding


@dataclass(frozen=True)
class MentorOffboarding:
    """What offboarding a mentor did here (hand-overs, done before by asks, are not in it)."""

    name: str
    invitations_rerouted: int = 0
    engagements_closed: int = 0


@transaction.atomic
def mentor_offboard(
    *, membership: Membership, by: User, now: datetime | None = None
) -> MentorOffboarding:
    """Stop a mentor taking asks in the program for good (mentor status offboarded; an
    admin may approve them again later), in one transaction: `mentor_offboarding` lets asks
    close the engagements still under way with them as the mentor here (the mentee told
    why, sessions ahead cancelled) and withdraw and re-route the invitations waiting on
    them. To hand engagements over to other mentors instead, asks
    (`asks.services.handover.mentor_offboard_handing_over`) does that first, in the same
    transaction, then calls this. Their own asks and engagements as a mentee go on. Only
    the program's admins; 409 `not_a_mentor`, `already_offboarded`.

    Side effects: an audit entry `mentor_offboarded` with the status before and what was
    closed."""
    program = membership.program
    _require_admin(program, by)
    now = now or timezone.now()
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user__profile", "program")
        .get(pk=membership.pk)
    )
    name = membership.user.display_name
    if not membership.is_mentor:
        raise Conflict(f"{name} is not a mentor here.", code="not_a_mentor")
    if membership.mentor_status == MentorStatus.OFFBOARDED:
        raise Conflict(f"{name} was offboarded already.", code="already_offboarded")
    before = membership.mentor_status
    membership.mentor_status = MentorStatus.OFFBOARDED
    membership.save(update_fields=["mentor_status"])
    counts = _counted(
        mentor_offboarding.send(sender=Membership, membership=membership, by=by, now=now)
    )
    mentor_unavailable.send(sender=Membership, membership=membership)
    done = MentorOffboarding(
        name=name,
        invitations_rerouted=counts.get("invitations_rerouted", 0),
        engagements_closed=counts.get("engagements_closed", 0),
    )
    audit_record(
        program=program,
        actor=by,
        action="mentor_offboarded",
        summary=f"Offboarded {name} as a mentor",
        target=membership,
        before={"mentor_status": before},
        after={
            "mentor_status": MentorStatus.OFFBOARDED.value,
            "invitations_rerouted": done.invitations_rerouted,
            "engagements_closed": done.engagements_closed,
        },
        now=now,
    )
    return done


# ------------------------------------------------------------------- invitations


def _valid_days(valid_days: int | None) -> int:
    if valid_days is None:
        return limits.MEMBER_INVITE_DAYS_DEFAULT
    if not 1 <= valid_days <= limits.MEMBER_INVITE_DAYS_MAX:
        raise ServiceError(
            f"An invitation works for 1 to {limits.MEMBER_INVITE_DAYS_MAX} days.",
            field="valid_days",
        )
    return valid_days


def _address(line: str) -> str:
    """The address of one pasted line: "ana@example.org", or "Ana Lima <ana@example.org>"
    as mail programs copy it, a trailing comma or semicolon dropped."""
    text = line.strip().rstrip(",;").strip()
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1].strip()
    return text.lower()


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("member_invitation", kwargs={"token": token})


def _send(invitation: MemberInvitation, token: str, by: User) -> None:
    """Queue the invitation's email after commit (nothing goes out if the change rolls back,
    nor in the demo's quiet set-up)."""
    if is_quiet():
        return
    program = invitation.program
    until = invitation.expires_at.astimezone(UTC)
    about = f"\n{program.description.strip()}\n" if program.description.strip() else ""
    body = (
        f"Hello,\n\n{by.display_name} invites you to join {program.name} on PairUp as "
        f"{roles_words(invitation.roles)}.\n{about}\n"
        "PairUp is micro-mentoring: one precise question, the right mentor, a short session.\n\n"
        f"Join here (the link is personal: it works once, for {invitation.email}, until "
        f"{until.day} {until:%B %Y}, {until:%H:%M} UTC):\n{invitation_link(token)}\n\n"
        "If you did not expect this, ignore this email: nothing happens unless you open the "
        f"link.\n\nPairUp · mentoring for {program.name}\n{settings.SITE_URL}\n"
    )
    payload = {
        "to": invitation.email,
        "subject": f"{by.display_name} invites you to {program.name}",
        "body": body,
    }
    transaction.on_commit(lambda: send_member_invitation_email.enqueue(**payload))


@transaction.atomic
def member_invite(
    *,
    program: Program,
    emails: Sequence[str],
    roles: Iterable[str],
    by: User,
    valid_days: int | None = None,
    now: datetime | None = None,
) -> list[MemberInvitation]:
    """Invite people to join with `roles`, each by a personal link emailed to them that works
    for `valid_days` days. `emails` are one address each (blank ones skipped): one person,
    or a pasted list. Every item is checked first (an address; not twice; not a member
    already; no invitation still waiting); if any is wrong, ItemErrors names each one by
    its position and nothing is written or sent. An expired invitation to the same address
    is renewed. Only the program's admins.

    Side effects: per invitation an audit entry `member_invited` and, after commit, its
    email."""
    _require_admin(program, by)
    chosen = clean_roles(roles)
    days = _valid_days(valid_days)
    now = now or timezone.now()
    given = [(i, _address(line)) for i, line in enumerate(emails) if line.strip()]
    if not given:
        raise ServiceError("Give at least one email address.", code="no_email", field="emails")
    if len(given) > limits.MEMBER_INVITES_MAX:
        raise ServiceError(
            f"Invite at most {limits.MEMBER_INVITES_MAX} people at once.",
            code="too_many",
            field="emails",
        )
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i, email in given:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append((i, f"“{emails[i].strip()[:100]}” is not an email address."))
            continue
        if email in seen:
            problems.append((i, f"{email} is listed twice."))
            continue
        seen[email] = i
    members = set(
        Membership.objects.filter(program=program)
        .annotate(address=Lower("user__email"))
        .filter(address__in=list(seen))
        .values_list("address", flat=True)
    )
    open_invitations = {
        inv.email: inv
        for inv in MemberInvitation.objects.select_for_update().filter(
            program=program, email__in=list(seen), accepted_at=None, revoked_at=None
        )
    }
    for email, i in seen.items():
        if email in members:
            problems.append((i, f"{email} is already a member."))
        elif email in open_invitations and open_invitations[email].expires_at > now:
            problems.append(
                (i, f"{email} has an invitation waiting for an answer: resend that one.")
            )
    if problems:
        problems.sort()
        n = len(problems)
        raise ItemErrors(
            f"Nothing was sent: {n} address{'es' if n > 1 else ''} to fix.",
            code="invalid_emails",
            field="emails",
            items=problems,
        )
    invited = []
    for email in seen:
        token, token_hash = new_invitation_token()
        invitation = open_invitations.get(email) or MemberInvitation(
            program=program, email=email, created_at=now, times_sent=0
        )
        invitation.token_hash = token_hash
        invitation.is_mentor = "mentor" in chosen
        invitation.is_mentee = "mentee" in chosen
        invitation.is_admin = "admin" in chosen
        invitation.invited_by = by
        invitation.sent_at = now
        invitation.times_sent += 1
        invitation.expires_at = now + timedelta(days=days)
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:  # another admin invited the same address at this moment
            raise Conflict(
                f"{email} was invited by someone else just now: nothing was sent.",
                code="already_invited",
                field="emails",
            ) from None
        audit_record(
            program=program,
            actor=by,
            action="member_invited",
            summary=f"Invited {email} as {roles_words(chosen)}",
            target=invitation,
            after={"email": email, "roles": invitation.roles, "expires_at": invitation.expires_at},
            now=now,
        )
        _send(invitation, token, by)
        invited.append(invitation)
    return invited


def _lock_open(invitation: MemberInvitation, now: datetime, doing: str) -> MemberInvitation:
    invitation = (
        MemberInvitation.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=invitation.pk)
    )
    status = invitation.status_at(now)
    if status in (MemberInvitationStatus.ACCEPTED, MemberInvitationStatus.REVOKED):
        raise Conflict(
            f"This invitation was {status.label.lower()} already: there is nothing to {doing}.",
            code="invitation_closed",
        )
    return invitation


@transaction.atomic
def member_invitation_resend(
    *,
    invitation: MemberInvitation,
    by: User,
    valid_days: int | None = None,
    now: datetime | None = None,
) -> MemberInvitation:
    """Send a waiting or expired invitation again, with a new link that works for
    `valid_days` days; the link sent before stops working. Only the program's admins.

    Side effects: an audit entry `invitation_resent`, the email after commit."""
    _require_admin(invitation.program, by)
    days = _valid_days(valid_days)
    now = now or timezone.now()
    invitation = _lock_open(invitation, now, "send")
    if (
        Membership.objects.filter(program=invitation.program)
        .annotate(address=Lower("user__email"))
        .filter(address=invitation.email)
        .exists()
    ):
        raise Conflict(f"{invitation.email} is a member already.", code="already_member")
    before = {"expires_at": invitation.expires_at}
    token, invitation.token_hash = new_invitation_token()
    invitation.sent_at = now
    invitation.times_sent += 1
    invitation.expires_at = now + timedelta(days=days)
    invitation.save(update_fields=["token_hash", "sent_at", "times_sent", "expires_at"])
    audit_record(
        program=invitation.program,
        actor=by,
        action="invitation_resent",
        summary=f"Sent the invitation to {invitation.email} again",
        target=invitation,
        before=before,
        after={"expires_at": invitation.expires_at},
        now=now,
    )
    _send(invitation, token, by)
    return invitation


@transaction.atomic
def member_invitation_revoke(
    *, invitation: MemberInvitation, by: User, now: datetime | None = None
) -> MemberInvitation:
    """Take back an invitation not accepted yet: its link stops working at once. Only the
    program's admins.

    Side effects: an audit entry `invitation_revoked`."""
    _require_admin(invitation.program, by)
    now = now or timezone.now()
    invitation = _lock_open(invitation, now, "revoke")
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        program=invitation.program,
        actor=by,
        action="invitation_revoked",
        summary=f"Revoked the invitation to {invitation.email}",
        target=invitation,
        before={"revoked_at": None},
        after={"revoked_at": now},
        now=now,
    )
    return invitation


def personal_invite_refusal(invite: PersonalInvite) -> ServiceError:
    """Why a personal invitation link lets nobody in, as every door shows it (field
    `token`)."""
    name = invite.program.name if invite.program is not None else ""
    if invite.state == PersonalInviteState.EXPIRED:
        return ServiceError(
            f"This invitation to {name} has expired. Ask the program's admins to send it again.",
            code="invite_expired",
            field="token",
        )
    if invite.state == PersonalInviteState.REVOKED:
        return ServiceError(
            f"This invitation to {name} was taken back by the program's admins.",
            code="invite_revoked",
            field="token",
        )
    if invite.state == PersonalInviteState.ACCEPTED:
        return Conflict(
            f"This invitation to {name} was accepted already: a link joins once.",
            code="invite_used",
            field="token",
        )
    return ServiceError(
        "No invitation has this link. It may have been sent again since (use the newest "
        "email), or cut off in the message you got.",
        code="invite_unknown",
        field="token",
    )


def masked_email(email: str) -> str:
    """ "a•••@example.org": enough for its owner to recognise, not for anyone to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def owns_address(user: User, email: str) -> bool:
    """Whether `email` is `user`'s: their sign-in address or another one they verified."""
    return (
        user.email.lower() == email.lower()
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


@transaction.atomic
def member_invitation_accept(*, token: str, user: User, now: datetime | None = None) -> Membership:
    """Join the invitation's program with its roles (added to any the person has there): a
    link works once, until it expires, for the person signed in with the address it was
    sent to. A new mentor waits for approval when the program vets mentors.

    Raises the refusal of `personal_invite_refusal` for a link that no longer works, and
    Forbidden (`invite_other_address`) for someone signed in with another address.
    Side effects: an audit entry `invitation_accepted` (by the person who joined)."""
    now = now or timezone.now()
    found = member_invitation_lookup(token, now=now)
    if not found.valid or found.invitation is None:
        raise personal_invite_refusal(found)
    invitation = (
        MemberInvitation.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=found.invitation.pk)
    )
    if invitation.status_at(now) != MemberInvitationStatus.PENDING:
        raise personal_invite_refusal(member_invitation_lookup(token, now=now))
    if not owns_address(user, invitation.email):
        raise Forbidden(
            f"This invitation was sent to {masked_email(invitation.email)}. Sign in with that "
            "address to accept it.",
            code="invite_other_address",
            field="token",
        )
    program = invitation.program
    membership, created = Membership.objects.select_for_update().get_or_create(
        program=program,
        user=user,
        defaults={
            "is_mentor": invitation.is_mentor,
            "is_mentee": invitation.is_mentee,
            "is_admin": invitation.is_admin,
            "mentor_status": mentor_status_on_joining(program),
        },
    )
    before = None if created else {"roles": membership.roles}
    new_mentor = invitation.is_mentor and (created or not membership.is_mentor)
    if not created:
        if new_mentor:
            membership.mentor_status = mentor_status_on_joining(program)
        membership.is_mentor = membership.is_mentor or invitation.is_mentor
        membership.is_mentee = membership.is_mentee or invitation.is_mentee
        membership.is_admin = membership.is_admin or invitation.is_admin
        membership.save(update_fields=["is_mentor", "is_mentee", "is_admin", "mentor_status"])
    if new_mentor:
        _mentor_started(membership, None, now)
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        program=program,
        actor=user,
        action="invitation_accepted",
        summary=f"{user.display_name} joined as {roles_words(membership.roles)} through "
        f"the invitation sent to {invitation.email}",
        target=membership,
        before=before,
        after={"roles": membership.roles},
        now=now,
    )
    return membership
