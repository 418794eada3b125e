"""Account and profile changes. The only place that writes users, profiles and tokens."""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from pairup.core import limits
from pairup.core.errors import ServiceError
from pairup.core.validators import check_count, clean_text, clean_text_list, listed, text_problem
from pairup.topics.models import Topic

from . import rules
from .models import ApiToken, Expertise, Level, Profile, User, hash_token
from .photos import avatar_jpeg

# Sent inside the deletion's transaction, before the user row goes. Later features connect
# here to withdraw invitations, cancel sessions and tell the other people involved.
account_deleting = Signal()
# Sent once per settings.SIGNIN_ALERT_WINDOW when an account has had
# SIGNIN_ALERT_FAILURES failed sign-ins within it (from any address), with `user`,
# `failures` and `client_ip` (the latest). The notifications app tells the owner.
signin_failures_repeated = Signal()
# Asked with `user` for the topics the programs they belong to offer: the programs app
# (above) answers with a set of topic ids, or None for the site's whole taxonomy.
profile_topics_offered = Signal()

PROFILE_FIELDS = (
    "display_name",
    "headline",
    "bio",
    "timezone",
    "languages",
    "site",
    "tags",
    "manager_email",
)
PROFILE_TEXT = {
    "display_name": limits.DISPLAY_NAME_MAX_LENGTH,
    "headline": limits.HEADLINE_MAX_LENGTH,
    "site": limits.SITE_MAX_LENGTH,
    "bio": limits.BIO_MAX_LENGTH,
}


def _profile_value(name: str, value: object) -> object:
    """One profile field as stored: text cleaned (None clears it), lists deduplicated
    (None empties them), every limit checked."""
    if name in PROFILE_TEXT:
        return clean_text(
            value if value is not None else "",
            field=name,
            max_length=PROFILE_TEXT[name],
            multiline=name == "bio",
        )
    if name == "tags":
        tags = clean_text_list(
            value if value is not None else [],
            field="tags",
            max_items=limits.TAGS_MAX,
            max_length=limits.TAG_MAX_LENGTH,
        )
        return sorted({t.lower() for t in tags if t})
    if name == "languages":
        # The profile form and the API both give a list of language codes.
        codes = cast("list[str]", value if value is not None else [])
        languages = list(dict.fromkeys(codes))
        check_count(languages, field="languages", max_items=limits.LANGUAGES_MAX, what="languages")
        return languages
    if name == "timezone":
        return clean_text(value, field="timezone", max_length=64)
    if name == "manager_email":
        # Compared without case with account emails (the reporting line in matching).
        return clean_text(value if value is not None else "", field=name, max_length=254).lower()
    return value


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None = None,
    password_hash: str | None = None,
    email_verified: bool = False,
) -> User:
    """Create an account as sign-up does: the user (email lower-cased, checked and unique),
    their empty profile and their primary email address, verified or not. Give `password`
    (checked by the password validators, then hashed) or `password_hash` (an already
    hashed password the caller has checked, e.g. one hash shared by every demo account).

    Side effects: none besides the rows; no email is sent (sign-up through allauth sends
    its own confirmation)."""
    if (password is None) == (password_hash is None):
        raise ServiceError("Give a password or a password hash.", field="password")
    user = User(email=User.objects.normalize_email(email).strip().lower())
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
    elif password_hash is not None:
        user.password = password_hash
    user.full_clean()
    user.save()
    address = EmailAddress(user=user, email=user.email, verified=email_verified, primary=True)
    address.full_clean()
    address.save()
    return user


