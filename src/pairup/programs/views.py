from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError

from . import identity, queries, rules, services
from .forms import (
    InviteCodeForm,
    InviteRotateForm,
    JoinForm,
    MentorStatusForm,
)
from .models import Membership, Program
from .vetting.queries import answers_step

# An invite link opened before signing up is kept here, so the first-run guide can offer
# that program once the person has an account.
PENDING_INVITE = "pairup_pending_invite"


def welcome_message(request: HttpRequest, membership: Membership) -> None:
    program = membership.program
    if membership.is_mentor and not membership.is_approved_mentor:
        messages.info(request, f"Welcome to {program}. An admin will approve you as a mentor.")
    else:
        messages.success(request, f"Welcome to {program}.")


def invite_problem(request: HttpRequest, invite: queries.Invite) -> HttpResponse:
    """The page for a code that lets nobody in: what happened and what to do now."""
    status = 404 if invite.state == queries.InviteState.UNKNOWN else 410
    form = InviteCodeForm() if request.user.is_authenticated else None
    return render(
        request, "programs/invite_problem.html", {"invite": invite, "form": form}, status=status
    )


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invite = queries.invite_lookup(form.cleaned_data["code"])
        if invite.valid:
            return redirect("program_join", code=form.cleaned_data["code"])
        form.add_error("code", services.invite_refusal(invite).detail)
    memberships = Membership.objects.filter(user=request.user).select_related("program")
    return render(
        request,
        "programs/program_list.html",
        {
            "memberships": memberships,
            "form": form,
            "open_programs": queries.open_programs(request.user),
            "can_create_program": rules.can_create_program(request.user),
        },
    )


def _join_page(
    request: AuthenticatedHttpRequest, program: Program, invite_code: str | None
) -> HttpResponse:
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        pools=queries.self_select_pools(program),
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.program_join(
                program=program,
                user=request.user,
                as_mentor=form.cleaned_data["as_mentor"],
                as_mentee=form.cleaned_data["as_mentee"],
                invite_code=invite_code,
                pools=form.cleaned_data.get("pools"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.detail)
        else:
            request.session.pop(PENDING_INVITE, None)
            welcome_message(request, membership)
            answers = answers_step(membership)
            if answers is not None:
                return redirect(answers)  # the program's questions for new mentors
            if request.user.profile.welcomed_at is None:
                return redirect("home")  # back into the first-run guide, at its next step
            return redirect(program)
    existing = Membership.objects.filter(program=program, user=request.user).first()
    return render(
        request, "programs/join.html", {"program": program, "form": form, "existing": existing}
    )


def program_join(request: HttpRequest, code: str) -> HttpResponse:
    """An invite link. Someone without an account yet is welcomed and asked to sign up
    (the code waits in their session for the first-run guide); a signed-in person chooses
    their roles and joins."""
    invite = queries.invite_lookup(code)
    if not invite.valid or invite.program is None:
        return invite_problem(request, invite)
    if not request.user.is_authenticated:
        if request.method != "GET":
            return redirect_to_login(request.get_full_path())
        request.session[PENDING_INVITE] = code
        return render(request, "programs/join_signup.html", {"program": invite.program})
    return _join_page(cast(AuthenticatedHttpRequest, request), invite.program, invite_code=code)


@login_required
def program_join_open(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Join an open program from the list of open programs (no invite needed); a program
    that is not open is 404 here, as it is to anyone outside it."""
    program = Program.objects.filter(slug=slug).first()
    if program is None or not rules.can_join_without_invite(program):
        raise Http404("No such program")
    return _join_page(request, program, invite_code=None)


@login_required
@require_POST
def program_mentor_offer(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member offers to mentor in their program, as the invite link would let them: the
    program's admins approve new mentors when it vets them."""
    program, _ = queries.get_program_for_user(request.user, slug)
    membership = services.program_join(program=program, user=request.user, as_mentor=True)
    answers = answers_step(membership)
    if answers is not None:
        messages.info(request, f"Thank you. Answer {program}'s questions for new mentors.")
        return redirect(answers)
    if membership.is_approved_mentor:
        messages.success(request, f"You are a mentor in {program}. Set your availability next.")
    else:
        messages.info(request, f"Thank you. An admin of {program} will approve you as a mentor.")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(program)


@login_required
def program_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = queries.get_program_for_user(request.user, slug)
    context = {
        "program": program,
        "membership": membership,
        "can_write_ask": rules.can_write_ask(membership),
        "can_admin": rules.can_admin_program(membership),
        "can_choose_pools": queries.self_select_pools(program).exists(),
        "identity_asked": identity.identity_fields(program).exists(),
        "identity_matching": identity.identity_matching_enabled(program),
    }
    return render(request, "programs/program_detail.html", context)


@login_required
@require_POST
def invite_rotate(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    form = InviteRotateForm(request.POST)
    if form.is_valid():
        try:
            services.program_invite_rotate(
                program=program, by=request.user, valid_days=form.cleaned_data["valid_days"]
            )
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "A new invite link is ready; the old one no longer works.")
    else:
        messages.error(request, "Choose how long the new link works.")
    return redirect("program_members", slug=program.slug)


@login_required
@require_POST
def member_set_status(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    target = get_object_or_404(Membership, program=program, pk=membership_id)
    form = MentorStatusForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_mentor_status(
                membership=target, status=form.cleaned_data["status"], by=request.user
            )
            messages.success(
                request, f"{target.user.display_name}: {target.get_mentor_status_display()}."
            )
        except ServiceError as exc:
            messages.error(request, exc.detail)
    # Back to where the button was: the filtered list's page, or the member's own page.
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return redirect(back)
    return redirect("program_members", slug=program.slug)
