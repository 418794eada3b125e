"""The mentor's triage of an invitation: accept, decline (with a reason, optionally pausing), or ask a clarifying question."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks import queries, rules, services
from pairup.asks.forms import (
    BodyForm,
    DeclineForm,
)
from pairup.asks.models import (
    Engagement,
    Invitation,
    InvitationStatus,
)
from pairup.core.errors import ServiceError


def _triage_page(
    request: AuthenticatedHttpRequest,
    invitation: Invitation,
    decline_form: DeclineForm | None = None,
    clarify_form: BodyForm | None = None,
) -> HttpResponse:
    ask = invitation.ask
    engagement = (
        Engagement.objects.filter(ask=ask, mentor=request.user).first()
        if invitation.status == InvitationStatus.ACCEPTED
        else None
    )
    return render(
        request,
        "asks/invitation_detail.html",
        {
            "invitation": invitation,
            "ask": ask,
            "mentee": ask.mentee.profile,
            "topics": list(ask.topics.all()),
            "clarifications": list(queries.clarifications(invitation)),
            "engagement": engagement,
            # An ask carrying on an engagement handed over: what the new mentor is told.
            "handed_over_from": Engagement.objects.filter(handover_ask=ask)
            .select_related("mentor__profile")
            .first(),
            "decline_form": decline_form or DeclineForm(),
            "clarify_form": clarify_form or BodyForm(label="Your question for the mentee"),
            "other_live": queries.other_live_invitations(invitation) if invitation.is_live else 0,
        },
    )


@login_required
def invitation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = queries.get_invitation_for_user(request.user, pk)
    if not rules.can_answer_invitation(request.user, invitation):
        return redirect(invitation.ask)
    return _triage_page(request, invitation)


@login_required
@require_POST
def invitation_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    invitation = queries.get_invitation_for_user(request.user, pk)
    user = request.user
    if not rules.can_answer_invitation(user, invitation):
        raise Http404("No such invitation")
    if action == "accept":
        try:
            engagement = services.invitation_accept(invitation=invitation, by=user)
        except ServiceError as exc:
            messages.error(request, exc.detail)
            return redirect(invitation)
        messages.success(request, "Accepted. Say hello and agree a time.")
        return redirect(engagement)
    if action == "decline":
        form = DeclineForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_decline(
                    invitation=invitation,
                    by=user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    pause_weeks=form.cleaned_data["pause_weeks"] or 0,
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Declined. Thank you for answering quickly.")
                return redirect("mentor_dashboard")
        return _triage_page(request, invitation, decline_form=form)
    if action == "clarify":
        question = BodyForm(request.POST, label="Your question for the mentee")
        if question.is_valid():
            try:
                services.invitation_clarify(
                    invitation=invitation, by=user, body=question.cleaned_data["body"]
                )
            except ServiceError as exc:
                question.add_service_error(exc)
            else:
                messages.success(request, "Question sent. Your clock is paused until they answer.")
                return redirect(invitation)
        return _triage_page(request, invitation, clarify_form=question)
    raise Http404("No such action")