def profile_get(*, user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_topic_ids(user: User) -> set[int] | None:
    """The one answer to which topics `user` may choose on their profile (the forms' choices
    and `profile_update`'s check): what the programs they belong to offer together, and
    whatever they chose before; None (the site's whole taxonomy) when no program says."""
    answers: list[Collection[int]] = [
        cast(Collection[int], answer)
        for _receiver, answer in profile_topics_offered.send(sender=User, user=user)
        if answer is not None
    ]
    if not answers or user.pk is None:
        return None
    ids = {pk for answer in answers for pk in answer}
    ids.update(Expertise.objects.filter(profile__user=user).values_list("topic_id", flat=True))
    ids.update(
        Profile.goals.through.objects.filter(profile__user=user).values_list("topic_id", flat=True)
    )
    return ids


def _topics_by_slug(slugs: Iterable[str], field: str, allowed: set[int] | None) -> dict[str, Topic]:
    wanted = list(dict.fromkeys(slugs))
    # A slug with a control character is unknown; PostgreSQL could not even compare it.
    queryable = [s for s in wanted if isinstance(s, str) and text_problem(s) is None]
    topics = Topic.objects.filter(slug__in=queryable)
    if allowed is None:
        topics = topics.filter(shared=True)
    found = {t.slug: t for t in topics if allowed is None or t.pk in allowed}
    missing = [s for s in wanted if s not in found]
    if missing:
        shared = set(topics.filter(shared=True).values_list("slug", flat=True))
        if all(s in shared for s in missing):
            raise ServiceError(
                f"Not a topic of your programs: {listed(missing)}.",
                code="unknown_topic",
                field=field,
            )
        raise ServiceError(f"Unknown topic: {listed(missing)}.", code="unknown_topic", field=field)
    return found


@transaction.atomic
def profile_update(
    *,
    user: User,
    fields: dict[str, object] | None = None,
    expertise: list[tuple[str, str]] | None = None,
    goals: list[str] | None = None,
) -> Profile:
    """Update a profile. `expertise` is [(topic slug, level)] and replaces the old list,
    `goals` is [topic slug] and replaces the old list; None leaves a part unchanged.
    Validates everything before writing anything."""
    profile = profile_get(user=user)
    for name, value in (fields or {}).items():
        if name not in PROFILE_FIELDS:
            raise ServiceError(f"Unknown profile field {name!r}.", field=name)
        setattr(profile, name, _profile_value(name, value))
    if profile.manager_email and profile.manager_email == user.email.lower():
        raise ServiceError(
            "This is your own email address: give your manager's, or leave it empty.",
            code="own_email",
            field="manager_email",
        )
    profile.full_clean(exclude=["user"])
    allowed = profile_topic_ids(user) if expertise is not None or goals is not None else None
    if expertise is not None:
        check_count(expertise, field="expertise", max_items=limits.EXPERTISE_MAX, what="topics")
        levels = {}
        for slug, level in expertise:
            if level not in Level.values:
                raise ServiceError(
                    f"Level {level!r} is not one of familiar, experienced, expert.",
                    code="invalid_level",
                    field="expertise",
                )
            levels[slug] = level
        topics = _topics_by_slug(levels, "expertise", allowed)
    if goals is not None:
        check_count(goals, field="goals", max_items=limits.GOALS_MAX, what="topics")
        goal_topics = _topics_by_slug(goals, "goals", allowed)
    profile.save()
    if expertise is not None:
        profile.expertise.all().delete()
        Expertise.objects.bulk_create(
            Expertise(profile=profile, topic=topics[slug], level=level)
            for slug, level in levels.items()
        )
    if goals is not None:
        profile.goals.set(goal_topics.values())
    return profile


def _delete_file_after_commit(storage: object, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))  # type: ignore[attr-defined]


@transaction.atomic
def profile_photo_set(*, user: User, photo: UploadedFile) -> Profile:
    """Give a person a profile photo from an upload: checked (at most PHOTO_MAX_BYTES; a
    JPEG, PNG or WebP; no decompression bomb) and redrawn by `photos.avatar_jpeg` as a small
    square JPEG, stored through Django's default storage as `avatars/<random>.jpg`.
    Raises ServiceError (field `photo`) and stores nothing when the upload is refused.

    Side effects: the new file is written; the previous photo's file is deleted after
    commit."""
    data = avatar_jpeg(photo, size=photo.size)
    profile = profile_get(user=user)
    old = profile.photo.name
    profile.photo.save(f"{secrets.token_hex(16)}.jpg", ContentFile(data), save=False)
    profile.save(update_fields=["photo", "updated_at"])
    _delete_file_after_commit(profile.photo.storage, old)
    return profile


@transaction.atomic
def profile_photo_remove(*, user: User) -> Profile:
    """Take a person's photo away (they get their initials avatar again). Side effects: the
    file is deleted after commit."""
    profile = profile_get(user=user)
    old = profile.photo.name
    if old:
        profile.photo = ""
        profile.save(update_fields=["photo", "updated_at"])
        _delete_file_after_commit(profile.photo.storage, old)
    return profile


def profile_welcome_reach(*, user: User, step: str) -> Profile:
    """Remember the first-run guide's step a person has reached (the caller, the guide,
    decides the order), so the home page can send them back to it."""
    profile = profile_get(user=user)
    if profile.welcome_step != step:
        profile.welcome_step = step
        profile.full_clean(exclude=["user"])
        profile.save(update_fields=["welcome_step", "updated_at"])
    return profile


