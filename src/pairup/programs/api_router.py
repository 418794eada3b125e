"""The router of /programs endpoints. `api` and `setup_api` both add operations to it (one
router, so GET and POST /programs share a path), and site.api registers it once."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["programs"])
