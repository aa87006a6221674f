from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "jixiao.evaluations"
    label = "evaluations"
    verbose_name = _("评估")
