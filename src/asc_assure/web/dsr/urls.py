from __future__ import annotations

from django.urls import path

from asc_assure.web.dsr import views

urlpatterns = [
    path("operations/dsr/", views.register_list, name="dsr"),
    path("operations/dsr/add/", views.add, name="dsr_add"),
    path("operations/dsr/counts/", views.counts, name="dsr_counts"),
    path("operations/dsr/<str:entry_ref>/", views.entry_page, name="dsr_entry"),
    *[path(f"operations/dsr/<str:entry_ref>/{name}/", views.entry_form, {"form_name": name}, name=f"dsr_{name}")
      for name in views.FORMS],
    path("operations/dsr/<str:entry_ref>/action/<int:action_id>/done/", views.action_done, name="dsr_action_done"),
]
