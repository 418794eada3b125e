"""The engagement page: thread, resources, contact, wrap-up (close, feedback, thanks), and the mentor placing thanks on their profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks import queries, rules, services
from pairup.asks.forms import (
    BodyForm,
    CancelForm,
    CompleteForm,
    MenteeFeedbackForm,
    MentorFeedbackForm,
    ResourceForm,
)
from pairup.asks.models import (
    Engagement,
    Feedback,
    ThankYou,
)
from pairup.asks.services.wrapup import sessions_ahead_words
from pairup.core.errors import ServiceError


def _engagement_page(
    request: AuthenticatedHttpRequest,
    engagement: Engagement,
    forms: dict[str, object] | None = None,
) -> HttpResponse:
    user = request.user
    role = engagement.role_of(user)
    other = engagement.other(user)
    feedback: dict[str | None, Feedback] = {
        f.role: f
        for f in Feedback.objects.select_related("engagement").filter(engagement=engagement)
    }
    mine = feedback.get(role)
    theirs = feedback.get("mentor" if role == "mentee" else "mentee")
    thanks = ThankYou.objects.select_related("engagement").filter(engagement=engagement).first()
    now = timezone.now()
    times = queries.session_times(engagement, now)
    context = {
        "engagement": engagement,
        "ask": engagement.ask,
        "role": role,
        "other": other,
        "thread": list(queries.thread(engagement)),
        "resources": list(engagement.resources.select_related("author__profile")),
        "my_feedback": mine,
        "their_feedback": theirs if theirs and rules.can_read_feedback(user, theirs) else None,
        "thanks": thanks,
        "can_thank": rules.can_thank(user, engagement),
        "can_place_thanks": thanks is not None and rules.can_place_thanks(user, thanks),
        "i_share": engagement.mentee_shares_contact
        if role == "mentee"
        else engagement.mentor_shares_contact,
        "both_share": engagement.mentee_shares_contact and engagement.mentor_shares_contact,
        "message_form": BodyForm(),
        "resource_form": ResourceForm(),
        "cancel_form": CancelForm(),
        "complete_form": CompleteForm(),
        "sessions_started": times.started,
        "sessions_ahead": times.ahead,
        "sessions_ahead_words": sessions_ahead_words(len(times.ahead)),
        "thanks_due": queries.thanks_due(engagement, now, times),
        "feedback_form": MenteeFeedbackForm() if role == "mentee" else MentorFeedbackForm(),
        "thanks_form": BodyForm(label="Your thank-you note"),
        **(forms or {}),
    }
    return render(request, "asks/engagement_detail.html", context)


@login_required
def engagement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _engagement_page(request, queries.get_engagement_for_user(request.user, pk))


def _thread_partial(
    request: AuthenticatedHttpRequest, engagement: Engagement, form: BaseForm
) -> HttpResponse:
    return render(
        request,
        "asks/_thread.html",
        {
            "engagement": engagement,
            "thread": list(queries.thread(engagement)),
            "message_form": form,
        },
    )


@login_required
@require_POST
def engagement_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    engagement = queries.get_engagement_for_user(request.user, pk)
    user = request.user
    role = engagement.role_of(user)
    form_classes = {
        "message": ("message_form", lambda: BodyForm(request.POST)),
        "resource": ("resource_form", lambda: ResourceForm(request.POST)),
        "cancel": ("cancel_form", lambda: CancelForm(request.POST)),
        "complete": ("complete_form", lambda: CompleteForm(request.POST)),
        "feedback": (
            "feedback_form",
            lambda: (MenteeFeedbackForm if role == "mentee" else MentorFeedbackForm)(request.POST),
        ),
        "thanks": ("thanks_form", lambda: BodyForm(request.POST, label="Your thank-you note")),
    }
    # A form's cleaned_data, as Django types it: the form has checked each value's type.
    calls: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
        "message": (
            lambda d: services.message_post(engagement=engagement, by=user, body=d["body"]),
            "",
        ),
        "resource": (
            lambda d: services.resource_add(engagement=engagement, by=user, **d),
            "Resource shared.",
        ),
        "cancel": (
            lambda d: services.engagement_close(
                engagement=engagement, by=user, cancel=True, reason=d["reason"]
            ),
            "The engagement is cancelled.",
        ),
        "feedback": (
            lambda d: services.feedback_give(engagement=engagement, by=user, **d),
            "Thank you for your feedback.",
        ),
        "thanks": (
            lambda d: services.thanks_send(engagement=engagement, by=user, body=d["body"]),
            "Your thank-you note is sent.",
        ),
        "complete": (
            lambda d: services.engagement_close(
                engagement=engagement, by=user, cancel_sessions=bool(d.get("cancel_sessions"))
            ),
            "Marked as done. Please wrap up below.",
        ),
        "share-contact": (
            lambda d: services.contact_share(engagement=engagement, by=user, share=True),
            "Your email is shared once the other person shares theirs too.",
        ),
        "hide-contact": (
            lambda d: services.contact_share(engagement=engagement, by=user, share=False),
            "Your email is no longer shared.",
        ),
        "continue": (
            lambda d: services.continue_propose(engagement=engagement, by=user),
            "Proposal sent.",
        ),
        "block": (
            lambda d: services.block_create(by=user, blocked=engagement.other(user)),
            "Blocked: no more asks, invitations or messages between you two.",
        ),
    }
    if action not in calls:
        raise Http404("No such action")
    call, done = calls[action]
    form = None
    data: dict[str, Any] = {}
    if action in form_classes:
        form = form_classes[action][1]()
        if form.is_valid():
            data = form.cleaned_data
    if form is None or form.is_valid():
        try:
            call(data)
        except ServiceError as exc:
            if form is None:
                messages.error(request, exc.detail)
                return redirect(engagement)
            form.add_service_error(exc)
        else:
            if action == "message":
                if request.htmx:
                    return _thread_partial(request, engagement, BodyForm())
                return redirect(engagement.get_absolute_url() + "#thread")
            messages.success(request, done)
            return redirect(engagement)
    if action == "message" and request.htmx:
        return _thread_partial(request, engagement, form)
    return _engagement_page(request, engagement, {form_classes[action][0]: form})


@login_required
@require_POST
def thanks_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Only the thanked mentor may find it here: anyone else learns nothing (404).
    thanks = ThankYou.objects.select_related("engagement").filter(pk=pk).first()
    if thanks is None or not rules.can_place_thanks(request.user, thanks):
        raise Http404("No such thank-you note")
    show = request.POST.get("show") == "1"
    services.thanks_show_on_profile(thanks=thanks, by=request.user, show=show)
    messages.success(
        request,
        "This thank-you now shows on your profile."
        if show
        else "This thank-you no longer shows on your profile.",
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(thanks.engagement)
