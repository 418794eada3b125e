from django.urls import path

from . import views
from .views import cohort, handover

urlpatterns = [
    path("asks/", views.mentee_dashboard, name="mentee_dashboard"),
    path("mentor/", views.mentor_dashboard, name="mentor_dashboard"),
    path("board/", views.board, name="board"),
    path("conduct/", views.code_of_conduct, name="code_of_conduct"),
    path("p/<slug:slug>/asks/new/", views.ask_create, name="ask_create"),
    path(
        "p/<slug:slug>/asks/new/topics/",
        views.ask_topic_suggestions,
        name="ask_topic_suggestions",
    ),
    path("p/<slug:slug>/mentors/", views.mentor_directory, name="mentor_directory"),
    path("p/<slug:slug>/mentors/<int:user_id>/", views.mentor_profile, name="mentor_profile"),
    path("p/<slug:slug>/asks/", views.program_asks, name="program_asks"),
    path("p/<slug:slug>/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("asks/<int:pk>/", views.ask_detail, name="ask_detail"),
    path("asks/<int:pk>/edit/", views.ask_edit, name="ask_edit"),
    path("asks/<int:pk>/<str:action>/", views.ask_action, name="ask_action"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path("invitations/<int:pk>/<str:action>/", views.invitation_action, name="invitation_action"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/report/", views.engagement_report, name="engagement_report"),
    path("engagements/<int:pk>/<str:action>/", views.engagement_action, name="engagement_action"),
    path("thanks/<int:pk>/profile/", views.thanks_profile, name="thanks_profile"),
    # Offboarding a mentor, removing a member: their engagements handed over (program admins).
    path(
        "p/<slug:slug>/members/<int:membership_id>/offboard/",
        handover.member_offboard,
        name="member_offboard",
    ),
    path(
        "p/<slug:slug>/members/<int:membership_id>/removal/",
        handover.member_remove_review,
        name="member_remove_review",
    ),
    # Cohort matching (program admins).
    path("p/<slug:slug>/matching/", cohort.cohort_home, name="cohort_home"),
    path("p/<slug:slug>/matching/start/", cohort.cohort_start, name="cohort_start"),
    path("p/<slug:slug>/matching/rounds/", cohort.cohort_round_new, name="cohort_round_new"),
    path("p/<slug:slug>/matching/by-hand/", cohort.cohort_match_by_hand, name="cohort_match"),
    path("p/<slug:slug>/matching/runs/<int:run_id>/", cohort.cohort_review, name="cohort_review"),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/progress/",
        cohort.cohort_progress,
        name="cohort_progress",
    ),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/rerun/", cohort.cohort_rerun, name="cohort_rerun"
    ),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/publish/",
        cohort.cohort_publish,
        name="cohort_publish",
    ),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/scores.csv",
        cohort.cohort_scores,
        name="cohort_scores",
    ),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/asks/<int:ask_id>/",
        cohort.cohort_pair,
        name="cohort_pair",
    ),
    path(
        "p/<slug:slug>/matching/runs/<int:run_id>/asks/<int:ask_id>/keep/",
        cohort.cohort_pair_keep,
        name="cohort_pair_keep",
    ),
]
