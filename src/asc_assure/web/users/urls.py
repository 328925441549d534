from __future__ import annotations

from django.urls import path

from asc_assure.web.users import views

urlpatterns = [
    path("", views.user_list, name="users"),
    path("new/", views.user_new, name="user_new"),
    path("<int:user_id>/", views.user_detail, name="user"),
    path("<int:user_id>/roles/", views.user_roles, name="user_roles"),
    path("<int:user_id>/teams/", views.user_teams, name="user_teams"),
    path("<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("<int:user_id>/reset-password/", views.user_reset_password, name="user_reset_password"),
]
