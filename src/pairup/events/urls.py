"""The events' pages. Each part of the feature keeps its routes in its own module."""

from django.urls import include, path

urlpatterns = [
    path("", include("pairup.events.urls_setup")),
    path("", include("pairup.events.urls_schedule")),
    path("", include("pairup.events.urls_live")),
    path("", include("pairup.events.urls_after")),
]
