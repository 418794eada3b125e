"""Pages for asks, invitations, engagements and the dashboards.

Each view: access helper (404 for outsiders) → form → one service call → redirect or
render. A refused service call becomes an error beside its field, or a message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pairup.core.errors import ServiceError
from pairup.programs import queries as program_queries
from pairup.programs.models import Membership
from pairup.programs.queries import get_admin_program_for_user, get_program_for_user

from . import engagements as eng
from . import queries, services
from .eligibility import eligibility_for_asks
from .forms import (
    GOOD_QUESTIONS,
    AskForm,
    BodyForm,
    CancelForm,
    DeclineForm,
    MenteeFeedbackForm,
    MentorFeedbackForm,
    ReportForm,
    ResourceForm,
)
from .models import (
    LIVE_INVITATION,
    Ask,
    AskStatus,
    Engagement,
    Feedback,
    Invitation,
    InvitationStatus,
    Report,
    Route,
    ThankYou,
)
from .suggest import suggestions_for_display

# ---------------------------------------------------------------- dashboards and board


@login_required
def mentee_dashboard(request: HttpRequest) -> HttpResponse:
    context = queries.mentee_dashboard(request.user)
    context["programs"] = [
        m.program
        for m in Membership.objects.filter(user=request.user, is_mentee=True).select_related(
            "program"
        )
    ]
    return render(request, "asks/mentee_dashboard.html", context)


@login_required
def mentor_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "asks/mentor_dashboard.html", queries.mentor_dashboard(request.user))


@login_required
def board(request: HttpRequest) -> HttpResponse:
    asks = list(queries.board_asks(request.user))
    verdicts = eligibility_for_asks(request.user, asks, timezone.now())
    rows = [(ask, verdicts[ask.pk]) for ask in asks]
    return render(request, "asks/board.html", {"rows": rows})


def code_of_conduct(request: HttpRequest) -> HttpResponse:
    return render(request, "asks/conduct.html")


# ---------------------------------------------------------------- writing an ask


@login_required
def ask_create(request: HttpRequest, slug: str) -> HttpResponse:
    program, membership = get_program_for_user(request.user, slug)
    form = AskForm(request.POST if request.method == "POST" else None, program=program)
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
            "examples": GOOD_QUESTIONS,
            "ask": None,
        },
    )


@login_required
def ask_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
    return render(
        request,
        "asks/ask_form.html",
        {"form": form, "program": program, "examples": GOOD_QUESTIONS, "ask": ask},
    )


# ---------------------------------------------------------------- the ask page


def _ask_page(
    request: HttpRequest, ask: Ask, answer_form: BodyForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    if ask.mentee_id != user.pk:
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
    engagement = Engagement.objects.filter(ask=ask).first()
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
            "answer_form": answer_form or BodyForm(label="Your answer"),
        },
        status=status,
    )


@login_required
def ask_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _ask_page(request, queries.get_ask_for_user(request.user, pk))


def _live_invitation(ask: Ask) -> Invitation:
    live = ask.invitations.filter(status__in=LIVE_INVITATION).first()
    if live is None:
        raise ServiceError("No invitation is pending on this ask.", code="no_invitation")
    return live


@login_required
@require_POST
def ask_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
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
    if ask.mentee_id != user.pk:
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


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


# ---------------------------------------------------------------- mentor triage


def _triage_page(
    request: HttpRequest,
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
            "decline_form": decline_form or DeclineForm(),
            "clarify_form": clarify_form or BodyForm(label="Your question for the mentee"),
        },
    )


@login_required
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = queries.get_invitation_for_user(request.user, pk)
    if invitation.mentor_id != request.user.pk:
        return redirect(invitation.ask)
    return _triage_page(request, invitation)


@login_required
@require_POST
def invitation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    invitation = queries.get_invitation_for_user(request.user, pk)
    user = request.user
    if invitation.mentor_id != user.pk:
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
        form = BodyForm(request.POST, label="Your question for the mentee")
        if form.is_valid():
            try:
                services.invitation_clarify(
                    invitation=invitation, by=user, body=form.cleaned_data["body"]
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Question sent. Your clock is paused until they answer.")
                return redirect(invitation)
        return _triage_page(request, invitation, clarify_form=form)
    raise Http404("No such action")


# ---------------------------------------------------------------- engagements


def _engagement_page(
    request: HttpRequest, engagement: Engagement, forms: dict[str, object] | None = None
) -> HttpResponse:
    user = request.user
    role = engagement.role_of(user)
    other = engagement.other(user)
    feedback = {f.role: f for f in Feedback.objects.filter(engagement=engagement)}
    mine = feedback.get(role)
    theirs = feedback.get("mentor" if role == "mentee" else "mentee")
    thanks = ThankYou.objects.filter(engagement=engagement).first()
    context = {
        "engagement": engagement,
        "ask": engagement.ask,
        "role": role,
        "other": other,
        "thread": list(queries.thread(engagement)),
        "resources": list(engagement.resources.select_related("author__profile")),
        "my_feedback": mine,
        "their_feedback": theirs if theirs and theirs.shared else None,
        "thanks": thanks,
        "i_share": engagement.mentee_shares_contact
        if role == "mentee"
        else engagement.mentor_shares_contact,
        "both_share": engagement.mentee_shares_contact and engagement.mentor_shares_contact,
        "message_form": BodyForm(),
        "resource_form": ResourceForm(),
        "cancel_form": CancelForm(),
        "feedback_form": MenteeFeedbackForm() if role == "mentee" else MentorFeedbackForm(),
        "thanks_form": BodyForm(label="Your thank-you note"),
        **(forms or {}),
    }
    return render(request, "asks/engagement_detail.html", context)


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _engagement_page(request, queries.get_engagement_for_user(request.user, pk))


def _thread_partial(request: HttpRequest, engagement: Engagement, form: BodyForm) -> HttpResponse:
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
def engagement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    engagement = queries.get_engagement_for_user(request.user, pk)
    user = request.user
    role = engagement.role_of(user)
    form_classes = {
        "message": ("message_form", lambda: BodyForm(request.POST)),
        "resource": ("resource_form", lambda: ResourceForm(request.POST)),
        "cancel": ("cancel_form", lambda: CancelForm(request.POST)),
        "feedback": (
            "feedback_form",
            lambda: (MenteeFeedbackForm if role == "mentee" else MentorFeedbackForm)(request.POST),
        ),
        "thanks": ("thanks_form", lambda: BodyForm(request.POST, label="Your thank-you note")),
    }
    calls: dict[str, tuple[Callable[[dict[str, object]], object], str]] = {
        "message": (
            lambda d: eng.message_post(engagement=engagement, by=user, body=d["body"]),
            "",
        ),
        "resource": (
            lambda d: eng.resource_add(engagement=engagement, by=user, **d),
            "Resource shared.",
        ),
        "cancel": (
            lambda d: eng.engagement_close(
                engagement=engagement, by=user, cancel=True, reason=d["reason"]
            ),
            "The engagement is cancelled.",
        ),
        "feedback": (
            lambda d: eng.feedback_give(engagement=engagement, by=user, **d),
            "Thank you for your feedback.",
        ),
        "thanks": (
            lambda d: eng.thanks_send(engagement=engagement, by=user, body=d["body"]),
            "Your thank-you note is sent.",
        ),
        "complete": (
            lambda d: eng.engagement_close(engagement=engagement, by=user),
            "Marked as done. Please wrap up below.",
        ),
        "share-contact": (
            lambda d: eng.contact_share(engagement=engagement, by=user, share=True),
            "Your email is shared once the other person shares theirs too.",
        ),
        "hide-contact": (
            lambda d: eng.contact_share(engagement=engagement, by=user, share=False),
            "Your email is no longer shared.",
        ),
        "continue": (
            lambda d: eng.continue_propose(engagement=engagement, by=user),
            "Proposal sent.",
        ),
        "block": (
            lambda d: eng.block_create(by=user, blocked=engagement.other(user)),
            "Blocked: no more asks, invitations or messages between you two.",
        ),
    }
    if action not in calls:
        raise Http404("No such action")
    call, done = calls[action]
    form = None
    data: dict[str, object] = {}
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
def engagement_report(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = queries.get_engagement_for_user(request.user, pk)
    thread = list(queries.thread(engagement))
    form = ReportForm(request.POST if request.method == "POST" else None, thread=thread)
    other = engagement.other(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                eng.report_create(
                    engagement=engagement,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    message_ids=form.cleaned_data["messages"],
                )
                if form.cleaned_data["block"]:
                    eng.block_create(by=request.user, blocked=other)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "Thank you. The program's admins will look at your report.")
            return redirect(engagement)
    return render(
        request,
        "asks/report_form.html",
        {"engagement": engagement, "form": form, "other": other},
    )


@login_required
@require_POST
def thanks_profile(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the thanked mentor may find it here: filtered by who they are, never by id alone.
    thanks = (
        ThankYou.objects.select_related("engagement")
        .filter(pk=pk, engagement__mentor=request.user)
        .first()
    )
    if thanks is None:
        raise Http404("No such thank-you note")
    show = request.POST.get("show") == "1"
    eng.thanks_show_on_profile(thanks=thanks, by=request.user, show=show)
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


# ---------------------------------------------------------------- program admins


@login_required
def program_asks(request: HttpRequest, slug: str) -> HttpResponse:
    """States and ratings of the program's asks; never messages."""
    program, membership = get_admin_program_for_user(request.user, slug)
    asks = list(
        Ask.objects.filter(program=program)
        .exclude(status=AskStatus.DRAFT)
        .select_related("mentee__profile", "engagement__mentor__profile")
        .prefetch_related("topics")
        .order_by("-created_at", "-pk")[:200]
    )
    ratings = dict(
        Feedback.objects.filter(
            engagement__program=program, role="mentee", rating__isnull=False
        ).values_list("engagement__ask_id", "rating")
    )
    for ask in asks:
        ask.rating = ratings.get(ask.pk)
    reports = list(
        Report.objects.filter(engagement__program=program)
        .select_related("reporter__profile", "reported__profile")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "asks/program_asks.html",
        {"program": program, "membership": membership, "asks": asks, "reports": reports},
    )


