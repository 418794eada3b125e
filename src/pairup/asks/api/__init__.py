"""Asks, invitations, engagements and the mentor directory over /api/v1.

Each endpoint: access helper (404 for anyone who may not see the thing) → one service call →
serialise. Services refuse what the caller may not do (403), what does not fit the state
(409) and bad input (422, naming the field); the API's error handlers render all of them.
"""

from ninja import Router

router = Router(tags=["asks"])

# The endpoint modules register themselves on `router`.
from . import asks, cohort, directory, engagements, handover, invitations  # noqa: E402, F401
