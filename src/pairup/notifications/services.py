"""Notifications: an in-app notice for every step, and an email unless muted. Emails go out
after the transaction commits (a rolled-back change sends nothing), through a task."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from pairup.accounts.models import User
from pairup.core.humanize import shorten
from pairup.core.quiet import is_quiet
from pairup.core.validators import one_line

from .models import EmailMute, Kind, Notification
from .tasks import send_notification_email


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a notification's email."""

    filename: str
    content: bytes
    mimetype: str

    def payload(self) -> dict[str, str]:
        # Task arguments are JSON: the bytes travel as base64.
        return {
            "filename": self.filename,
            "content": base64.b64encode(self.content).decode(),
            "mimetype": self.mimetype,
        }


UNSUBSCRIBE_SALT = "pairup.notifications.unsubscribe"


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "notifications_unsubscribe", args=[unsubscribe_token(user, kind)]
    )


SUBJECT_MAX_LENGTH = 120  # before the "[PairUp] " prefix
TEXT_MAX_LENGTH = 300  # Notification.text


def notify(
    *,
    user: User,
    kind: str,
    text: str,
    url: str,
    email_body: str = "",
    ref: str = "",
    attachment: Attachment | None = None,
) -> Notification:
    """Record an in-app notification; queue its email after commit unless `kind` is muted
    or this runs inside `pairup.core.quiet.quietly()`. `url` is the page it is about (a path
    on this site): every notice opens it and every email links back to it on SITE_URL.
    Text too long for the subject or the notice is cut at a word, with an ellipsis. `ref`
    names what the notice is about, for `notifications_withdraw` when that changes.
    `attachment` goes with the email (a monthly report's PDF), never in the app."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"a notification links to a page of this site, not {url!r}")
    notification = Notification.objects.create(
        user=user, kind=kind, text=shorten(text, TEXT_MAX_LENGTH), url=url, ref=ref
    )
    if is_quiet():
        return notification
    if not EmailMute.objects.filter(user=user, kind=kind).exists() and user.is_active:
        body = email_body or text
        link = settings.SITE_URL + url
        payload: dict[str, Any] = {
            "to": user.email,
            "subject": shorten(one_line(text), SUBJECT_MAX_LENGTH),
            "body": f"{body}\n\nOpen it in PairUp: {link}\n",
            "unsubscribe": unsubscribe_url(user, kind),
            "kind_label": Kind(kind).label,
        }
        if attachment is not None:
            payload["attachment"] = attachment.payload()
        transaction.on_commit(lambda: send_notification_email.enqueue(**payload))
    return notification


def notifications_withdraw(*, ref: str) -> int:
    """Remove the in-app notices filed under `ref`, read or not, because what they say no
    longer holds (a reminder of a session that moved or was cancelled). Emails that went
    out already stay sent. Returns how many were removed."""
    if not ref:
        raise ValueError("withdraw needs a ref: notices without one are never withdrawn")
    deleted, _ = Notification.objects.filter(ref=ref).delete()
    return deleted


def email_mute_set(*, user: User, kind: str, muted: bool) -> None:
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if muted:
        EmailMute.objects.get_or_create(user=user, kind=kind)
    else:
        EmailMute.objects.filter(user=user, kind=kind).delete()


def email_mutes_replace(*, user: User, kinds: list[str]) -> None:
    with transaction.atomic():
        EmailMute.objects.filter(user=user).exclude(kind__in=kinds).delete()
        for kind in kinds:
            email_mute_set(user=user, kind=kind, muted=True)


def unsubscribe(token: str) -> tuple[User, str] | None:
    """Mute the kind named by a signed unsubscribe token; None when the token is bad."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or data.get("k") not in Kind.values:
        return None
    email_mute_set(user=user, kind=data["k"], muted=True)
    return user, data["k"]


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