def profile_welcome_finish(*, user: User, now: datetime | None = None) -> Profile:
    """The person finished or left the first-run guide: the home page no longer sends
    them to it. Idempotent (the first time is kept)."""
    profile = profile_get(user=user)
    if profile.welcomed_at is None:
        profile.welcomed_at = now or timezone.now()
        profile.save(update_fields=["welcomed_at", "updated_at"])
    return profile


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a person and everything that is only theirs: profile (and its photo file),
    expertise, memberships, API tokens, email addresses. Side effects: `account_deleting`
    is sent first, so engagements and sessions with other people are withdrawn or cancelled
    and those people told (after commit); the photo's file is deleted after commit."""
    account_deleting.send(sender=User, user=user)
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.photo:
        _delete_file_after_commit(profile.photo.storage, profile.photo.name)
    user.delete()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw value, which is never stored or shown again."""
    raw = ApiToken.new_raw()
    name = clean_text(name, field="name", max_length=limits.TOKEN_NAME_MAX_LENGTH)
    token = ApiToken(user=user, name=name, key_hash=hash_token(raw), hint=raw[-6:])
    token.full_clean()
    token.save()
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user__profile")
        .filter(key_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of `user`'s tokens; 404 for a token that is not theirs."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or not rules.can_revoke_token(user, token):
        from django.http import Http404

        raise Http404("No such token")
    token.delete()


def signin_failure_record(*, login: str, client_ip: str) -> None:
    """Count a failed sign-in against the account `login` names (nothing if none does).

    Side effects: the account's recent failures (a list of timestamps, at most
    SIGNIN_ALERT_FAILURES, in the shared cache for SIGNIN_ALERT_WINDOW); and, when they reach
    SIGNIN_ALERT_FAILURES within the window and the owner has not been told within the last
    window, `signin_failures_repeated` is sent. The guard is `cache.add`, which only one
    worker wins; two workers racing on the list may lose one count, which only delays the
    alert by a failure.
    """
    user = User.objects.filter(email=login.strip().lower()).first()
    if user is None:
        return
    window = settings.SIGNIN_ALERT_WINDOW
    threshold = settings.SIGNIN_ALERT_FAILURES
    now = time.time()
    key = f"pairup:signin-failures:{user.pk}"
    recent = [ts for ts in cache.get(key, []) if ts > now - window]
    recent = [*recent, now][-threshold:]
    cache.set(key, recent, window)
    if len(recent) >= threshold and cache.add(f"pairup:signin-alerted:{user.pk}", now, window):
        signin_failures_repeated.send(
            sender=User, user=user, failures=len(recent), client_ip=client_ip
        )


# ------------------------------------------------------------------- roster imports


@dataclass
class ImportedPerson:
    """The account side of one line of a roster import (programs.roster): profile fields
    to set (those of PROFILE_FIELDS and `manager_email`), and topics to add, by id, to the
    person's expertise (at level experienced) and goals. `profile` is the profile of an
    existing account; None makes a new account for `email`."""

    email: str
    fields: dict[str, object] = field(default_factory=dict)
    add_expertise: list[int] = field(default_factory=list)
    add_goals: list[int] = field(default_factory=list)
    profile: Profile | None = None


IMPORTED_FIELDS = (*PROFILE_FIELDS, "manager_email")


def _imported_profile(profile: Profile, person: ImportedPerson) -> Profile:
    for name, value in person.fields.items():
        if name not in IMPORTED_FIELDS:
            raise ServiceError(f"Unknown profile field {name!r}.", field=name)
        setattr(profile, name, _profile_value(name, value))
    try:
        profile.full_clean(exclude=["user"], validate_unique=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(f"{person.email}: {' '.join(messages)}", field=name) from None
    return profile


@transaction.atomic
def people_import(*, people: Sequence[ImportedPerson]) -> dict[str, User]:
    """Create the accounts and update the profiles of a roster import, in bulk (a few
    statements per table, whatever the number of people). A new account has no usable
    password: its owner sets one from the invitation the importer sends, which also
    confirms the address (accounts.signals), and meets the first-run guide at the first
    sign-in. Every value passes the models' validators; new emails must be free (the
    caller looked them up together; the unique constraint guards against a race).

    Returns the new users by email. Side effects: none besides the rows: the caller sends
    the invitations, after commit."""
    now = timezone.now()
    new = [p for p in people if p.profile is None]
    users: dict[str, User] = {}
    for person in new:
        user = User(email=User.objects.normalize_email(person.email).strip().lower())
        user.password = make_password(None)
        try:
            user.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ServiceError(f"{person.email}: {' '.join(exc.messages)}", field="email") from None
        users[person.email] = user
    User.objects.bulk_create(users.values())
    profiles = {
        person.email: _imported_profile(Profile(user=users[person.email]), person) for person in new
    }
    Profile.objects.bulk_create(profiles.values())
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=False, primary=True)
        for user in users.values()
    )
    changed: list[Profile] = []
    names: set[str] = set()
    for person in people:
        if person.profile is not None and person.fields:
            changed.append(_imported_profile(person.profile, person))
            names.update(person.fields)
    for profile in changed:
        profile.updated_at = now
    if changed:
        Profile.objects.bulk_update(changed, [*sorted(names), "updated_at"])
    expertise, goals = [], []
    for person in people:
        profile = person.profile or profiles[person.email]
        expertise += [
            Expertise(profile=profile, topic_id=t, level=Level.EXPERIENCED)
            for t in person.add_expertise
        ]
        goals += [Profile.goals.through(profile=profile, topic_id=t) for t in person.add_goals]
    Expertise.objects.bulk_create(expertise, ignore_conflicts=True)
    Profile.goals.through.objects.bulk_create(goals, ignore_conflicts=True)
    return users
