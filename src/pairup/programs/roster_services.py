"""Roster import's writes: the uploads kept between the import page's steps, and the import
itself. (Services, kept in their own module while several branches grow services.py;
they belong in a services/ package once there is one.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from pairup.accounts.models import User
from pairup.accounts.services import ImportedPerson, people_import
from pairup.core.errors import Conflict, Forbidden, ServiceError

from . import rules
from .audit import audit_record
from .matching_stamp import matching_changed
from .models import Membership, MentorStatus, Pool, Program, RosterUpload
from .queries import membership_of
from .roster import (
    COLUMNS,
    UPLOAD_HOURS,
    Problem,
    Progress,
    Sheet,
    guess_mapping,
    read_roster_file,
    resolve_mapping,
)
from .roster_plan import Action, RosterPlan, roster_plan
from .tasks import send_roster_invitations

# Invitations go out in tasks of this many people: a 5,000-line roster queues 50 tasks,
# not 5,000, and one unreachable address does not hold up the rest.
INVITATIONS_PER_TASK = 100


class RosterInvalid(ServiceError):
    """A roster with bad lines: nothing was imported. `problems` lists every one."""

    code = "roster_invalid"

    def __init__(self, plan: RosterPlan):
        lines = plan.bad_lines
        super().__init__(
            f"{plan.file_name}: {lines} bad line{'s' if lines != 1 else ''}; nothing was "
            "imported. Fix them and import the file again.",
            field="file",
        )
        self.plan = plan
        self.problems: list[Problem] = plan.problems


def _require_admin(program: Program, by: User | None) -> None:
    # None is the operator at the command line (`pairup import-roster`).
    if by is not None and not rules.can_admin_program(membership_of(by, program)):
        raise Forbidden("Only this program's admins can import a roster.")


# ----------------------------------------------------------------------------- uploads


def roster_upload_create(
    *, program: Program, by: User, file_name: str, data: bytes, now: datetime | None = None
) -> RosterUpload:
    """Keep an admin's roster file on the server for the import page's next steps, with
    its columns mapped by their names. The file must read as a roster (RosterFileError on
    the field `file` otherwise, and nothing is kept).

    Side effects: uploads past UPLOAD_HOURS, anyone's, are deleted."""
    _require_admin(program, by)
    sheet = read_roster_file(data, file_name)
    now = now or timezone.now()
    upload = RosterUpload(
        program=program,
        uploaded_by=by,
        file_name=sheet.file_name[:200],
        content=data,
        mapping=guess_mapping(sheet.headers),
        created_at=now,
    )
    upload.full_clean()
    with transaction.atomic():
        RosterUpload.objects.filter(created_at__lt=now - timedelta(hours=UPLOAD_HOURS)).delete()
        upload.save()
    return upload


def roster_upload_set_mapping(*, upload: RosterUpload, mapping: Mapping[str, str]) -> RosterUpload:
    """Remember the admin's choice of our column for each header of the file."""
    if any(column and column not in COLUMNS for column in mapping.values()):
        raise ServiceError("Choose one of the roster's columns.", field="mapping")
    upload.mapping = dict(mapping)
    upload.save(update_fields=["mapping"])
    return upload


def roster_upload_sheet(upload: RosterUpload) -> Sheet:
    return read_roster_file(bytes(upload.content), upload.file_name)


# ----------------------------------------------------------------------------- the import


def _pools_ensure(plan: RosterPlan) -> dict[str, int]:
    """The pool id for each of the plan's pool keys, making the pools that do not exist
    yet (by name, case aside; the small lookup the import needs)."""
    missing = [
        Pool(program=plan.program, name=name, kind=kind)
        for name, kind, pool in plan.pools.values()
        if pool is None
    ]
    for pool in missing:
        pool.full_clean(validate_unique=False)
    Pool.objects.bulk_create(missing)
    by_name = {p.name: p.pk for p in Pool.objects.filter(program=plan.program)}
    return {key: by_name[name] for key, (name, _kind, _pool) in plan.pools.items()}


