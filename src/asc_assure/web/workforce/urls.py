from __future__ import annotations

from django.urls import path

from asc_assure.web.workforce import views

urlpatterns = [
    path("workforce/", views.index, name="workforce"),
    path("workforce/export.csv", views.export_csv, name="workforce_export"),
]
