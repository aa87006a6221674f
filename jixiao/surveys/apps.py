from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "jixiao.surveys"
    label = "surveys"
    verbose_name = _("公众评议")

    def ready(self) -> None:
        # Copying a cycle carries the questionnaire over (not respondents, samples or answers).
        from jixiao.cycles.services import register_copy_step

        register_copy_step(_copy_survey_step)


def _copy_survey_step(ctx: Any) -> None:
    from jixiao.surveys.models import Survey
    from jixiao.surveys.services import copy_survey

    if Survey.objects.filter(cycle=ctx.source).exists():
        survey = copy_survey(source=ctx.source, target=ctx.target, by=ctx.by)
        ctx.counts["survey_questions"] = survey.questions.count()
