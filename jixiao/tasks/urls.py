from __future__ import annotations

from django.urls import path

from jixiao.tasks import views

app_name = "tasks"

urlpatterns = [
    path("cycles/<str:code>/tasks/", views.dashboard, name="dashboard"),
    path("cycles/<str:code>/tasks/warn-days/", views.warn_days, name="warn_days"),
    path("cycles/<str:code>/tasks/mine/", views.mine, name="mine"),
    path("cycles/<str:code>/tasks/units/<str:unit_code>/", views.unit_dashboard, name="unit"),
    path(
        "cycles/<str:code>/tasks/units/<str:unit_code>/leaves/<int:leaf>/add/",
        views.task_add,
        name="add",
    ),
    path("cycles/<str:code>/tasks/<int:pk>/", views.task_detail, name="task"),
    path("cycles/<str:code>/tasks/<int:pk>/edit/", views.task_edit, name="edit"),
    path("cycles/<str:code>/tasks/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("cycles/<str:code>/tasks/<int:pk>/state/", views.state, name="state"),
    path("cycles/<str:code>/tasks/<int:pk>/progress/", views.progress_add, name="progress_add"),
    path(
        "cycles/<str:code>/tasks/<int:pk>/files/<int:file_id>/",
        views.attachment_file,
        name="attachment",
    ),
]
