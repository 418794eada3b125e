"""The HTTP API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from pairup.accounts.api import router as accounts_router
from pairup.accounts.api_auth import AUTH
from pairup.asks.api import router as asks_router
from pairup.availability.api import router as availability_router
from pairup.events import (
    api_after,  # noqa: F401 (adds its operations to the events router)
    api_live,  # noqa: F401 (adds the live room to the events router)
    api_schedule,  # noqa: F401 (adds schedules and agendas to the events router)
    api_setup,  # noqa: F401 (adds set-up and registration to the events router)
)
from pairup.events.api_router import router as events_router
from pairup.insights.alerts_api import router as insights_alerts_router
from pairup.insights.api import router as insights_router
from pairup.insights.dei_api import router as dei_router
from pairup.programs import setup_api  # noqa: F401 (adds its operations to the programs router)
from pairup.programs.api import router as programs_router
from pairup.programs.member_api import router as members_router
from pairup.programs.pool_api import router as pools_router
from pairup.programs.vetting.api import router as vetting_router
from pairup.sessions.api import router as sessions_router
from pairup.topics.api import router as topics_router

from .api_errors import install_error_handlers
from .openapi import document_errors


class PairUpAPI(NinjaAPI):
    """Ninja's API with every operation's error responses in its schema (see `openapi.py`)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema, self.operations_by_id())
        return schema

    def operations_by_id(self) -> dict[str, Operation]:
        # The bound routers hold the operations as served, with inherited auth and throttles.
        return {
            op.operation_id or self.get_openapi_operation_id(op): op
            for bound in self._get_bound_routers()
            for path_view in bound.path_operations.values()
            for op in path_view.operations
        }


api = PairUpAPI(
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
api.add_router("", members_router)
api.add_router("", vetting_router)
api.add_router("", pools_router)
api.add_router("", asks_router)
api.add_router("", availability_router)
api.add_router("", sessions_router)
api.add_router("", events_router)
api.add_router("", insights_router)
api.add_router("", insights_alerts_router)
api.add_router("", dei_router)
