from __future__ import annotations

from django.urls import path

from asc_assure.web.cld import views

urlpatterns = [
    path("cld/validate/", views.validate, name="cld_validate"),
    path("cld/validate/<str:token>/report.<str:fmt>", views.report_download, name="cld_validate_report"),
    path("cld/waiting-times/", views.waiting_times, name="cld_waiting_times"),
]
