from __future__ import annotations

from django.urls import path

from asc_assure.web.scheduling import views

urlpatterns = [
    path("operations/schedule/", views.schedule, name="schedule"),
    path("operations/schedule/plan.csv", views.plan_csv, name="schedule_plan_csv"),
]
