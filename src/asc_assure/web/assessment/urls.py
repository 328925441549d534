from __future__ import annotations

from django.urls import path

from asc_assure.web.assessment import views

urlpatterns = [
    path("assurance/timeline/", views.timeline_page, name="assessment_timeline"),
    path("assurance/timeline/tasks/<int:task_id>/", views.task_update, name="assessment_task"),
    path("assurance/information-return/", views.return_page, name="information_return"),
    path("assurance/information-return/<str:item_id>/", views.return_item, name="information_return_item"),
    path("assurance/cases/", views.cases_page, name="cases"),
    path("assurance/cases/shortlist/", views.cases_shortlist, name="cases_shortlist"),
    path("assurance/cases/export.<str:fmt>", views.cases_export, name="cases_export"),
    path("assurance/cases/<int:number>/", views.case_page, name="case"),
]
