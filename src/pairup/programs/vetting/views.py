"""Mentor vetting's pages: the approval queue, the questions and the onboarding note (the
program's admins), an applicant's own application, and the onboarding a mentor reads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate
from pairup.programs import services as program_services
from pairup.programs.models import ApplicationState, MentorApplication, MentorStatus, Program
from pairup.programs.queries import get_admin_program_for_user

from . import queries, services
from .forms import (
    ApplicationForm,
    AskMoreForm,
    DeclineForm,
    OnboardingForm,
    QuestionForm,
    links_text,
)

QUEUE_PAGE_SIZE = 20


def _queue_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    bound: tuple[int, str, forms.Form] | None = None,
    show: str = "",
    status: int = 200,
) -> HttpResponse:
    show = show or request.GET.get("show", queries.QueueShow.REVIEW)
    if show not in queries.QueueShow.ALL:
        show = queries.QueueShow.REVIEW
    try:
        page = paginate(
            queries.pending_mentors(program, show), request.GET.get("page"), QUEUE_PAGE_SIZE
        )
    except ServiceError:
        raise Http404("No such page") from None
    entries = queries.queue_entries(list(page.object_list))
    rows = []
    for entry in entries:
        more: forms.Form = AskMoreForm(prefix=f"more-{entry.membership.pk}")
        decline: forms.Form = DeclineForm(prefix=f"decline-{entry.membership.pk}")
        if bound is not None and bound[0] == entry.membership.pk:
            if bound[1] == "more":
                more = bound[2]
            else:
                decline = bound[2]
        rows.append({"entry": entry, "more_form": more, "decline_form": decline})
    return render(
        request,
        "programs/vetting/queue.html",
        {
            "program": program,
            "rows": rows,
            "page": page,
            "show": show,
            "counts": queries.queue_counts(program),
            "open_action": bound[:2] if bound else None,
        },
        status=status,
    )


@login_required
def mentor_queue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    return _queue_page(request, program)


@login_required
@require_POST
def mentor_queue_action(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int, action: str
) -> HttpResponse:
    """Approve, decline with a reason, or ask for more: one mentor of the queue."""
    program, membership = queries.get_pending_mentor_for_admin(
        request.user, slug, membership_id=membership_id
    )
    name = membership.user.display_name
    show = request.GET.get("show", "")
    show = show if show in queries.QueueShow.ALL else queries.QueueShow.REVIEW
    back = redirect(f"{services.queue_url(program)}?show={show}")
    form: forms.Form | None = None
    try:
        if action == "approve":
            if membership.mentor_status != MentorStatus.PENDING:
                raise ServiceError(f"{name} is not waiting for approval.")
            program_services.membership_set_mentor_status(
                membership=membership, status=MentorStatus.APPROVED, by=request.user
            )
            messages.success(request, f"{name} is approved as a mentor and has been told.")
            return back
        if action == "more":
            form = AskMoreForm(request.POST, prefix=f"more-{membership.pk}")
            if form.is_valid():
                services.application_ask_more(
                    membership=membership, by=request.user, message=form.cleaned_data["message"]
                )
                messages.success(request, f"Your question went to {name}.")
                return back
        elif action == "decline":
            form = DeclineForm(request.POST, prefix=f"decline-{membership.pk}")
            if form.is_valid():
                services.application_decline(
                    membership=membership, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"{name} is declined as a mentor and has been told why.")
                return back
        else:
            raise Http404("No such action")
    except ServiceError as exc:
        if form is None:
            messages.error(request, exc.detail)
            return back
        form.add_error(None, exc.detail)
    assert form is not None
    # Shown again in the half of the queue where this person is, with the error.
    state = (
        MentorApplication.objects.filter(program=program, user_id=membership.user_id)
        .values_list("state", flat=True)
        .first()
    )
    show = (
        queries.QueueShow.WAITING
        if state in ApplicationState.waiting_on_applicant()
        else queries.QueueShow.REVIEW
    )
    return _queue_page(request, program, (membership.pk, action, form), show=show, status=422)


# ------------------------------------------------------------------------- questions


@login_required
def application_questions(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.application_question_add(
                    program=program,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    required=form.cleaned_data["required"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Question added.")
                return redirect("application_questions", slug=program.slug)
        status = 422
    questions = queries.application_questions(program)
    rows = [
        (q, QuestionForm(prefix=f"q{q.pk}", initial={"text": q.text, "required": q.required}))
        for q in questions
    ]
    return render(
        request,
        "programs/vetting/questions.html",
        {"program": program, "form": form, "rows": rows},
        status=status,
    )


@login_required
@require_POST
def application_question_edit(
    request: AuthenticatedHttpRequest, slug: str, question_id: int
) -> HttpResponse:
    question = queries.get_question_for_admin(request.user, slug, question_id)
    action = request.POST.get("action", "save")
    try:
        if action == "remove":
            services.application_question_remove(question=question, by=request.user)
            messages.success(request, "Question removed; answers already given stay.")
        elif action in {"up", "down"}:
            services.application_question_update(
                question=question,
                by=request.user,
                position=max(1, question.position + (-1 if action == "up" else 1)),
            )
        else:
            form = QuestionForm(request.POST, prefix=f"q{question.pk}")
            if not form.is_valid():
                error = next(iter(form.errors.values()))[0]
                raise ServiceError(f"“{question.text}”: {error}")
            services.application_question_update(
                question=question,
                by=request.user,
                text=form.cleaned_data["text"],
                required=form.cleaned_data["required"],
            )
            messages.success(request, "Question saved.")
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("application_questions", slug=question.program.slug)


# ------------------------------------------------------------------------ onboarding


@login_required
def mentor_onboarding(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A mentor reads the program's onboarding note, and acknowledges it (POST)."""
    seen = queries.get_onboarding_for_user(request.user, slug)
    if request.method == "POST":
        try:
            services.mentor_onboarding_acknowledge(membership=seen.membership)
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request, f"Thank you. You are offered asks in {seen.program.name} now."
            )
            return redirect("mentor_dashboard")
        return redirect("mentor_onboarding", slug=seen.program.slug)
    return render(
        request, "programs/vetting/onboarding.html", {"seen": seen, "program": seen.program}
    )


