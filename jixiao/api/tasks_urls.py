from __future__ import annotations

from django.urls import path

from jixiao.api import tasks_views as v

urlpatterns = [
    path("cycles/<str:code>/tasks/", v.TaskListView.as_view(), name="tasks"),
    path("cycles/<str:code>/tasks/<int:pk>/", v.TaskDetailView.as_view(), name="task"),
    path(
        "cycles/<str:code>/tasks/<int:pk>/milestones/",
        v.MilestoneListView.as_view(),
        name="task_milestones",
    ),
    path(
        "cycles/<str:code>/tasks/<int:pk>/progress/",
        v.ProgressListView.as_view(),
        name="task_progress",
    ),
    path("cycles/<str:code>/tasks/<int:pk>/state/", v.StateView.as_view(), name="task_state"),
]
