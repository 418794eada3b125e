from django.urls import path

from . import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("my-calendar/", views.my_calendar, name="my_calendar"),
    path("availability/feed/rotate/", views.calendar_feed_rotate, name="calendar_feed_rotate"),
    # Under engagements/<pk>/sessions/ so the asks app's engagements/<pk>/<action>/ never
    # catches them.
    path("engagements/<int:pk>/sessions/slots/", views.slot_picker, name="slot_picker"),
    path("engagements/<int:pk>/sessions/book/", views.session_book, name="session_book"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/<str:action>/", views.session_action, name="session_action"),
]
