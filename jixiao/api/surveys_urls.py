from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.api import surveys_views as v

C = "cycles/<str:code>/survey/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("survey/responses/", v.PublicSubmissionView.as_view(), name="survey_submit"),
    path(C + "respondents/", v.RespondentsView.as_view(), name="survey_respondents"),
    path(C + "invitations/", v.InvitationsView.as_view(), name="survey_invitations"),
    path(C + "responses/", v.ResponsesView.as_view(), name="survey_responses"),
    path(C + "scores/", v.ScoresView.as_view(), name="survey_scores"),
]