@login_required
def report_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    report = (
        Report.objects.select_related("reporter__profile", "reported__profile", "engagement__ask")
        .filter(pk=pk, engagement__program=program)
        .first()
    )
    if report is None:
        raise Http404("No such report")
    if request.method == "POST":
        try:
            eng.report_resolve(report=report, by=request.user)
            messages.success(request, "The report is marked resolved.")
        except ServiceError as exc:
            messages.error(request, exc.detail)
        return redirect("report_detail", slug=program.slug, pk=report.pk)
    chosen = list(report.messages.select_related("author__profile").order_by("created_at", "pk"))
    return render(
        request,
        "asks/report_detail.html",
        {"program": program, "report": report, "chosen": chosen},
    )


# A mentor's page in a program's directory: it lives with asks because it shows the thanks
# the mentor received and leads to writing an ask.
@login_required
def mentor_profile(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    program, mentor = program_queries.get_mentor_for_user(request.user, slug, user_id)
    profile = mentor.user.profile
    expertise = profile.expertise.select_related("topic")
    thanks = queries.public_thanks(mentor.user, program.pk)
    can_ask = Membership.objects.filter(program=program, user=request.user, is_mentee=True).exists()
    return render(
        request,
        "programs/mentor_profile.html",
        {
            "program": program,
            "mentor": mentor,
            "profile": profile,
            "expertise": expertise,
            "thanks": thanks,
            "can_ask": can_ask and request.user.pk != mentor.user_id,
        },
    )
