from __future__ import annotations

from django.urls import path

from asc_assure.web.self_assessment import views

urlpatterns = [
    path("assurance/self-assessment/", views.index, name="self_assessment"),
    path("assurance/self-assessment/export/", views.export, name="self_assessment_export"),
    path("assurance/self-assessment/summary/", views.export_summary, name="self_assessment_summary"),
    path("assurance/self-assessment/<slug:slug>/", views.theme, name="self_assessment_theme"),
    path("assurance/self-assessment/<slug:slug>/edit/", views.edit, name="self_assessment_edit"),
    path("assurance/self-assessment/<slug:slug>/history/", views.history, name="self_assessment_history"),
    path("assurance/self-assessment/<slug:slug>/versions/<int:number>/", views.version,
         name="self_assessment_version"),
    path("assurance/self-assessment/<slug:slug>/diff/", views.diff, name="self_assessment_diff"),
    path("assurance/self-assessment/<slug:slug>/submit/", views.submit, name="self_assessment_submit"),
    path("assurance/self-assessment/<slug:slug>/approve/", views.approve, name="self_assessment_approve"),
    path("assurance/self-assessment/<slug:slug>/return/", views.return_for_changes, name="self_assessment_return"),
    path("assurance/scores/", views.scores, name="scores"),
    path("assurance/scores/self/", views.scores_self, name="scores_self"),
    path("assurance/scores/cqc/", views.scores_actual, name="scores_actual"),
]
