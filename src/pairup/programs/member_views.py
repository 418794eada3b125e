"""The members pages of a program's admins: the list (search, filters, counts, pages), one
member (roles, mentor status, removal), personal invitations (invite, resend, revoke), the
CSV export; and the page a personal invitation link opens."""

from __future__ import annotations

from typing import cast

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ItemErrors, ServiceError
from pairup.core.pagination import paginate

from . import member_queries, member_services, queries
from .forms import InviteCodeForm, InviteRotateForm
from .member_export import member_csv_response
from .member_forms import MemberFilterForm, MemberInviteForm, MemberRolesForm
from .models import MemberInvitation, MemberInvitationStatus, Membership, Program
from .views import welcome_message

MEMBERS_PER_PAGE = 50
INVITATIONS_PER_PAGE = 50


def _filter_form(request: HttpRequest, program: Program) -> MemberFilterForm:
    form = MemberFilterForm(
        request.GET or None,
        sites=queries.program_sites(program),
        pools=list(member_queries.program_pools(program)),
    )
    if form.is_bound:
        form.is_valid()
    return form


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _current_chip(filters: member_queries.MemberFilters) -> str:
    """Which count above the list is the list now ("role:mentor"), if one is."""
    if filters.is_empty():
        return "everyone"
    if filters == member_queries.MemberFilters(role=filters.role):
        return f"role:{filters.role}"
    if filters == member_queries.MemberFilters(status=filters.status):
        return f"status:{filters.status}"
    return ""


@login_required
def members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    form = _filter_form(request, program)
    filters = form.filters()
    try:
        page = member_queries.program_member_page(
            program, filters, request.GET.get("page"), MEMBERS_PER_PAGE
        )
    except ServiceError:
        raise Http404("No such page") from None
    now = timezone.now()
    context = {
        "program": program,
        "membership": membership,
        "form": form,
        "filtered": not filters.is_empty(),
        "chip": _current_chip(filters),
        # The filters beyond the search stay folded until one is in use (or in error).
        "more_filters": any(
            form[name].value() or form[name].errors
            for name in ("role", "status", "site", "pool", "joined", "active")
        ),
        "page": page,
        "counts": member_queries.program_member_counts(program),
        "invitations_waiting": member_queries.program_invitations(
            program, MemberInvitationStatus.PENDING, now=now
        ).count(),
        "query": _query_without_page(request),
        "invite_url": request.build_absolute_uri(
            reverse("program_join", kwargs={"code": program.invite_code})
        ),
        "invite_expired": program.invite_expires_at is not None
        and program.invite_expires_at <= now,
        "rotate_form": InviteRotateForm(),
    }
    template = "programs/_member_results.html" if request.htmx else "programs/members.html"
    return render(request, template, context)


