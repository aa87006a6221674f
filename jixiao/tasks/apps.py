from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "jixiao.tasks"
    label = "tasks"
    verbose_name = _("任务分解与进度")
