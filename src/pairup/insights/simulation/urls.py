from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:slug>/insights/simulator/", views.simulator, name="insights_simulator"),
    path(
        "p/<slug:slug>/insights/simulator/save/",
        views.simulator_save,
        name="insights_simulator_save",
    ),
]