@login_required
def mentor_onboarding_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    seen = queries.get_onboarding_for_user(request.user, slug)
    current = seen.onboarding
    initial = {
        "note": current.note if current else "",
        "links": links_text(current.links) if current else "",
    }
    form = OnboardingForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mentor_onboarding_set(
                    program=program,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    links=form.cleaned_data["links"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "The mentor onboarding is saved.")
                return redirect("mentor_onboarding_edit", slug=program.slug)
        status = 422
    return render(
        request,
        "programs/vetting/onboarding_edit.html",
        {"program": program, "form": form, "onboarding": current},
        status=status,
    )


# ---------------------------------------------------------------------- application


@login_required
def mentor_application(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """An applicant's own page: the program's questions with their answers, the admins'
    requests for more and their replies, and the decision when there is one."""
    own = queries.get_application_for_user(request.user, slug)
    with_reply = own.state == "more_asked"
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        questions=own.questions,
        answers=own.answers,
        with_reply=with_reply,
    )
    status = 200
    if request.method == "POST":
        if own.membership is None or not own.can_answer:
            raise Http404("Nothing to answer here")
        if form.is_valid():
            try:
                services.application_submit(
                    membership=own.membership,
                    answers=form.answers(),
                    reply=form.cleaned_data.get("reply", ""),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, f"Thank you. An admin of {own.program.name} will review your answers."
                )
                if request.user.profile.welcomed_at is None:
                    return redirect("home")  # back into the first-run guide
                return redirect("mentor_application", slug=own.program.slug)
        status = 422
    return render(
        request,
        "programs/vetting/application.html",
        {"own": own, "program": own.program, "form": form},
        status=status,
    )
