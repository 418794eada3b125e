"""Cross-site connections: engagements by the mentee's site and the mentor's."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count

from .scope import Scope
from .stats import share


def cross_site(scope: Scope) -> dict[str, Any]:
    """The engagements begun in the range, by the mentee's site (rows) and the mentor's
    (columns), either side chosen by the filters. Sites compare without case, as matching's
    cross-site share does (`pairup.engine.cohort.cohort_figures`), each shown as its most
    common spelling; "" is no site. `cross_share`: among engagements whose two people both
    name a site, the share at different sites. One query."""
    rows = (
        scope.engagements(either_side=True)
        .values("mentee__profile__site", "mentor__profile__site")
        .annotate(n=Count("pk"))
        .order_by()
    )
    spellings: dict[str, Counter[str]] = {}
    cells: Counter[tuple[str, str]] = Counter()
    for r in rows:
        pair = []
        for site in (r["mentee__profile__site"] or "", r["mentor__profile__site"] or ""):
            key = site.strip().casefold()
            spellings.setdefault(key, Counter())[site.strip()] += r["n"]
            pair.append(key)
        cells[(pair[0], pair[1])] += r["n"]
    volume: Counter[str] = Counter()
    for (mentee, mentor), n in cells.items():
        volume[mentee] += n
        volume[mentor] += n
    keys = sorted(volume, key=lambda k: (k == "", -volume[k], k))
    name = {k: spellings[k].most_common(1)[0][0] if k else "" for k in keys}
    both = sum(n for (a, b), n in cells.items() if a and b)
    across = sum(n for (a, b), n in cells.items() if a and b and a != b)
    return {
        "sites": [name[k] for k in keys],
        "matrix": [[cells[(a, b)] for b in keys] for a in keys],
        "engagements": sum(cells.values()),
        "cross_share": share(across, both),
    }
