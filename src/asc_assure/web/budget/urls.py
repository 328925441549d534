from __future__ import annotations

from django.urls import path

from asc_assure.web.budget import views

urlpatterns = [
    path("budget/", views.month_page, name="budget"),
    path("budget/import/", views.import_lines, name="budget_import"),
    path("budget/savings/", views.savings_page, name="budget_savings"),
    path("budget/savings/<int:scheme_id>/", views.scheme_page, name="budget_scheme"),
]