@login_required
def members_export(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    return member_csv_response(program, _filter_form(request, program).filters())


def _member_or_404(program: Program, membership_id: int) -> Membership:
    member = member_queries.get_member_for_admin(program, membership_id)
    if member is None:
        raise Http404("No such member")
    return member


@login_required
def member_detail(request: AuthenticatedHttpRequest, slug: str, membership_id: int) -> HttpResponse:
    """One member: their roles (changed here), mentor status and removal."""
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    member = _member_or_404(program, membership_id)
    form = MemberRolesForm(
        request.POST if request.method == "POST" else None, initial={"roles": member.roles}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member_services.member_set_roles(
                membership=member, roles=form.cleaned_data["roles"], by=request.user
            )
        except ServiceError as exc:
            form.add_error("roles", exc.detail)
            status = exc.status
        else:
            messages.success(request, f"{member.user.display_name}: roles saved.")
            return redirect("program_member", slug=program.slug, membership_id=member.pk)
    return render(
        request,
        "programs/member_detail.html",
        {"program": program, "membership": membership, "member": member, "form": form},
        status=status,
    )


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, slug: str, membership_id: int) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    member = _member_or_404(program, membership_id)
    try:
        removal = member_services.member_remove(membership=member, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("program_member", slug=program.slug, membership_id=member.pk)
    done = [
        f"{n} {what}{'s' if n != 1 else ''} {verb}"
        for n, what, verb in (
            (removal.engagements_closed, "engagement", "closed"),
            (removal.invitations_rerouted, "invitation", "sent to other mentors"),
            (removal.asks_closed, "open ask", "withdrawn"),
        )
        if n
    ]
    messages.success(
        request,
        f"{removal.name} is no longer a member of {program.name}"
        + (f": {', '.join(done)}." if done else "."),
    )
    if member.user_id == request.user.pk:
        return redirect("program_list")
    return redirect("program_members", slug=program.slug)


# ------------------------------------------------------------------- invitations

INVITATION_TABS = [
    (MemberInvitationStatus.PENDING, "Waiting"),
    (MemberInvitationStatus.EXPIRED, "Expired"),
    (MemberInvitationStatus.ACCEPTED, "Accepted"),
    (MemberInvitationStatus.REVOKED, "Revoked"),
    ("all", "All"),
]


@login_required
def member_invitations(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Invite people (one, or a pasted list) and the program's invitations by status."""
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    form = MemberInviteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            invited = member_services.member_invite(
                program=program,
                emails=form.lines(),
                roles=form.cleaned_data["roles"],
                valid_days=form.cleaned_data["valid_days"],
                by=request.user,
            )
        except ItemErrors as exc:
            for i, message in exc.items:
                form.add_error("emails", f"Line {i + 1}: {message}")
            form.add_error(None, exc.detail)
            status = exc.status
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            status = exc.status
        else:
            n = len(invited)
            messages.success(
                request,
                f"Invitation{'s' if n > 1 else ''} sent to {n} {'people' if n > 1 else 'person'}.",
            )
            return redirect("program_invitations", slug=program.slug)
    elif request.method == "POST":
        status = 422
    tab = request.GET.get("status") or MemberInvitationStatus.PENDING
    if tab not in dict(INVITATION_TABS):
        raise Http404("No such list")
    now = timezone.now()
    invitations = member_queries.program_invitations(program, "" if tab == "all" else tab, now=now)
    try:
        page = paginate(invitations, request.GET.get("page"), INVITATIONS_PER_PAGE)
    except ServiceError:
        raise Http404("No such page") from None
    rows = [(inv, inv.status_at(now)) for inv in page.object_list]
    return render(
        request,
        "programs/member_invitations.html",
        {
            "program": program,
            "membership": membership,
            "form": form,
            "tab": tab,
            "tabs": INVITATION_TABS,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
        },
        status=status,
    )


@login_required
@require_POST
def member_invitation_action(
    request: AuthenticatedHttpRequest, slug: str, invitation_id: int, action: str
) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    invitation = MemberInvitation.objects.filter(program=program, pk=invitation_id).first()
    if invitation is None or action not in ("resend", "revoke"):
        raise Http404("No such invitation")
    try:
        if action == "resend":
            member_services.member_invitation_resend(invitation=invitation, by=request.user)
            messages.success(request, f"Sent again to {invitation.email}, with a new link.")
        else:
            member_services.member_invitation_revoke(invitation=invitation, by=request.user)
            messages.success(request, f"The invitation to {invitation.email} no longer works.")
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect(
        f"{reverse('program_invitations', kwargs={'slug': program.slug})}?{request.GET.urlencode()}"
    )


# ------------------------------------------------------ the personal invitation link


def _invite_problem(request: HttpRequest, invite: member_queries.PersonalInvite) -> HttpResponse:
    status = 404 if invite.state == member_queries.PersonalInviteState.UNKNOWN else 410
    form = InviteCodeForm() if request.user.is_authenticated else None
    return render(
        request,
        "programs/invite_problem.html",
        {"invite": invite, "form": form, "personal": True},
        status=status,
    )


def member_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """A personal invitation link. Someone without an account is welcomed and asked to
    sign up (the address the link went to is taken as verified: the link proves it) or sign
    in, then comes back here; a signed-in person with that address accepts and joins with
    the roles the admins chose."""
    invite = member_queries.member_invitation_lookup(token)
    if not invite.valid or invite.invitation is None:
        return _invite_problem(request, invite)
    invitation = invite.invitation
    context = {
        "program": invitation.program,
        "invitation": invitation,
        "roles": member_services.roles_words(invitation.roles),
    }
    if not request.user.is_authenticated:
        if request.method != "GET":
            return redirect(f"{reverse('account_login')}?next={request.path}")
        # allauth's hook for invitations: signing up with this address needs no second
        # confirmation email, and the sign-up form starts with it filled in.
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "programs/member_invitation_signup.html", context)
    user = cast(AuthenticatedHttpRequest, request).user
    if not member_services.owns_address(user, invitation.email):
        context["masked"] = member_services.masked_email(invitation.email)
        return render(request, "programs/member_invitation_other.html", context, status=403)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            membership = member_services.member_invitation_accept(token=token, user=user)
        except ServiceError as exc:
            error, status = exc.detail, exc.status
        else:
            welcome_message(request, membership)
            if user.profile.welcomed_at is None:
                return redirect("home")  # back into the first-run guide, at its next step
            return redirect(membership.program)
    context["existing"] = Membership.objects.filter(program=invitation.program, user=user).first()
    context["error"] = error
    return render(request, "programs/member_invitation.html", context, status=status)
