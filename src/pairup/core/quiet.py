"""Writing on people's behalf without telling anyone.

The demo loader writes months of history through the same services people use; nobody
should get an email, nor a background task be queued, for any of it. Code that queues
email or background work asks `is_quiet()` first; in-app records are still written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_quiet: ContextVar[bool] = ContextVar("pairup_quiet", default=False)


@contextmanager
def quietly() -> Iterator[None]:
    """Inside this block services queue no email and no background task."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet() -> bool:
    return _quiet.get()
