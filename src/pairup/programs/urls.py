from django.urls import path

from . import member_views, views

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path("join/<str:code>/", views.program_join, name="program_join"),
    path("p/<slug:slug>/", views.program_detail, name="program_detail"),
    path("p/<slug:slug>/join/", views.program_join_open, name="program_join_open"),
    path("p/<slug:slug>/offer-to-mentor/", views.program_mentor_offer, name="program_mentor_offer"),
    path("p/<slug:slug>/members/", member_views.members, name="program_members"),
    path("p/<slug:slug>/members/invite/", views.invite_rotate, name="program_invite_rotate"),
    path(
        "p/<slug:slug>/members/<int:membership_id>/status/",
        views.member_set_status,
        name="program_member_status",
    ),
    # Issue 13, members: one member, removal, the CSV export, personal invitations.
    path(
        "p/<slug:slug>/members/<int:membership_id>/",
        member_views.member_detail,
        name="program_member",
    ),
    path(
        "p/<slug:slug>/members/<int:membership_id>/remove/",
        member_views.member_remove,
        name="program_member_remove",
    ),
    path(
        "p/<slug:slug>/members/export.csv",
        member_views.members_export,
        name="program_members_export",
    ),
    path(
        "p/<slug:slug>/members/invitations/",
        member_views.member_invitations,
        name="program_invitations",
    ),
    path(
        "p/<slug:slug>/members/invitations/<int:invitation_id>/<str:action>/",
        member_views.member_invitation_action,
        name="program_invitation_action",
    ),
    path("invite/<str:token>/", member_views.member_invitation, name="member_invitation"),
]
