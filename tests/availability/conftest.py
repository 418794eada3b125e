"""Availability tests use the same people, clock and engagement as the sessions tests."""

from tests.sessions.conftest import (  # noqa: F401
    NOW,
    engagement,
    frozen,
    london_week,
    make_engagement,
)
