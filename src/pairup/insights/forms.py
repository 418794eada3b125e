"""The dashboard's date range and site/pool filter: the page, its CSV downloads and the API
read their parameters through this one form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms

from pairup.core.errors import ServiceError
from pairup.core.forms import CleanTextMixin, choice_field
from pairup.programs import member_queries
from pairup.programs.models import Pool, Program
from pairup.programs.queries import program_sites

from .figures import DEFAULT_DAYS, MAX_DAYS, InsightsFilters, default_range


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class InsightsFilterForm(CleanTextMixin, forms.Form):
    filters_only = True  # every field is optional: no "(optional)" labels
    start = forms.DateField(
        label="From",
        required=False,
        help_text="UTC day, included",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    end = forms.DateField(
        label="Until",
        required=False,
        help_text="UTC day, not included",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    site = forms.ChoiceField(label="Site", required=False, choices=())
    pool = forms.TypedChoiceField(
        label="Pool", required=False, choices=(), coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, sites: list[str], pools: list[Pool], now: datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.pools = [(p.pk, p.name) for p in pools]
        choice_field(self, "site").choices = [("", "Every site")] + [(s, s) for s in sites]
        choice_field(self, "pool").choices = [("", "Every pool")] + [
            (str(p.pk), p.name) for p in pools
        ]
        # The range shown when none is asked for: the last 90 days.
        start, end = default_range(now)
        self.fields["start"].initial = start.date()
        self.fields["end"].initial = end.date()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "start" in self.errors or "end" in self.errors:
            return data
        start, end = self._range(data)
        if start >= end:
            self.add_error("start", "Choose a start before the end.")
        elif (end - start).days > MAX_DAYS:
            self.add_error("start", f"Choose a range of at most {MAX_DAYS} days.")
        return data

    def _range(self, data: dict[str, Any]) -> tuple[datetime, datetime]:
        """The range asked for: the last 90 days by default; a missing end is tomorrow (UTC
        midnight, so today counts), a missing start 90 days before the end."""
        default_start, default_end = default_range(self.now)
        end = _midnight(data["end"]) if data.get("end") else default_end
        if data.get("start"):
            start = _midnight(data["start"])
        elif data.get("end"):
            start = end - timedelta(days=DEFAULT_DAYS)
        else:
            start = default_start
        return start, end

    def filters(self) -> InsightsFilters:
        """The range and filters asked for; the defaults for an unbound form. Only for a
        valid (or unbound) form."""
        data = self.cleaned_data if self.is_bound else {}
        start, end = self._range(data)
        return InsightsFilters(
            start=start, end=end, site=data.get("site") or "", pool=data.get("pool")
        )

    def pool_name(self) -> str:
        """The name of the pool chosen ("" none)."""
        pool = self.cleaned_data.get("pool") if self.is_bound else None
        if pool is None:
            return ""
        return next((str(name) for pk, name in self.pools if pk == pool), "")

    def service_error(self) -> ServiceError:
        """The first field in error, as the API's 422 names it."""
        field, errors = next(iter(self.errors.items()))
        return ServiceError(f"{field}: {errors[0]}", code="invalid", field=field)


def filter_form(data: Any, program: Program, now: datetime) -> InsightsFilterForm:
    """The filters of the dashboard, its CSVs and the API, over the program's sites and
    pools (three doors, one form). `data` None: unbound, the defaults."""
    return InsightsFilterForm(
        data,
        sites=program_sites(program),
        pools=list(member_queries.program_pools(program)),
        now=now,
    )
