from __future__ import annotations

from django.urls import path

from asc_assure.web.prioritisation import views

BASE = "operations/prioritisation/"

urlpatterns = [
    path(BASE, views.waiting_list, name="prioritisation"),
    path(f"{BASE}waiting-well/", views.waiting_well, name="prioritisation_waiting_well"),
    path(f"{BASE}<str:referral_id>/", views.referral, name="prioritisation_referral"),
    path(f"{BASE}<str:referral_id>/prioritise/", views.prioritise, name="prioritisation_prioritise"),
    path(f"{BASE}<str:referral_id>/verify/", views.verify, name="prioritisation_verify"),
    path(f"{BASE}<str:referral_id>/reprioritise/", views.reprioritise, name="prioritisation_reprioritise"),
    path(f"{BASE}<str:referral_id>/check-in/", views.check_in, name="prioritisation_check_in"),
]
