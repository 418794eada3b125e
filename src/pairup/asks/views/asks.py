"""Writing an ask, and the ask page: suggestions, inviting, withdrawing, answering a clarifying question, the open board."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks import queries, rules, services
from pairup.asks.forms import (
    GOOD_QUESTIONS,
    AskForm,
    BodyForm,
)
from pairup.asks.matching.suggestions import suggestions_for_display
from pairup.asks.matching.topics import suggest_topics
from pairup.asks.models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    CohortRound,
    Engagement,
    Invitation,
    Route,
)
from pairup.asks.services.cohort import cohort_round_join
from pairup.core.errors import ServiceError
from pairup.core.validators import text_problem
from pairup.programs.models import Program
from pairup.programs.queries import get_program_for_user
from pairup.programs.rules import can_write_ask


def topic_suggestions_context(question: str, program: Program) -> dict[str, object]:
    """What the ask form's topics field says of `question` (asks/_topic_suggestions.html):
    the program's topics suggested from its words, and those it takes if the mentee
    chooses none."""
    suggestions = suggest_topics(question, program=program)
    return {
        "topic_suggestions": suggestions,
        "inferred_topics": [s.topic for s in suggestions if s.confident],
        "question_given": bool(question.strip()),
    }


@login_required
@require_GET
def ask_topic_suggestions(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The topics suggested for the question typed so far (htmx, as the mentee types)."""
    program, _ = get_program_for_user(request.user, slug)
    question = request.GET.get("question", "")
    return render(
        request, "asks/_topic_suggestions.html", topic_suggestions_context(question, program)
    )


