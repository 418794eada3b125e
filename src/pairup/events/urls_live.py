"""Routes of the events: live."""

from django.urls import URLPattern, URLResolver, path

from . import live_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("events/<slug:slug>/live/", views.live_room, name="event_live_room"),
    path("events/<slug:slug>/live/me/", views.live_me, name="event_live_me"),
    path("events/<slug:slug>/live/state.json", views.live_state, name="event_live_state"),
    path("events/<slug:slug>/live/control/", views.live_control_page, name="event_live_control"),
    path(
        "events/<slug:slug>/live/control/<slug:action>/",
        views.live_action,
        name="event_live_action",
    ),
    path("events/<slug:slug>/live/checkin/", views.live_checkin, name="event_live_checkin"),
    path(
        "events/<slug:slug>/live/absent-rest/",
        views.live_rest_absent,
        name="event_live_rest_absent",
    ),
    path(
        "events/<slug:slug>/live/registrations/<int:registration_id>/<slug:mark>/",
        views.live_attendance,
        name="event_live_attendance",
    ),
]
