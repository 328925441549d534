from __future__ import annotations

from django.urls import path

from asc_assure.web.ascof import views

urlpatterns = [
    path("ascof/", views.ascof, name="ascof"),
    path("ascof/benchmark/", views.benchmark, name="ascof_benchmark"),
    path("ascof/benchmark/upload/", views.benchmark_upload, name="ascof_benchmark_upload"),
]
