"""The first-run guide: from a verified email address to a first ask, one short step at a
time. It lives on the top floor because its steps write through three apps: the profile
(accounts), a membership (programs) and an ask (asks).

    1 you        the name others see, a headline, a photo (or the initials avatar)
    2 topics     topics to grow in and to help with, as chips with a type-ahead
    3 languages  about thirty common languages, and the time zone
    4 program    join by invite link (kept from before sign-up), by code, or an open program
    5 ask        the first ask, in the program just joined; then its suggested mentors

Every step but the first may be skipped. The profile remembers the step reached
(`Profile.welcome_step`) and when the guide was finished or left (`welcomed_at`); until
then the home page sends the person back to their step. Each form works without
JavaScript; app.js only adds the chips' type-ahead, the time zone and a photo preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation.trans_real import parse_accept_lang_header

from pairup.accounts import services as account_services
from pairup.accounts.forms import (
    ProfileForm,
    WelcomeLanguagesForm,
    WelcomeTopicsForm,
    WelcomeYouForm,
)
from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.accounts.models import Level, Profile, User
from pairup.asks import services as ask_services
from pairup.asks.forms import GOOD_QUESTIONS, AskForm
from pairup.asks.views.asks import topic_suggestions_context
from pairup.core.errors import ServiceError
from pairup.core.validators import COMMON_LANGUAGES
from pairup.programs import queries as program_queries
from pairup.programs import services as program_services
from pairup.programs.forms import InviteCodeForm, JoinForm
from pairup.programs.models import Membership, Program
from pairup.programs.vetting.queries import answers_step
from pairup.programs.views import PENDING_INVITE, welcome_message


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    skippable: bool = True


STEPS = (
    Step("you", "Name and photo", skippable=False),
    Step("topics", "Topics"),
    Step("languages", "Languages"),
    Step("program", "Join a program"),
    Step("ask", "First ask"),
)
SLUGS = [s.slug for s in STEPS]
# The goals a first ask starts with (the person can take them off).
ASK_TOPICS_PREFILLED = 2


def step_url(slug: str) -> str:
    return reverse("welcome_step", args=[slug])


def next_step_url(profile: Profile) -> str:
    """Where an unfinished person picks up: the step they reached, else the first."""
    return step_url(profile.welcome_step if profile.welcome_step in SLUGS else SLUGS[0])


def _reached(profile: Profile) -> int:
    return SLUGS.index(profile.welcome_step) if profile.welcome_step in SLUGS else 0


def _advance(request: AuthenticatedHttpRequest, profile: Profile, step: Step) -> HttpResponse:
    """On to the step after `step` (remembered only when it is further than before); after
    the last, the guide is finished and the person goes home."""
    index = SLUGS.index(step.slug)
    if index + 1 >= len(STEPS):
        account_services.profile_welcome_finish(user=request.user)
        messages.success(request, "You are all set. Welcome to PairUp!")
        return redirect("home")
    following = STEPS[index + 1]
    if index + 1 > _reached(profile):
        account_services.profile_welcome_reach(user=request.user, step=following.slug)
    return redirect(step_url(following.slug))


def _page(
    request: AuthenticatedHttpRequest,
    profile: Profile,
    step: Step,
    template: str,
    context: dict[str, object],
    status: int = 200,
) -> HttpResponse:
    index = SLUGS.index(step.slug)
    reached = max(_reached(profile), index)
    steps = [
        {
            "title": s.title,
            "state": "current" if i == index else ("done" if i < reached else "todo"),
            # Any step reached so far can be opened again.
            "url": step_url(s.slug) if i <= reached and i != index else "",
        }
        for i, s in enumerate(STEPS)
    ]
    context = {
        "step": step,
        "steps": steps,
        "number": index + 1,
        "total": len(STEPS),
        "back_url": step_url(SLUGS[index - 1]) if index else "",
        **context,
    }
    return render(request, template, context, status=status)


# --------------------------------------------------------------------------- the steps


def _step_you(request: AuthenticatedHttpRequest, profile: Profile, step: Step) -> HttpResponse:
    initial = {"display_name": profile.display_name, "headline": profile.headline}
    if request.method == "POST":
        form = WelcomeYouForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            try:
                # Both or neither: a refused photo leaves the name as it was too.
                with transaction.atomic():
                    account_services.profile_update(
                        user=request.user,
                        fields={
                            "display_name": form.cleaned_data["display_name"],
                            "headline": form.cleaned_data["headline"],
                        },
                    )
                    if form.cleaned_data["photo"]:
                        account_services.profile_photo_set(
                            user=request.user, photo=form.cleaned_data["photo"]
                        )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                return _advance(request, profile, step)
        return _page(request, profile, step, "site/welcome/you.html", {"form": form}, status=422)
    form = WelcomeYouForm(initial=initial)
    return _page(request, profile, step, "site/welcome/you.html", {"form": form})


def _step_topics(request: AuthenticatedHttpRequest, profile: Profile, step: Step) -> HttpResponse:
    levels = {e.topic.slug: e.level for e in profile.expertise.select_related("topic")}
    initial = {"goals": [t.slug for t in profile.goals.all()], "expertise": list(levels)}
    form = WelcomeTopicsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        topics=account_services.profile_topic_ids(request.user),
    )
    if request.method == "POST":
        if "skip" in request.POST:
            return _advance(request, profile, step)
        if form.is_valid():
            try:
                account_services.profile_update(
                    user=request.user,
                    goals=form.cleaned_data["goals"],
                    # A level set before on the profile page is kept.
                    expertise=[
                        (slug, levels.get(slug, Level.EXPERIENCED))
                        for slug in form.cleaned_data["expertise"]
                    ],
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                return _advance(request, profile, step)
        return _page(request, profile, step, "site/welcome/topics.html", {"form": form}, status=422)
    return _page(request, profile, step, "site/welcome/topics.html", {"form": form})


def browser_languages(request: AuthenticatedHttpRequest) -> list[str]:
    """The common languages the browser says its person reads (Accept-Language), as a
    first guess for someone who has chosen none yet."""
    found: list[str] = []
    header = request.headers.get("Accept-Language", "")[:500]
    for tag, _ in parse_accept_lang_header(header):
        tag = tag.lower()
        base = "zh-hans" if tag.startswith("zh") else tag.split("-")[0]
        if base in COMMON_LANGUAGES and base not in found:
            found.append(base)
    return found[:3]


def _step_languages(
    request: AuthenticatedHttpRequest, profile: Profile, step: Step
) -> HttpResponse:
    initial = {
        "languages": profile.languages or browser_languages(request),
        "timezone": profile.timezone,
    }
    form = WelcomeLanguagesForm(
        request.POST if request.method == "POST" else None, initial=initial, keep=profile.languages
    )
    context = {"form": form, "timezones": ProfileForm.timezones(), "guess_timezone": True}
    if request.method == "POST":
        if "skip" in request.POST:
            return _advance(request, profile, step)
        if form.is_valid():
            try:
                account_services.profile_update(
                    user=request.user,
                    fields={
                        "languages": form.cleaned_data["languages"],
                        "timezone": form.cleaned_data["timezone"],
                    },
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                return _advance(request, profile, step)
        return _page(request, profile, step, "site/welcome/languages.html", context, status=422)
    # The browser's zone replaces the default UTC (app.js), never a zone the person chose.
    context["guess_timezone"] = profile.timezone == "UTC"
    return _page(request, profile, step, "site/welcome/languages.html", context)


def _join_form(profile: Profile, program: Program, data: object = None) -> JoinForm:
    """Roles guessed from the topics step: a mentee with goals, a mentor with expertise."""
    helps = profile.expertise.exists()
    initial = {"as_mentee": profile.goals.exists() or not helps, "as_mentor": helps}
    return JoinForm(
        data,
        prefix=f"join-{program.slug}",
        initial=initial,
        pools=program_queries.self_select_pools(program),
    )


def _step_program(request: AuthenticatedHttpRequest, profile: Profile, step: Step) -> HttpResponse:
    user = request.user
    pending = request.session.get(PENDING_INVITE, "")
    invite = program_queries.invite_lookup(pending) if pending else None
    member_of = set(Membership.objects.filter(user=user).values_list("program_id", flat=True))
    invited = (
        invite.program
        if invite is not None and invite.valid and invite.program is not None
        else None
    )
    if invited is not None and invited.pk in member_of:
        invited = None
    open_programs = [p for p in program_queries.open_programs(user) if p != invited]
    offered = [*([invited] if invited else []), *open_programs]
    join_forms = {p.slug: _join_form(profile, p) for p in offered}
    code_form = InviteCodeForm(prefix="invite")

    if request.method == "POST":
        action = request.POST.get("action", "")
        if "skip" in request.POST or action == "continue":
            return _advance(request, profile, step)
        if action == "code":
            code_form = InviteCodeForm(request.POST, prefix="invite")
            if code_form.is_valid():
                code = code_form.cleaned_data["code"]
                found = program_queries.invite_lookup(code)
                if found.valid:
                    request.session[PENDING_INVITE] = code
                    return redirect(step_url(step.slug))
                code_form.add_error("code", program_services.invite_refusal(found).detail)
        elif action == "join":
            slug = request.POST.get("program", "")
            program = next((p for p in offered if p.slug == slug), None)
            if program is None:
                raise Http404("No such program")
            form = join_forms[slug] = _join_form(profile, program, request.POST)
            if form.is_valid():
                try:
                    membership = program_services.program_join(
                        program=program,
                        user=user,
                        as_mentor=form.cleaned_data["as_mentor"],
                        as_mentee=form.cleaned_data["as_mentee"],
                        invite_code=pending if program == invited else None,
                        pools=form.cleaned_data.get("pools"),
                    )
                except ServiceError as exc:
                    form.add_error(None, exc.detail)
                else:
                    request.session.pop(PENDING_INVITE, None)
                    welcome_message(request, membership)
                    advanced = _advance(request, profile, step)
                    # A program that vets its mentors asks its questions first; its page
                    # sends the person back into the guide once they have answered.
                    answers = answers_step(membership)
                    return redirect(answers) if answers is not None else advanced
    memberships = Membership.objects.filter(user=user).select_related("program")
    context: dict[str, object] = {
        "invited": invited,
        "invite_problem": invite if invite is not None and not invite.valid else None,
        "invited_form": join_forms[invited.slug] if invited is not None else None,
        "open_offers": [(p, join_forms[p.slug]) for p in open_programs],
        "code_form": code_form,
        "memberships": memberships,
    }
    status = 422 if request.method == "POST" else 200
    return _page(request, profile, step, "site/welcome/program.html", context, status=status)


def _ask_program(user: User, slug: str | None) -> Program | None:
    """The program for the first ask: the one named, else the one joined last as a mentee."""
    memberships = Membership.objects.filter(user=user, is_mentee=True).select_related("program")
    if slug:
        memberships = memberships.filter(program__slug=slug)
    membership = memberships.order_by("-joined_at", "-pk").first()
    return membership.program if membership is not None else None


def _step_ask(request: AuthenticatedHttpRequest, profile: Profile, step: Step) -> HttpResponse:
    user = request.user
    if request.method == "POST" and ("skip" in request.POST or "finish" in request.POST):
        return _advance(request, profile, step)
    program = _ask_program(user, request.POST.get("program") or request.GET.get("program"))
    if program is None:
        is_mentor = Membership.objects.filter(user=user, is_mentor=True).exists()
        return _page(request, profile, step, "site/welcome/ask.html", {"is_mentor": is_mentor})
    goals = [t.slug for t in profile.goals.all()][:ASK_TOPICS_PREFILLED]
    form = AskForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial={"topics": goals},
    )
    question = form.data.get("question", "") if form.is_bound else ""
    context = {
        "form": form,
        "program": program,
        "examples": GOOD_QUESTIONS[:3],
        **topic_suggestions_context(str(question), program),
    }
    if request.method == "POST":
        if form.is_valid():
            try:
                ask = ask_services.ask_create(
                    program=program,
                    mentee=user,
                    topics=form.cleaned_data["topics"],
                    **form.service_fields(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                account_services.profile_welcome_finish(user=user)
                messages.success(
                    request, "Your first ask is open: invite one of the mentors below."
                )
                return redirect(ask)
        return _page(request, profile, step, "site/welcome/ask.html", context, status=422)
    return _page(request, profile, step, "site/welcome/ask.html", context)


HANDLERS: dict[str, Callable[[AuthenticatedHttpRequest, Profile, Step], HttpResponse]] = {
    "you": _step_you,
    "topics": _step_topics,
    "languages": _step_languages,
    "program": _step_program,
    "ask": _step_ask,
}


@login_required
def welcome(request: AuthenticatedHttpRequest) -> HttpResponse:
    return redirect(next_step_url(account_services.profile_get(user=request.user)))


@login_required
def welcome_step(request: AuthenticatedHttpRequest, step: str) -> HttpResponse:
    if step not in HANDLERS:
        raise Http404("No such step")
    profile = account_services.profile_get(user=request.user)
    return HANDLERS[step](request, profile, STEPS[SLUGS.index(step)])
