from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jixiao.api import reports_views as v

C = "cycles/<str:code>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(C + "scorecards/<str:unit_code>/", v.ScoreCardView.as_view(), name="scorecard"),
    path(
        C + "scorecards/<str:unit_code>/card.pdf", v.CardExportView.as_view(), name="scorecard_pdf"
    ),
    path(C + "exports/score-sheet.xlsx", v.ScoreSheetExportView.as_view(), name="export_sheet"),
    path(C + "exports/ranking.xlsx", v.RankingExportView.as_view(), name="export_ranking"),
    path(
        C + "exports/adjustments.xlsx",
        v.AdjustmentsExportView.as_view(),
        name="export_adjustments",
    ),
    path(C + "exports/notice.pdf", v.NoticeExportView.as_view(), name="export_notice"),
    path(C + "exports/cards.pdf", v.CardsExportView.as_view(), name="export_cards"),
    path(C + "verification/", v.VerificationView.as_view(), name="verification"),
]
