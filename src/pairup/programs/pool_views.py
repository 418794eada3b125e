"""The pages of pools, match rules and the reporting line: the admins' pools page (pools
with their member counts, and the rules as "mentees in X may meet mentors in Y"), one
pool's page (edit, delete, its members, add members by search), one member's matching
settings (pools and manager), and a member's own choice of self-selected pools.

Each view: access helper (404 for anyone who is not the program's admin, or member) →
form → one service call → redirect, or the page again with the errors beside the fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.core.errors import ServiceError
from pairup.core.pagination import paginate

from . import pools as services
from . import queries, rules
from .forms import ChoosePoolsForm, MatchRuleForm, MemberMatchingForm, PoolForm
from .models import MatchRule, Membership, Pool, Program


def _field_error(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)


def _pools_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    membership: Membership,
    *,
    pool_form: PoolForm | None = None,
    rule_form: MatchRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pools = list(queries.program_pools(program))
    match_rules = list(queries.program_match_rules(program))
    context = {
        "program": program,
        "membership": membership,
        "pools": pools,
        "match_rules": match_rules,
        "without_pool": queries.members_without_pool(program) if match_rules else 0,
        "pool_form": pool_form or PoolForm(),
        "rule_form": rule_form or MatchRuleForm(pools=pools),
    }
    return render(request, "programs/pools.html", context, status=status)


@login_required
def pools(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The program's pools and match rules; POST creates a pool."""
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    if request.method != "POST":
        return _pools_page(request, program, membership)
    form = PoolForm(request.POST)
    if form.is_valid():
        try:
            pool = services.pool_create(program=program, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, f"The pool {pool.name} is ready: add its members.")
            return redirect("program_pool", slug=program.slug, pool_id=pool.pk)
    return _pools_page(request, program, membership, pool_form=form, status=422)


@login_required
@require_POST
def rule_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = queries.get_admin_program_for_user(request.user, slug)
    form = MatchRuleForm(request.POST, pools=queries.program_pools(program))
    if form.is_valid():
        try:
            rule = services.match_rule_create(program=program, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _field_error(form, exc)
        else:
            messages.success(
                request,
                f"Mentees in {rule.mentee_pool.name} may meet mentors in {rule.mentor_pool.name}.",
            )
            return redirect("program_pools", slug=program.slug)
    return _pools_page(request, program, membership, rule_form=form, status=422)


@login_required
@require_POST
def rule_delete(request: AuthenticatedHttpRequest, slug: str, rule_id: int) -> HttpResponse:
    program, _ = queries.get_admin_program_for_user(request.user, slug)
    rule = get_object_or_404(
        MatchRule.objects.select_related("program", "mentee_pool", "mentor_pool"),
        program=program,
        pk=rule_id,
    )
    services.match_rule_delete(rule=rule, by=request.user)
    messages.success(request, "The rule is removed.")
    return redirect("program_pools", slug=program.slug)


def _pool_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    membership: Membership,
    pool: Pool,
    form: PoolForm,
    status: int = 200,
) -> HttpResponse:
    try:
        page = paginate(queries.pool_members(pool), request.GET.get("page"))
    except ServiceError:
        raise Http404("No such page") from None
    q = request.GET.get("q", "").strip()[:100]
    context = {
        "program": program,
        "membership": membership,
        "pool": pool,
        "form": form,
        "page": page,
        "q": q,
        "found": queries.members_outside_pool(pool, q) if q else [],
    }
    return render(request, "programs/pool_detail.html", context, status=status)


