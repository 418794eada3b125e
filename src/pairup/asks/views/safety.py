"""Safety pages: reporting the other person of an engagement, and a program admin's view of a report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pairup.asks import queries, services
from pairup.asks.forms import (
    ReportForm,
)
from pairup.asks.models import (
    Report,
)
from pairup.core.errors import ServiceError
from pairup.programs.queries import get_admin_program_for_user


@login_required
def engagement_report(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = queries.get_engagement_for_user(request.user, pk)
    thread = list(queries.thread(engagement))
    form = ReportForm(request.POST if request.method == "POST" else None, thread=thread)
    other = engagement.other(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.report_create(
                    engagement=engagement,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    message_ids=form.cleaned_data["messages"],
                )
                if form.cleaned_data["block"]:
                    services.block_create(by=request.user, blocked=other)
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
            services.report_resolve(report=report, by=request.user)
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
