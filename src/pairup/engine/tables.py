"""tables(): roundtables (work in progress)."""

from __future__ import annotations

from typing import Any


def tables(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError
