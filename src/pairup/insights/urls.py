from django.urls import path

from . import views
from .simulation import urls as simulation_urls

urlpatterns = [
    path("p/<slug:slug>/insights/", views.insights_dashboard, name="insights_dashboard"),
    path("p/<slug:slug>/insights/<slug:name>.csv", views.insights_csv, name="insights_csv"),
]

urlpatterns += simulation_urls.urlpatterns
