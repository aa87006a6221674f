from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.surveys import views

C = "cycles/<str:code>/survey/"
U = C + "units/<str:unit_code>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # The public pages: short links for SMS and QR codes, outside /cycles/.
    path("s/done/", views.public_thanks, name="survey_thanks"),
    path("s/<str:token>/", views.public_survey, name="survey_public"),
    path(C, views.survey_overview, name="survey_overview"),
    path(C + "compute/", views.survey_compute, name="survey_compute"),
    path(C + "settings/", views.survey_settings, name="survey_settings"),
    path(C + "questions/<int:pk>/delete/", views.question_delete, name="survey_question_delete"),
    path(C + "import/", views.respondents_import, name="survey_import_all"),
    path(C + "export.xlsx", views.respondents_export, name="survey_export_all"),
    path(C + "phone/", views.phone_entry, name="survey_phone"),
    path(C + "responses/", views.responses_page, name="survey_responses"),
    path(C + "responses/import/", views.responses_import, name="survey_responses_import"),
    path(
        C + "responses/<int:pk>/validity/", views.response_validity, name="survey_response_validity"
    ),
    path(C + "invitations/<int:pk>/qr.<str:fmt>", views.invitation_qr, name="survey_qr"),
    path(U, views.unit_page, name="survey_unit"),
    path(
        U + "respondents/<int:pk>/delete/", views.respondent_delete, name="survey_respondent_delete"
    ),
    path(U + "status/", views.list_status, name="survey_list_status"),
    path(U + "sample/", views.sample_draw, name="survey_sample"),
    path(U + "import/", views.respondents_import, name="survey_import"),
    path(U + "export.xlsx", views.respondents_export, name="survey_export"),
    path(U + "invitations/", views.invitations_page, name="survey_invitations"),
    path(U + "invitations.xlsx", views.invitations_export, name="survey_invitations_export"),
]