@login_required
def ask_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = get_program_for_user(request.user, slug)
    question = _question_from(request)
    form = AskForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial={"question": question},
    )
    if form.is_bound:
        question = str(form.data.get("question", ""))
    if request.method == "POST" and form.is_valid():
        try:
            ask = services.ask_create(
                program=program,
                mentee=request.user,
                topics=form.cleaned_data["topics"],
                submit=request.POST.get("submit") != "draft",
                **form.service_fields(),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if ask.status == AskStatus.DRAFT:
                messages.success(request, "Your draft is saved. Submit it when it is ready.")
            else:
                messages.success(request, "Your ask is open: invite one of the mentors below.")
            return redirect(ask)
    return render(
        request,
        "asks/ask_form.html",
        {
            "form": form,
            "program": program,
            "membership": membership,
            "write_refused": not can_write_ask(membership),
            "examples": GOOD_QUESTIONS,
            "ask": None,
            **topic_suggestions_context(question, program),
        },
    )


@login_required
def ask_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ask = queries.get_own_ask(request.user, pk)
    program = ask.program
    form = AskForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial=AskForm.initial_for(ask),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.ask_update(
                    ask=ask,
                    by=request.user,
                    topics=form.cleaned_data["topics"],
                    changes=form.service_fields(),
                )
                if request.POST.get("submit") == "open" and ask.status == AskStatus.DRAFT:
                    services.ask_submit(ask=ask, by=request.user)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Your ask is saved.")
            return redirect(ask)
    question = str(form.data.get("question", "")) if form.is_bound else ask.question
    return render(
        request,
        "asks/ask_form.html",
        {
            "form": form,
            "program": program,
            "examples": GOOD_QUESTIONS,
            "ask": ask,
            **topic_suggestions_context(question, program),
        },
    )


def _ask_page(
    request: AuthenticatedHttpRequest,
    ask: Ask,
    answer_form: BodyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    if not rules.can_edit_ask(user, ask):
        mine = Invitation.objects.filter(ask=ask, mentor=user).first()
        if mine is not None:
            return redirect(mine)
        # An approved mentor looking at a board ask (the access helper let them in).
        return render(
            request, "asks/ask_board_view.html", {"ask": ask, "topics": list(ask.topics.all())}
        )
    invitations = list(ask.invitations.select_related("mentor__profile").order_by("created_at"))
    live = next((i for i in invitations if i.status in LIVE_INVITATION), None)
    suggestions = []
    if ask.status == AskStatus.OPEN and ask.route == Route.INVITE:
        suggestions = suggestions_for_display(ask)
    engagement = (
        Engagement.objects.filter(ask=ask).select_related("handed_over_to__profile").first()
    )
    # An ask that carries on an engagement handed over to another mentor.
    handed_over_from = (
        Engagement.objects.filter(handover_ask=ask).select_related("mentor__profile").first()
    )
    rounds = []
    if ask.status in AskStatus.unmatched() and ask.route == Route.INVITE and live is None:
        joined = set(CohortRound.objects.filter(asks=ask).values_list("pk", flat=True))
        rounds = [
            (r, r.pk in joined)
            for r in CohortRound.objects.filter(
                program_id=ask.program_id, deadline__gt=timezone.now()
            ).order_by("deadline", "pk")
        ]
    return render(
        request,
        "asks/ask_detail.html",
        {
            "ask": ask,
            "topics": list(ask.topics.all()),
            "live": live,
            "past": [i for i in invitations if i is not live],
            "clarifications": list(queries.clarifications(live)) if live else [],
            "suggestions": suggestions,
            "engagement": engagement,
            "handed_over_from": handed_over_from,
            "answer_form": answer_form or BodyForm(label="Your answer"),
            "rounds": rounds,
        },
        status=status,
    )


@login_required
def ask_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _ask_page(request, queries.get_ask_for_user(request.user, pk))


def _live_invitation(ask: Ask) -> Invitation:
    live = ask.invitations.filter(status__in=LIVE_INVITATION).first()
    if live is None:
        raise ServiceError("No invitation is pending on this ask.", code="no_invitation")
    return live


@login_required
@require_POST
def ask_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    ask = queries.get_ask_for_user(request.user, pk)
    user = request.user
    if action == "offer":
        try:
            engagement = services.board_offer(ask=ask, mentor=user)
        except ServiceError as exc:
            messages.error(request, exc.detail)
            return redirect("board")
        messages.success(request, "You took this ask. Say hello and agree a time.")
        return redirect(engagement)
    if not rules.can_edit_ask(user, ask):
        raise Http404("No such ask")
    if action == "answer":
        form = BodyForm(request.POST, label="Your answer")
        if form.is_valid():
            try:
                services.invitation_answer(
                    invitation=_live_invitation(ask), by=user, body=form.cleaned_data["body"]
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Your answer is sent; the mentor's clock restarts.")
                return redirect(ask)
        return _ask_page(request, ask, answer_form=form)
    simple: dict[str, tuple[Callable[[], object], str]] = {
        "invite": (
            lambda: services.invitation_create(
                ask=ask, mentor_id=_int(request.POST.get("mentor")), by=user
            ),
            "Invitation sent. We will tell you as soon as the mentor answers.",
        ),
        "withdraw-invitation": (
            lambda: services.invitation_withdraw(invitation=_live_invitation(ask), by=user),
            "Invitation withdrawn: you can invite someone else.",
        ),
        "board": (
            lambda: services.ask_post_to_board(ask=ask, by=user),
            "Your ask is on the open board: the first mentor to offer takes it.",
        ),
        "unboard": (
            lambda: services.ask_take_off_board(ask=ask, by=user),
            "Your ask is off the board: invite a mentor.",
        ),
        "submit": (
            lambda: services.ask_submit(ask=ask, by=user),
            "Your ask is open: invite one of the mentors below.",
        ),
        "withdraw": (
            lambda: services.ask_withdraw(ask=ask, by=user),
            "Your ask is withdrawn.",
        ),
        "join-round": (
            lambda: cohort_round_join(
                round=get_object_or_404(
                    CohortRound, pk=_int(request.POST.get("round")), program_id=ask.program_id
                ),
                ask=ask,
                by=user,
            ),
            "Your ask is signed up: the program's admins match the round's asks together.",
        ),
    }
    if action not in simple:
        raise Http404("No such action")
    call, done = simple[action]
    try:
        call()
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect(ask)


def _question_from(request: AuthenticatedHttpRequest) -> str:
    """The question the directory's "Ask this as a question" brings (`?question=`): the
    searched words, if they are text a question may hold."""
    text = request.GET.get("question", "").strip()[:2000]
    return "" if text_problem(text, multiline=True) else text


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
