from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError

from . import queries, rules, services
from .forms import InviteCodeForm, JoinForm, MentorStatusForm
from .models import Membership


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        program = services.program_find_by_invite(form.cleaned_data["code"].strip())
        if program is not None:
            return redirect("program_join", code=program.invite_code)
        form.add_error("code", "No program has this invite code. Check it with your program admin.")
    memberships = Membership.objects.filter(user=request.user).select_related("program")
    return render(request, "programs/program_list.html", {"memberships": memberships, "form": form})


@login_required
def program_join(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = services.program_find_by_invite(code)
    if program is None:
        raise Http404("This invite link is not valid (any more).")
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        membership = services.program_join(
            program=program,
            user=request.user,
            as_mentor=form.cleaned_data["as_mentor"],
            as_mentee=form.cleaned_data["as_mentee"],
        )
        if membership.is_mentor and not membership.is_approved_mentor:
            messages.info(request, f"Welcome to {program}. An admin will approve you as a mentor.")
        else:
            messages.success(request, f"Welcome to {program}.")
        return redirect(program)
    existing = Membership.objects.filter(program=program, user=request.user).first()
    return render(
        request, "programs/join.html", {"program": program, "form": form, "existing": existing}
    )


@login_required
@require_POST
def program_mentor_offer(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member offers to mentor in their program, as the invite link would let them: the
    program's admins approve new mentors when it vets them."""
    program, _ = queries.get_program_for_user(request.user, slug)
    membership = services.program_join(program=program, user=request.user, as_mentor=True)
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
    }
    return render(request, "programs/program_detail.html", context)


@login_required
def members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    members = queries.program_members(program)
    invite_url = request.build_absolute_uri(f"/join/{program.invite_code}/")
    return render(
        request,
        "programs/members.html",
        {
            "program": program,
            "membership": membership,
            "members": members,
            "invite_url": invite_url,
        },
    )


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
    return redirect("program_members", slug=program.slug)