def _roster_write(plan: RosterPlan) -> dict[str, User]:
    """Carry out a checked plan; returns the new accounts by email."""
    program = plan.program
    pools = _pools_ensure(plan)
    changing = [m for m in plan.members if m.action != Action.UNCHANGED]
    people = [
        ImportedPerson(
            email=m.line.email,
            fields=m.profile_fields,
            add_expertise=m.add_expertise,
            add_goals=m.add_goals,
            profile=m.user.profile if m.user is not None else None,
        )
        for m in changing
        if m.new_account or m.profile_fields or m.add_expertise or m.add_goals
    ]
    new_users = people_import(people=people)
    joining: list[tuple[Membership, list[str]]] = []
    updating: list[Membership] = []
    for member in changing:
        roles = member.add_roles
        if member.membership is None:
            user = member.user or new_users[member.line.email]
            membership = Membership(
                program=program,
                user=user,
                is_mentor="mentor" in roles,
                is_mentee="mentee" in roles,
                is_admin="admin" in roles,
                mentor_status=member.mentor_status or MentorStatus.PENDING,
            )
            joining.append((membership, member.add_pools))
        else:
            membership = member.membership
            if roles:
                membership.is_mentor = membership.is_mentor or "mentor" in roles
                membership.is_mentee = membership.is_mentee or "mentee" in roles
                membership.is_admin = membership.is_admin or "admin" in roles
                if member.mentor_status is not None:
                    membership.mentor_status = member.mentor_status
                updating.append(membership)
    Membership.objects.bulk_create([m for m, _ in joining])
    if updating:
        Membership.objects.bulk_update(
            updating, ["is_mentor", "is_mentee", "is_admin", "mentor_status"]
        )
    through = Membership.pools.through
    links = [
        through(membership_id=m.pk, pool_id=pools[key]) for m, keys in joining for key in keys
    ] + [
        through(membership_id=member.membership.pk, pool_id=pools[key])
        for member in changing
        if member.membership is not None
        for key in member.add_pools
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)
    return new_users


@transaction.atomic
def roster_import(
    *,
    program: Program,
    by: User | None,
    sheet: Sheet,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> RosterPlan:
    """Import a roster into `program`, all or nothing: checked again inside this
    transaction (the dry run may be minutes old), then every line written, or none when
    any line is bad (RosterInvalid, listing them all). `by` is the admin importing; None
    is the operator at the command line. Returns the plan that was carried out (its counts:
    created, updated, unchanged, invited).

    Side effects: accounts for new people (accounts.services.people_import); memberships
    created or given roles (a new mentor waits for approval when the program vets
    mentors); pools made and joined; an audit entry "roster_imported" with the counts and
    the file's name; after commit, an email to each new person inviting them to set a
    password and sign in (programs.tasks.send_roster_invitations)."""
    _require_admin(program, by)
    # One import at a time per program: a second waits here and then sees the first's rows.
    program = Program.objects.select_for_update().get(pk=program.pk)
    plan = roster_plan(program=program, sheet=sheet, mapping=mapping, progress=progress)
    if not plan.ok:
        raise RosterInvalid(plan)
    try:
        new_users = _roster_write(plan)
    except IntegrityError:
        # Someone in the file signed up, or was added, between the check and the writes
        # (the database's unique constraints caught it): nothing is written.
        raise Conflict(
            "Someone in this roster joined while it was being imported: import it again.",
            code="roster_changed",
            field="file",
        ) from None
    counts = plan.counts()
    # Memberships, pools and profiles were written in bulk, which sends no signal.
    matching_changed(program.pk)
    audit_record(
        program=program,
        actor=by,
        action="roster_imported",
        summary=(
            f"Imported the roster {plan.file_name}: {counts['created']} added, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged"
        ),
        target=program,
        after={"file": plan.file_name, **counts, "pools_created": plan.new_pools},
    )
    invited = sorted(user.pk for user in new_users.values())
    for start in range(0, len(invited), INVITATIONS_PER_TASK):
        chunk = invited[start : start + INVITATIONS_PER_TASK]
        transaction.on_commit(
            lambda chunk=chunk: send_roster_invitations.enqueue(  # type: ignore[misc]
                program_id=program.pk, user_ids=chunk
            )
        )
    return plan


def roster_import_upload(*, upload: RosterUpload, by: User) -> RosterPlan:
    """Import a kept upload with its mapping, then forget the upload."""
    sheet = roster_upload_sheet(upload)
    with transaction.atomic():
        plan = roster_import(
            program=upload.program,
            by=by,
            sheet=sheet,
            mapping=resolve_mapping(sheet.headers, upload.mapping),
        )
        upload.delete()
    return plan


__all__ = [
    "INVITATIONS_PER_TASK",
    "RosterInvalid",
    "roster_import",
    "roster_import_upload",
    "roster_upload_create",
    "roster_upload_set_mapping",
    "roster_upload_sheet",
]