@login_required
def pool_detail(request: AuthenticatedHttpRequest, slug: str, pool_id: int) -> HttpResponse:
    """One pool: its settings (POST changes them), its members, and members to add."""
    program, membership, pool = queries.get_pool_for_admin(request.user, slug, pool_id)
    if request.method != "POST":
        initial = {
            "name": pool.name,
            "kind": pool.kind,
            "description": pool.description,
            "self_select": pool.self_select,
        }
        return _pool_page(request, program, membership, pool, PoolForm(initial=initial))
    form = PoolForm(request.POST)
    if form.is_valid():
        try:
            services.pool_update(pool=pool, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _field_error(form, exc)
        else:
            messages.success(request, "The pool is saved.")
            return redirect("program_pool", slug=program.slug, pool_id=pool.pk)
    return _pool_page(request, program, membership, pool, form, status=422)


@login_required
@require_POST
def pool_delete(request: AuthenticatedHttpRequest, slug: str, pool_id: int) -> HttpResponse:
    program, _, pool = queries.get_pool_for_admin(request.user, slug, pool_id)
    services.pool_delete(pool=pool, by=request.user)
    messages.success(request, f"The pool {pool.name} is deleted; its members stay in the program.")
    return redirect("program_pools", slug=program.slug)


def _chosen_members(program: Program, ids: list[str]) -> list[Membership]:
    """The program's memberships among the posted ids (others are ignored: 404 territory)."""
    wanted = [int(i) for i in ids if i.isdigit()][:200]
    return list(
        Membership.objects.filter(program=program, pk__in=wanted).select_related("user__profile")
    )


@login_required
@require_POST
def pool_members_add(request: AuthenticatedHttpRequest, slug: str, pool_id: int) -> HttpResponse:
    program, _, pool = queries.get_pool_for_admin(request.user, slug, pool_id)
    members = _chosen_members(program, request.POST.getlist("members"))
    if not members:
        messages.error(request, "Tick the members to add.")
    else:
        added = services.pool_members_add(pool=pool, by=request.user, members=members)
        messages.success(
            request, f"Added {added} member{'s' if added != 1 else ''} to {pool.name}."
        )
    url = reverse("program_pool", kwargs={"slug": program.slug, "pool_id": pool.pk})
    q = request.POST.get("q", "").strip()[:100]
    return redirect(f"{url}?q={q}" if q else url)


@login_required
@require_POST
def pool_member_remove(
    request: AuthenticatedHttpRequest, slug: str, pool_id: int, membership_id: int
) -> HttpResponse:
    program, _, pool = queries.get_pool_for_admin(request.user, slug, pool_id)
    member = get_object_or_404(
        Membership.objects.select_related("user__profile"), program=program, pk=membership_id
    )
    services.pool_members_remove(pool=pool, by=request.user, members=[member])
    messages.success(request, f"{member.user.display_name} is out of {pool.name}.")
    return redirect("program_pool", slug=program.slug, pool_id=pool.pk)


@login_required
def member_matching(
    request: AuthenticatedHttpRequest, slug: str, membership_id: int
) -> HttpResponse:
    """One member's matching settings, for the program's admins: their pools and manager."""
    program, membership, member = queries.get_member_for_admin(request.user, slug, membership_id)
    all_pools = list(queries.program_pools(program))
    profile = member.user.profile
    initial = {"manager_email": profile.manager_email, "pools": list(member.pools.all())}
    form = MemberMatchingForm(
        request.POST if request.method == "POST" else None, initial=initial, pools=all_pools
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.member_matching_update(
                    membership=member,
                    by=request.user,
                    manager_email=form.cleaned_data["manager_email"],
                    pools=form.cleaned_data.get("pools"),
                )
            except ServiceError as exc:
                _field_error(form, exc)
            else:
                messages.success(request, f"{member.user.display_name}: saved.")
                return redirect(
                    "program_member_matching", slug=program.slug, membership_id=member.pk
                )
    context = {"program": program, "membership": membership, "member": member, "form": form}
    return render(request, "programs/member_matching.html", context, status=status)


@login_required
def my_pools(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member's own choice among the program's self-selected pools."""
    program, membership = queries.get_program_for_user(request.user, slug)
    if not rules.can_choose_pools(membership):
        raise Http404("No such program")
    choosable = list(queries.self_select_pools(program))
    if not choosable:
        raise Http404("This program has no pools to choose")
    held = list(membership.pools.all())
    form = ChoosePoolsForm(
        request.POST if request.method == "POST" else None,
        initial={"pools": [p for p in held if p.self_select]},
        pools=choosable,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.membership_pools_choose(
                    membership=membership, by=request.user, pools=form.cleaned_data["pools"]
                )
            except ServiceError as exc:
                _field_error(form, exc)
            else:
                messages.success(request, "Your pools are saved.")
                return redirect("program_my_pools", slug=program.slug)
    others = [p for p in held if not p.self_select]
    context = {"program": program, "membership": membership, "form": form, "others": others}
    return render(request, "programs/my_pools.html", context, status=status)
