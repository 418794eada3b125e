"""Conference buddies' pages: the organiser's preview (form the groups, publish them) and
each group's shared thread. A participant who opens the buddies page goes to their thread;
anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError

from . import rules
from .buddies import services
from .buddies.queries import (
    buddy_schedules,
    get_buddy_thread_for_user,
    schedule_groups,
    thread_messages,
    threads_of,
)
from .forms_after import BuddyMessageForm, BuddyThanksForm
from .models import BuddyMessageKind, BuddyThread, Event
from .queries import event_access, get_event_for_organiser


def _buddies_url(event: Event) -> str:
    return reverse("event_buddies", args=[event.slug])


@login_required
def event_buddies(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = event_access(request.user, slug)
    event = access.event
    if not rules.can_form_buddies(access.organiser, event):
        thread = threads_of(event, request.user).first()
        if thread is None:
            raise Http404("No buddies here")
        return redirect(thread)
    draft, published = buddy_schedules(event)
    return render(
        request,
        "events/buddies_preview.html",
        {
            "event": event,
            "draft": draft,
            "published": published,
            "draft_groups": schedule_groups(draft) if draft else [],
            "published_groups": schedule_groups(published) if published else [],
        },
    )


@login_required
@require_POST
def event_buddies_action(request: AuthenticatedHttpRequest, slug: str, action: str) -> HttpResponse:
    access = get_event_for_organiser(request.user, slug)
    event = access.event
    if not rules.can_form_buddies(access.organiser, event) or action not in {"form", "publish"}:
        raise Http404("No such action")
    try:
        if action == "form":
            schedule = services.buddies_form(event=event, by=request.user)
            figures = schedule.figures
            pairs, trios = figures["pairs"], figures["trios"]
            messages.success(
                request,
                f"Buddy groups formed: {pairs} pair{pluralize(pairs)}, {trios} "
                f"trio{pluralize(trios)}, {len(figures['unmatched'])} without a buddy. "
                "Check them, then publish.",
            )
        else:
            services.buddies_publish(event=event, by=request.user)
            messages.success(
                request, "Published: every buddy has their introduction and shared thread."
            )
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect(_buddies_url(event))


def _thread_page(
    request: AuthenticatedHttpRequest,
    thread: BuddyThread,
    message_form: BuddyMessageForm | None = None,
    thanks_form: BuddyThanksForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    items = list(thread_messages(thread))
    thanked = any(
        m.kind == BuddyMessageKind.THANKS and m.author_id == request.user.pk for m in items
    )
    members = list(thread.members.select_related("profile").order_by("pk"))
    return render(
        request,
        "events/buddy_thread.html",
        {
            "event": thread.event,
            "thread": thread,
            "members": members,
            "others": [m for m in members if m.pk != request.user.pk],
            "thread_items": items,
            "is_open": thread.is_open(now),
            "can_thank": rules.can_thank_buddy(request.user, thread, now) and not thanked,
            "message_form": message_form or BuddyMessageForm(),
            "thanks_form": thanks_form or BuddyThanksForm(),
        },
    )


@login_required
def event_buddy_thread(
    request: AuthenticatedHttpRequest, slug: str, thread_id: int
) -> HttpResponse:
    thread = get_buddy_thread_for_user(request.user, slug, thread_id)
    # Checked on each visit: the first one after the conference closes the thread and
    # sends the thank-you prompt, should the cron job not have run yet.
    if thread.closed_at is None and not thread.is_open(timezone.now()):
        services.buddy_thread_close(thread=thread)
        thread.refresh_from_db()
    if request.method != "POST":
        return _thread_page(request, thread)
    if request.POST.get("what") == "thanks":
        thanks_form = BuddyThanksForm(request.POST)
        if thanks_form.is_valid():
            try:
                services.buddy_thanks_send(
                    thread=thread, by=request.user, body=thanks_form.cleaned_data["body"]
                )
            except ServiceError as exc:
                thanks_form.add_service_error(exc)
            else:
                messages.success(request, "Your thank-you is sent.")
                return redirect(thread)
        return _thread_page(request, thread, thanks_form=thanks_form)
    form = BuddyMessageForm(request.POST)
    if form.is_valid():
        try:
            services.buddy_message_post(
                thread=thread, by=request.user, body=form.cleaned_data["body"]
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return redirect(thread.get_absolute_url() + "#thread-end")
    return _thread_page(request, thread, message_form=form)
