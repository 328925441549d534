from __future__ import annotations

from django.urls import path

from asc_assure.web.monthly import views

urlpatterns = [
    path("report/monthly/", views.monthly_report, name="monthly_report"),
    path("report/monthly/download/", views.download, name="monthly_report_download"),
    path("report/monthly/<str:month>/commentary/<str:measure_id>/", views.commentary, name="monthly_commentary"),
]
