from __future__ import annotations

from django.urls import path

from asc_assure.web.ascof import views

urlpatterns = [
    path("ascof/", views.ascof, name="ascof"),
]
