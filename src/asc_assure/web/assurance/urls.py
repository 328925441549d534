from __future__ import annotations

from django.urls import path

from asc_assure.web.assurance import views

urlpatterns = [
    path("assurance/", views.overview, name="assurance"),
    path("assurance/framework/", views.framework, name="cqc_framework"),
    path("assurance/rating/", views.rating_calculator, name="cqc_rating"),
]
