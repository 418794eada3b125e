"""The DEI lens's CSV download: one field's aggregates, with the same hidden cells as the
dashboard (pairup.insights.dei); never a row per person."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone

from pairup.accounts.http import AuthenticatedHttpRequest
from pairup.programs.queries import get_admin_program_for_user

from .dei import dei_field_csv_rows, dei_release
from .tables import _Echo


@login_required
def insights_dei_csv(
    request: AuthenticatedHttpRequest, slug: str, field_id: int
) -> StreamingHttpResponse:
    program, _ = get_admin_program_for_user(request.user, slug)
    release = dei_release(program, timezone.now())
    rows = dei_field_csv_rows(release, field_id)
    if rows is None:
        raise Http404("No such field")
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in rows), content_type="text/csv; charset=utf-8"
    )
    name = f"{program.slug}-dei-{field_id}-before-{release['counted_before']}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
