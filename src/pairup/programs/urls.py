from django.urls import path

from . import roster_views, views

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
    path("p/<slug:slug>/import/", roster_views.roster_upload, name="program_roster_upload"),
    path(
        "p/<slug:slug>/import/<slug:token>/",
        roster_views.roster_review,
        name="program_roster_review",
    ),
    path(
        "p/<slug:slug>/import/<slug:token>/commit/",
        roster_views.roster_commit,
        name="program_roster_commit",
    ),
]
