from __future__ import annotations

from django.urls import path

from asc_assure.web.risks import views

urlpatterns = [
    path("risks/", views.register, name="risks"),
    path("risks/heat-map/", views.heat_map, name="risk_heat_map"),
    path("risks/new/", views.new_risk, name="risk_new"),
    path("risks/<str:ref>/", views.risk_detail, name="risk"),
    path("risks/<str:ref>/edit/", views.edit_risk, name="risk_edit"),
    path("risks/<str:ref>/rescore/", views.rescore_risk, name="risk_rescore"),
]
