from django.urls import path

from . import dei_views, views

urlpatterns = [
    path(
        "p/<slug:slug>/insights/dei/<int:field_id>.csv",
        dei_views.insights_dei_csv,
        name="insights_dei_csv",
    ),
    path("p/<slug:slug>/insights/", views.insights_dashboard, name="insights_dashboard"),
    path(
        "p/<slug:slug>/insights/report/<str:month>.pdf",
        views.insights_report_pdf,
        name="insights_report_pdf",
    ),
    path(
        "p/<slug:slug>/insights/report/<str:month>/",
        views.insights_report,
        name="insights_report",
    ),
    path("p/<slug:slug>/insights/<slug:name>.csv", views.insights_csv, name="insights_csv"),
]
