"""The one router of the events' API (/api/v1/events/...): each part of the feature adds its
operations to it from its own module, and `site.api` imports those modules."""

from ninja import Router

router = Router(tags=["events"])
