"""The program's insights dashboard for its admins, and each figure as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.programs.queries import get_admin_program_for_user

from .alerts import by_kind, cached_program_alerts
from .digests import alerts_news
from .figures import cached_program_insights
from .figures.sessions_and_load import SESSION_KINDS
from .forms import filter_form
from .report import BadMonth, Month, first_month, monthly_report, pdf_available, report_pdf
from .tables import TABLES, csv_lines, heat_levels


def _query(request: HttpRequest) -> str:
    return request.GET.urlencode()


@login_required
def insights_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = get_admin_program_for_user(request.user, slug)
    now = timezone.now()
    form = filter_form(request.GET or None, program, now)
    alerts = cached_program_alerts(program, now)
    news, _ = alerts_news(program, alerts)
    context: dict[str, object] = {
        "program": program,
        "membership": membership,
        "form": form,
        "query": _query(request),
        "alert_groups": by_kind(alerts),
        "alert_count": len(alerts),
        "alert_news": {a.ident for a in news},
        "report_month": Month.of(now).previous(),
    }
    if not form.is_bound or form.is_valid():
        filters = form.filters()
        figures = cached_program_insights(program, filters, now)
        context.update(
            filters=filters,
            figures=figures,
            tables={name: table(figures[key]) for name, (key, table) in TABLES.items()},
            heat=heat_levels(figures["cross_site"]),
            pool_name=form.pool_name(),
            chart_data={"figures": figures, "session_kinds": SESSION_KINDS},
        )
    return render(request, "insights/dashboard.html", context)


@login_required
def insights_csv(
    request: AuthenticatedHttpRequest, slug: str, name: str
) -> HttpResponse | StreamingHttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    if name not in TABLES:
        raise Http404("No such figure")
    now = timezone.now()
    form = filter_form(request.GET or None, program, now)
    if form.is_bound and not form.is_valid():
        error = form.service_error()
        return HttpResponse(error.detail, status=422, content_type="text/plain; charset=utf-8")
    filters = form.filters()
    key, table = TABLES[name]
    figure = cached_program_insights(program, filters, now, only=key)[key]
    response = StreamingHttpResponse(
        csv_lines(table(figure)), content_type="text/csv; charset=utf-8"
    )
    filename = (
        f"{program.slug}-{name}-{filters.start.date().isoformat()}-{filters.end.date().isoformat()}"
    )
    # A filtered download is named apart from the program's whole figure.
    for part in (filters.site, form.pool_name()):
        if slugify(part):
            filename += f"-{slugify(part)}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@login_required
def insights_report(request: AuthenticatedHttpRequest, slug: str, month: str) -> HttpResponse:
    """The printable monthly report (print stylesheet, server-drawn charts)."""
    program, _ = get_admin_program_for_user(request.user, slug)
    now = timezone.now()
    try:
        chosen = Month.parse(month, now)
    except BadMonth as exc:
        # A page that says what is wrong, with the 404 an address of nothing gets.
        context = {"program": program, "problem": str(exc), "last": Month.of(now).previous()}
        return render(request, "insights/report_missing.html", context, status=404)
    context = monthly_report(program, chosen, now)
    following = chosen.next()
    before = chosen.previous()
    context.update(
        previous=before if not before < first_month(program) else None,
        next=following if not following > Month.of(now) else None,
        pdf=pdf_available(),
    )
    return render(request, "insights/report.html", context)


@login_required
def insights_report_pdf(request: AuthenticatedHttpRequest, slug: str, month: str) -> HttpResponse:
    """The monthly report as a PDF (WeasyPrint); 404 where WeasyPrint cannot run."""
    program, _ = get_admin_program_for_user(request.user, slug)
    now = timezone.now()
    try:
        chosen = Month.parse(month, now)
    except BadMonth as exc:
        raise Http404(str(exc)) from None
    if not pdf_available():
        raise Http404("PDF reports need WeasyPrint and Pango on the server.")
    pdf = report_pdf(monthly_report(program, chosen, now), base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{program.slug}-report-{chosen}.pdf"'
    return response
