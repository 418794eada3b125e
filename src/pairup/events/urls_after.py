"""Routes of the events: after the event (people met, ratings, stay in touch, follow-up
asks, the organiser's summary) and conference buddies."""

from django.urls import URLPattern, URLResolver, path

from . import views_after, views_buddies

urlpatterns: list[URLPattern | URLResolver] = [
    path("events/<slug:slug>/met/", views_after.event_met, name="event_met"),
    path("events/<slug:slug>/met/<int:seat_id>/rate/", views_after.event_rate, name="event_rate"),
    path(
        "events/<slug:slug>/met/<int:seat_id>/stay-in-touch/",
        views_after.event_stay_in_touch,
        name="event_stay_in_touch",
    ),
    path(
        "events/<slug:slug>/met/<int:seat_id>/follow-up/",
        views_after.event_follow_up,
        name="event_follow_up",
    ),
    path("events/<slug:slug>/summary/", views_after.event_summary_page, name="event_summary"),
    path("events/<slug:slug>/buddies/", views_buddies.event_buddies, name="event_buddies"),
    path(
        "events/<slug:slug>/buddies/<int:thread_id>/",
        views_buddies.event_buddy_thread,
        name="event_buddy_thread",
    ),
    path(
        "events/<slug:slug>/buddies/<str:action>/",
        views_buddies.event_buddies_action,
        name="event_buddies_action",
    ),
]
