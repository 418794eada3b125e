"""Through what an action came: a web page, the API, the command line, or PairUp itself.

The audit log (programs.audit) records it. `ChannelMiddleware` sets "api" for requests
under /api/ and "web" for the others; the `pairup` command sets "cli" around every
management command. Plain strings, so this module imports no model and loads before apps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

WEB = "web"
API = "api"
COMMAND_LINE = "cli"
SYSTEM = "system"

_channel: ContextVar[str] = ContextVar("channel", default=SYSTEM)


@contextmanager
def channel(name: str) -> Iterator[None]:
    """Record the actions done inside as coming through `name`."""
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> str:
    return _channel.get()
