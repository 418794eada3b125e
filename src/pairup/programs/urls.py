from django.urls import path

from . import identity_views, member_views, pool_views, roster_views, setup_views, views
from .vetting import views as vetting

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
    # Mentor vetting.
    path("p/<slug:slug>/mentors/queue/", vetting.mentor_queue, name="mentor_queue"),
    path(
        "p/<slug:slug>/mentors/queue/<int:membership_id>/<str:action>/",
        vetting.mentor_queue_action,
        name="mentor_queue_action",
    ),
    path(
        "p/<slug:slug>/mentors/questions/",
        vetting.application_questions,
        name="application_questions",
    ),
    path(
        "p/<slug:slug>/mentors/questions/<int:question_id>/",
        vetting.application_question_edit,
        name="application_question_edit",
    ),
    path("p/<slug:slug>/mentors/onboarding/", vetting.mentor_onboarding, name="mentor_onboarding"),
    path(
        "p/<slug:slug>/mentors/onboarding/edit/",
        vetting.mentor_onboarding_edit,
        name="mentor_onboarding_edit",
    ),
    path(
        "p/<slug:slug>/mentor-application/", vetting.mentor_application, name="mentor_application"
    ),
    path("programs/new/", setup_views.program_create, name="program_create"),
    path("p/<slug:slug>/settings/", setup_views.program_settings, name="program_settings"),
    path(
        "p/<slug:slug>/settings/topics/",
        setup_views.program_topic_add,
        name="program_topic_add",
    ),
    path(
        "p/<slug:slug>/settings/topics/<slug:topic>/remove/",
        setup_views.program_topic_remove,
        name="program_topic_remove",
    ),
    path("p/<slug:slug>/audit/", setup_views.program_audit, name="program_audit"),
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

# Pools, match rules and the reporting line (pool_views).
urlpatterns += [
    path("p/<slug:slug>/pools/", pool_views.pools, name="program_pools"),
    path("p/<slug:slug>/pools/rules/", pool_views.rule_create, name="program_rule_create"),
    path(
        "p/<slug:slug>/pools/rules/<int:rule_id>/delete/",
        pool_views.rule_delete,
        name="program_rule_delete",
    ),
    path(
        "p/<slug:slug>/pools/members/<int:membership_id>/",
        pool_views.member_matching,
        name="program_member_matching",
    ),
    path("p/<slug:slug>/pools/<int:pool_id>/", pool_views.pool_detail, name="program_pool"),
    path(
        "p/<slug:slug>/pools/<int:pool_id>/delete/",
        pool_views.pool_delete,
        name="program_pool_delete",
    ),
    path(
        "p/<slug:slug>/pools/<int:pool_id>/members/",
        pool_views.pool_members_add,
        name="program_pool_members_add",
    ),
    path(
        "p/<slug:slug>/pools/<int:pool_id>/members/<int:membership_id>/remove/",
        pool_views.pool_member_remove,
        name="program_pool_member_remove",
    ),
    path("p/<slug:slug>/my-pools/", pool_views.my_pools, name="program_my_pools"),
]

# Optional self-identification (the DEI lens): the admins' questions, each member's answers.
urlpatterns += [
    path(
        "p/<slug:slug>/settings/identity/",
        identity_views.identity_settings,
        name="program_identity",
    ),
    path(
        "p/<slug:slug>/settings/identity/matching/",
        identity_views.identity_matching,
        name="program_identity_matching",
    ),
    path(
        "p/<slug:slug>/settings/identity/<int:field_id>/",
        identity_views.identity_field_edit,
        name="program_identity_field",
    ),
    path("p/<slug:slug>/about-you/", identity_views.my_identity, name="program_identity_mine"),
]
