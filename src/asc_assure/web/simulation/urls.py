from __future__ import annotations

from django.urls import path

from asc_assure.web.simulation import views

urlpatterns = [
    path("simulation/", views.index, name="simulation"),
]
