"""The HTTP API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from pairup.accounts.api import router as accounts_router
from pairup.asks.api import router as asks_router
from pairup.programs.api import router as programs_router
from pairup.scheduling.api import router as scheduling_router
from pairup.topics.api import router as topics_router

from .auth import AUTH
from .errors import install_error_handlers

api = NinjaAPI(
    title="PairUp API",
    version="1",
    description="Micro-mentoring: asks, mentors, engagements and sessions. "
    "Authenticate with `Authorization: Bearer <token>` (POST /api/v1/auth/token) "
    "or a signed-in browser session with CSRF.",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("", accounts_router)
api.add_router("", topics_router)
api.add_router("", programs_router)
api.add_router("", asks_router)
api.add_router("", scheduling_router)
