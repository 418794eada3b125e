"""Small pure helpers the figures share: percentiles, shares, rounding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    """n, median and 90th percentile (linear interpolation between the closest ranks, as
    NumPy's default), rounded to 0.01; None when there are no values."""
    if not values:
        return {"n": 0, "median": None, "p90": None}
    median, p90 = np.percentile(np.asarray(values, dtype=np.float64), [50, 90])
    return {"n": len(values), "median": round(float(median), 2), "p90": round(float(p90), 2)}


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 0.0001, None when whole is 0."""
    return round(part / whole, 4) if whole else None


def hours(seconds: float) -> float:
    return seconds / 3600.0
