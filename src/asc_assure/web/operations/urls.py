from __future__ import annotations

from django.urls import path

from asc_assure.web.operations import views

urlpatterns = [
    path("operations/", views.index, name="operations"),
    path("operations/dols/", views.dols_queue, name="operations_dols"),
    path("operations/dols/<str:application_id>/screen/", views.dols_screen, name="operations_dols_screen"),
    path("operations/safeguarding/", views.safeguarding, name="operations_safeguarding"),
    path("operations/safeguarding/<str:item_id>/extend/", views.safeguarding_extend,
         name="operations_safeguarding_extend"),
]
