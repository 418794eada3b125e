"""Routes of the events: set-up, promotion and registration."""

from django.urls import URLPattern, URLResolver, path

from . import public_views, setup_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "p/<slug:program_slug>/events/", setup_views.program_event_list, name="event_program_list"
    ),
    path("p/<slug:program_slug>/events/new/", setup_views.event_create, name="event_create"),
    path("events/<slug:slug>/", public_views.event_public, name="event_public"),
    path("events/<slug:slug>/event.ics", public_views.event_calendar, name="event_ics"),
    path("events/<slug:slug>/register/", public_views.event_register, name="event_register"),
    path(
        "events/<slug:slug>/register/cancel/",
        public_views.event_unregister,
        name="event_unregister",
    ),
    path("events/<slug:slug>/edit/", setup_views.event_edit, name="event_edit"),
    path("events/<slug:slug>/publish/", setup_views.event_publish, name="event_publish"),
    path("events/<slug:slug>/cancel/", setup_views.event_cancel, name="event_cancel"),
    path("events/<slug:slug>/organisers/", setup_views.event_organisers, name="event_organisers"),
    path("events/<slug:slug>/manage/", setup_views.event_manage, name="event_manage"),
    path(
        "events/<slug:slug>/manage/registrations/<int:registration_id>/cancel/",
        setup_views.event_registrant_cancel,
        name="event_registrant_cancel",
    ),
    path("events/<slug:slug>/invite/", setup_views.event_invite_page, name="event_invite"),
]
