from __future__ import annotations

from django.urls import path

from asc_assure.web.equity import views

urlpatterns = [
    path("equity/", views.index, name="equity"),
]
