"""Who may open which report page, and what each page shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Phase
from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db


def overview_url(built: Built) -> str:
    return reverse("cycle_overview", args=[built.cycle.code])


def ranking_url(built: Built) -> str:
    return reverse("ranking", args=[built.cycle.code])


def card_url(built: Built, index: int = 0) -> str:
    return reverse("unit_card", args=[built.cycle.code, built.units[index].code])


def recompute_url(built: Built) -> str:
    return reverse("cycle_recompute", args=[built.cycle.code])


# Anonymous readers -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "overview", "ranking", "card"])
def test_anonymous_reader_is_sent_to_login(page: str, built: Built, client_as: Any) -> None:
    url = {
        "home": reverse("home"),
        "overview": overview_url(built),
        "ranking": ranking_url(built),
        "card": card_url(built),
    }[page]
    response = client_as(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_recompute_is_sent_to_login(built: Built, client_as: Any) -> None:
    response = client_as(None).post(recompute_url(built))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Outsiders ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "ranking", "card"])
def test_outsider_gets_404_on_cycle_pages(
    page: str, built: Built, cast: Cast, client_as: Any
) -> None:
    url = {"overview": overview_url(built), "ranking": ranking_url(built), "card": card_url(built)}
    response = client_as(cast.outsider).get(url[page])
    assert response.status_code == 404


def test_outsider_home_lists_no_cycle(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.outsider).get(reverse("home"))
    assert response.status_code == 200
    assert built.cycle.name not in response.content.decode()
    assert "暂无可查看的考评年度" in response.content.decode()


def test_unknown_cycle_is_404(cast: Cast, client_as: Any) -> None:
    response = client_as(cast.office).get(reverse("cycle_overview", args=["1999"]))
    assert response.status_code == 404


# Unit operators and leaders ----------------------------------------------------------------


def test_operator_sees_own_card(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.operator).get(card_url(built, 0))
    assert response.status_code == 200
    assert built.units[0].name in response.content.decode()


def test_operator_gets_404_on_another_units_card(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.operator).get(card_url(built, 1))
    assert response.status_code == 404


def test_operator_is_redirected_from_ranking_to_own_card(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.operator).get(ranking_url(built))
    assert response.status_code == 302
    assert response["Location"] == card_url(built, 0)


def test_leader_is_redirected_from_ranking_to_own_card(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.leader).get(ranking_url(built))
    assert response.status_code == 302
    assert response["Location"] == card_url(built, 2)


def test_inspector_without_unit_gets_403_on_ranking(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.inspector).get(ranking_url(built))
    assert response.status_code == 403


def test_operator_overview_has_no_ranking_links_nor_recompute(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.operator).get(overview_url(built))
    assert response.status_code == 200
    body = response.content.decode()
    assert ranking_url(built) not in body
    assert recompute_url(built) not in body


def test_operator_card_hides_reviewer_names(built: Built, cast: Cast, client_as: Any) -> None:
    body = client_as(cast.operator).get(card_url(built, 0)).content.decode()
    assert "评估组成员 1" in body
    assert "评估组成员 3" in body
    for reviewer in built.reviewers:
        assert reviewer.username not in body
        assert reviewer.display_name not in body


# Viewers -----------------------------------------------------------------------------------


def test_viewer_sees_every_group_in_ranking(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.viewer).get(ranking_url(built))
    assert response.status_code == 200
    body = response.content.decode()
    for group in built.groups:
        assert group.name in body
    for unit in built.units:
        assert card_url(built, built.units.index(unit)) in body


def test_viewer_sees_any_card_but_not_reviewer_names(
    built: Built, cast: Cast, client_as: Any
) -> None:
    body = client_as(cast.viewer).get(card_url(built, 3)).content.decode()
    assert built.units[3].name in body
    assert built.reviewers[0].username not in body


def test_viewer_sees_no_recompute_button(built: Built, cast: Cast, client_as: Any) -> None:
    body = client_as(cast.viewer).get(overview_url(built)).content.decode()
    assert recompute_url(built) not in body
    assert "重新计算" not in body


# The office --------------------------------------------------------------------------------


def test_office_overview_shows_recompute_button_and_scheme_link(
    built: Built, cast: Cast, client_as: Any
) -> None:
    body = client_as(cast.office).get(overview_url(built)).content.decode()
    assert recompute_url(built) in body
    assert reverse("admin:cycles_cycle_change", args=[built.cycle.pk]) in body


def test_office_card_shows_reviewer_names(built: Built, cast: Cast, client_as: Any) -> None:
    body = client_as(cast.office).get(card_url(built, 0)).content.decode()
    assert "评审员1 (reviewer1)" in body
    assert "评估组成员 1" not in body


def test_office_recompute_replaces_results_and_says_so(
    built: Built, cast: Cast, client_as: Any
) -> None:
    Result.objects.filter(cycle=built.cycle).delete()
    response = client_as(cast.office).post(
        recompute_url(built), {"reason": "复核后更正"}, follow=True
    )
    assert response.redirect_chain[-1][0] == overview_url(built)
    assert "已重新计算 4 个单位的结果，其中暂定 0 个。" in response.content.decode()
    assert Result.objects.filter(cycle=built.cycle).count() == 4
    entry = AuditEntry.objects.filter(action="recompute").latest("id")
    assert (entry.actor, entry.reason) == (cast.office, "复核后更正")


def test_recompute_of_finalized_cycle_is_refused_with_message(
    built: Built, cast: Cast, client_as: Any
) -> None:
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save()
    response = client_as(cast.office).post(recompute_url(built), follow=True)
    assert "已定档或归档的考评年度不能重新计算" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("outsider", 404)])
def test_others_cannot_recompute(
    who: str, status: int, built: Built, cast: Cast, client_as: Any
) -> None:
    before = list(Result.objects.values_list("id", flat=True))
    response = client_as(getattr(cast, who)).post(recompute_url(built))
    assert response.status_code == status
    assert list(Result.objects.values_list("id", flat=True)) == before


def test_recompute_refuses_get(built: Built, cast: Cast, client_as: Any) -> None:
    assert client_as(cast.office).get(recompute_url(built)).status_code == 405


# Page contents -----------------------------------------------------------------------------


def test_home_lists_cycles_with_unit_counts(built: Built, cast: Cast, client_as: Any) -> None:
    body = client_as(cast.office).get(reverse("home")).content.decode()
    assert built.cycle.name in body
    assert overview_url(built) in body
    assert '<td class="num">4</td>' in body


def test_overview_shows_grade_distribution_and_hash(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.office).get(overview_url(built))
    body = response.content.decode()
    assert built.cycle.results_hash in body
    groups = {g.group.code: g for g in response.context["groups"]}
    assert groups["G1"].grades == [("优秀", 2), ("良好", 0), ("一般", 0), ("较差", 0)]
    assert f"{ranking_url(built)}?group=G1" in body


def test_overview_without_results_says_not_computed(cast: Cast, client_as: Any) -> None:
    empty = build_cycle("2021", recompute=False)
    body = client_as(cast.office).get(reverse("cycle_overview", args=["2021"])).content.decode()
    assert "尚未计算" in body
    assert reverse("cycle_recompute", args=[empty.cycle.code]) in body


def test_ranking_without_results_says_not_computed(cast: Cast, client_as: Any) -> None:
    build_cycle("2021", recompute=False)
    body = client_as(cast.office).get(reverse("ranking", args=["2021"])).content.decode()
    assert "尚未计算" in body


def test_group_without_units_has_empty_state(cast: Cast, client_as: Any) -> None:
    build_cycle("2021", groups=(("G1", "政府部门"), ("G9", "党群部门")), units_per_group=0)
    client = client_as(cast.office)
    assert "本组暂无参评单位" in client.get(reverse("ranking", args=["2021"])).content.decode()
    assert (
        "本组暂无参评单位" in client.get(reverse("cycle_overview", args=["2021"])).content.decode()
    )


def test_ranking_filters_by_group(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.viewer).get(ranking_url(built), {"group": "G2"})
    assert [t.group.code for t in response.context["tables"]] == ["G2"]
    assert [r.unit.code for r in response.context["tables"][0].rows] == [
        built.units[2].code,
        built.units[3].code,
    ]


def test_ranking_unknown_group_is_404(built: Built, cast: Cast, client_as: Any) -> None:
    assert client_as(cast.viewer).get(ranking_url(built), {"group": "NOPE"}).status_code == 404


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rank", ["U01", "U02"]),
        ("composite", ["U02", "U01"]),
        ("-composite", ["U01", "U02"]),
        ("-unit", ["U02", "U01"]),
        ("password", ["U01", "U02"]),  # not a column: falls back to the rank
    ],
)
def test_ranking_sorts_by_whitelisted_column(
    sort: str, expected: list[str], built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.viewer).get(ranking_url(built), {"group": "G1", "sort": sort})
    rows = response.context["tables"][0].rows
    assert [r.unit.code.split("-")[1] for r in rows] == expected


def test_ranking_formats_numbers_to_cycle_precision(
    built: Built, cast: Cast, client_as: Any
) -> None:
    built.cycle.precision = 1
    built.cycle.save()
    body = client_as(cast.viewer).get(ranking_url(built)).content.decode()
    first = Result.objects.get(unit=built.units[0])
    assert first.composite == Decimal("911.8000")
    assert ">911.8<" in body
    assert "911.80" not in body
