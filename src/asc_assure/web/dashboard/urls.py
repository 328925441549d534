from __future__ import annotations

from django.urls import path

from asc_assure.web.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/<str:measure_id>/", views.measure_detail, name="measure"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:load_id>/problems.csv", views.upload_errors, name="upload_errors"),
    path("pack/", views.pack, name="pack"),
]
