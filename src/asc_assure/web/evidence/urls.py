from __future__ import annotations

from django.urls import path

from asc_assure.web.evidence import views

urlpatterns = [
    path("assurance/evidence/", views.evidence_list, name="evidence"),
    path("assurance/evidence/add/", views.evidence_add, name="evidence_add"),
    path("assurance/evidence/coverage/", views.evidence_coverage, name="evidence_coverage"),
    path("assurance/evidence/<int:item_id>/", views.evidence_item, name="evidence_item"),
    path("assurance/evidence/<int:item_id>/edit/", views.evidence_edit, name="evidence_edit"),
    path("assurance/evidence/<int:item_id>/retire/", views.evidence_retire, name="evidence_retire"),
    path("assurance/evidence/<int:item_id>/reinstate/", views.evidence_reinstate, name="evidence_reinstate"),
    path("assurance/evidence/<int:item_id>/download/", views.evidence_download, name="evidence_download"),
]
