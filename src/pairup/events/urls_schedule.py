"""Routes of the events: schedule (organisers) and agenda (each participant's own)."""

from django.urls import URLPattern, URLResolver, path

from . import views_schedule as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("events/<slug:slug>/schedule/", views.schedule_preview, name="event_schedule"),
    path("events/<slug:slug>/schedule/solve/", views.schedule_solve, name="event_schedule_solve"),
    path(
        "events/<slug:slug>/schedule/publish/",
        views.schedule_publish,
        name="event_schedule_publish",
    ),
    path(
        "events/<slug:slug>/schedule/round/<int:round>/mentee/<int:mentee>/",
        views.schedule_seat,
        name="event_schedule_seat",
    ),
    path("events/<slug:slug>/schedule/cards/", views.schedule_cards, name="event_schedule_cards"),
    path("events/<slug:slug>/schedule.csv", views.schedule_csv, name="event_schedule_csv"),
    path("events/<slug:slug>/agenda/", views.agenda, name="event_agenda"),
    path("events/<slug:slug>/agenda.ics", views.agenda_download, name="event_agenda_ics"),
]
