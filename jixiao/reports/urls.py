from __future__ import annotations

from django.urls import path

from jixiao.reports import export_views, publication_views, views, whatif_views

urlpatterns = [
    path("", views.home, name="home"),
    path("cycles/<str:code>/", views.cycle_overview, name="cycle_overview"),
    path("cycles/<str:code>/recompute/", views.cycle_recompute, name="cycle_recompute"),
    path("cycles/<str:code>/ranking/", views.ranking, name="ranking"),
    path("cycles/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    path("cycles/<str:code>/units/<str:unit_code>/", views.unit_card, name="unit_card"),
    path("cycles/<str:code>/results/", publication_views.publication, name="publication"),
    path(
        "cycles/<str:code>/results/public/",
        publication_views.publication_public,
        name="publication_public",
    ),
    path("cycles/<str:code>/whatif/", whatif_views.whatif, name="whatif"),
    path("cycles/<str:code>/verify/", publication_views.verification, name="verification"),
    path("public/<str:code>/", publication_views.public_results, name="public_results"),
    # Downloads
    path(
        "cycles/<str:code>/export/score-sheet.xlsx",
        export_views.score_sheet_xlsx,
        name="export_score_sheet_xlsx",
    ),
    path(
        "cycles/<str:code>/export/ranking.xlsx",
        export_views.ranking_xlsx,
        name="export_ranking_xlsx",
    ),
    path(
        "cycles/<str:code>/export/adjustments.xlsx",
        export_views.adjustments_xlsx,
        name="export_adjustments_xlsx",
    ),
    path("cycles/<str:code>/export/notice.pdf", export_views.notice_pdf, name="export_notice_pdf"),
    path("cycles/<str:code>/export/cards.pdf", export_views.cards_pdf, name="export_cards_pdf"),
    path(
        "cycles/<str:code>/units/<str:unit_code>/card.pdf",
        export_views.card_pdf,
        name="export_card_pdf",
    ),
]
