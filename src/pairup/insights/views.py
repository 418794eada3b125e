"""The program's insights dashboard for its admins, and each figure as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.programs.queries import get_admin_program_for_user

from .figures import cached_program_insights
from .figures.sessions_and_load import SESSION_KINDS
from .forms import filter_form
from .tables import TABLES, csv_lines, heat_levels


def _query(request: HttpRequest) -> str:
    return request.GET.urlencode()


@login_required
def insights_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program, membership = get_admin_program_for_user(request.user, slug)
    now = timezone.now()
    form = filter_form(request.GET or None, program, now)
    context: dict[str, object] = {
        "program": program,
        "membership": membership,
        "form": form,
        "query": _query(request),
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
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
