"""rotations(): speed-mentoring schedules (work in progress)."""

from __future__ import annotations

from typing import Any


def rotations(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError
