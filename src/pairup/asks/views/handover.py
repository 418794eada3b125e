"""The page a program's admins confirm offboarding a mentor or removing a member on: what
they leave behind (engagements under way, invitations waiting, their own asks), and for
each engagement the mentor to hand it over to (the best suggestions, with their reasons,
the first with room chosen) or closing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.asks import queries
from pairup.asks.forms import HandoverForm
from pairup.asks.handover_plan import handover_plan
from pairup.asks.services.handover import (
    HandoverDone,
    member_remove_handing_over,
    mentor_offboard_handing_over,
)
from pairup.core.errors import ServiceError
from pairup.programs.models import MentorStatus


def _done_words(done: HandoverDone) -> str:
    parts = [
        f"{n} {what}{'s' if n != 1 else ''} {verb}"
        for n, what, verb in (
            (len(done.handed_over), "engagement", "handed over"),
            (done.engagements_closed, "engagement", "closed"),
            (done.invitations_rerouted, "invitation", "sent to other mentors"),
            (done.asks_closed, "open ask", "withdrawn"),
        )
        if n
    ]
    return f": {', '.join(parts)}." if parts else "."


def _page(request: AuthenticatedHttpRequest, slug: str, membership_id: int, removing: bool):
    program, member = queries.get_member_for_handover(request.user, slug, membership_id)
    if not removing and not member.is_mentor:
        messages.error(request, f"{member.user.display_name} is not a mentor here.")
        return redirect("program_member", slug=program.slug, membership_id=member.pk)
    if not removing and member.mentor_status == MentorStatus.OFFBOARDED:
        messages.info(request, f"{member.user.display_name} was offboarded already.")
        return redirect("program_member", slug=program.slug, membership_id=member.pk)
    plan = handover_plan(member, removing=removing)
    form = HandoverForm(request.POST if request.method == "POST" else None, plan=plan)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if removing:
                    done = member_remove_handing_over(
                        membership=member, by=request.user, handovers=form.handovers()
                    )
                else:
                    done = mentor_offboard_handing_over(
                        membership=member, by=request.user, handovers=form.handovers()
                    )
            except ServiceError as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                if removing:
                    messages.success(
                        request,
                        f"{done.name} is no longer a member of {program.name}{_done_words(done)}",
                    )
                    if member.user_id == request.user.pk:
                        return redirect("program_list")
                    return redirect("program_members", slug=program.slug)
                messages.success(request, f"{done.name} is offboarded{_done_words(done)}")
                return redirect("program_member", slug=program.slug, membership_id=member.pk)
        else:
            status = 422
    return render(
        request,
        "asks/member_handover.html",
        {"program": program, "member": member, "plan": plan, "form": form, "removing": removing},
        status=status,
    )


@login_required
def member_offboard(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    """Offboard a mentor: review what they leave, choose per engagement, confirm."""
    return _page(request, slug, membership_id, removing=False)


@login_required
def member_remove_review(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    """Remove a member: review what they leave, choose per engagement, confirm."""
    return _page(request, slug, membership_id, removing=True)
