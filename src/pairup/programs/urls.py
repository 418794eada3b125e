from django.urls import path

from . import views

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path("join/<str:code>/", views.program_join, name="program_join"),
    path("p/<slug:slug>/", views.program_detail, name="program_detail"),
    path("p/<slug:slug>/join/", views.program_join_open, name="program_join_open"),
    path("p/<slug:slug>/offer-to-mentor/", views.program_mentor_offer, name="program_mentor_offer"),
    path("p/<slug:slug>/members/", views.members, name="program_members"),
    path("p/<slug:slug>/members/invite/", views.invite_rotate, name="program_invite_rotate"),
    path(
        "p/<slug:slug>/members/<int:membership_id>/status/",
        views.member_set_status,
        name="program_member_status",
    ),
]
