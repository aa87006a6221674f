"""Rankings with grade distributions and rules, the dashboard, and last year beside this year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jixiao.cycles.models import GradeMode
from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result
from jixiao.scoring.services import recompute_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def previous(built: Built) -> Built:
    """The same units a year earlier, ranked the other way round in each group."""
    return build_cycle("2019", units=built.units, reverse=True)


def card(client: Any, built: Built, index: int = 0) -> Any:
    return client.get(reverse("unit_card", args=[built.cycle.code, built.units[index].code]))


def test_ranking_shows_each_groups_grade_distribution_and_rule(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.viewer).get(reverse("ranking", args=["2020"]))
    tables = response.context["tables"]
    assert [t.grades for t in tables] == [
        [("优秀", 2), ("良好", 0), ("一般", 0), ("较差", 0)],
        [("优秀", 1), ("良好", 1), ("一般", 0), ("较差", 0)],
    ]
    body = response.content.decode()
    assert "得分 ≥ 900" in body
    assert "等次按分数段确定" in body


def test_quota_grades_state_the_boundary_and_that_ties_get_the_better_grade(
    cast: Cast, client_as: Any
) -> None:
    built = build_cycle("2021", units_per_group=4, groups=(("G1", "政府部门"),), recompute=False)
    built.cycle.grade_mode = GradeMode.QUOTAS
    built.cycle.grade_rules = {
        "quotas": [{"grade": "优秀", "share": "0.3"}, {"grade": "良好", "share": "0.5"}],
        "rest": "一般",
    }
    built.cycle.save()
    recompute_cycle(cycle=built.cycle, by=None)

    response = client_as(cast.viewer).get(reverse("ranking", args=["2021"]))

    body = response.content.decode()
    # 30 % of 4 units is 1.2: one unit; 80 % is 3.2: ranks up to 3.
    assert "累计前 30%：本组 4 个单位，名次 ≤ 1" in body
    assert "累计前 80%：本组 4 个单位，名次 ≤ 3" in body
    assert "名次并列而处于比例边界的单位，均取较好的等次" in body
    rows = response.context["tables"][0].rows
    assert [r.grade for r in rows] == ["优秀", "良好", "良好", "一般"]


def test_ranking_filters_by_grade_provisional_and_name_without_changing_the_distribution(
    cast: Cast, client_as: Any
) -> None:
    built = build_cycle("2021", units_per_group=3, groups=(("G1", "政府部门"),), complete=False)
    client = client_as(cast.viewer)
    url = reverse("ranking", args=["2021"])

    provisional = client.get(url, {"provisional": "1"}).context["tables"][0]
    by_name = client.get(url, {"q": "第2局"}).context["tables"][0]
    by_grade = client.get(url, {"grade": "较差"}).context["tables"][0]
    nobody = client.get(url, {"grade": "一般"})

    assert [r.unit.code for r in provisional.rows] == [built.units[2].code]
    assert [r.unit.code for r in by_name.rows] == [built.units[1].code]
    # Without a public score the third unit falls below 700.
    assert [r.unit.code for r in by_grade.rows] == [built.units[2].code]
    assert nobody.context["tables"][0].rows == []
    assert sum(n for _, n in nobody.context["tables"][0].grades) == 3
    assert "本组没有符合筛选条件的单位" in nobody.content.decode()


def test_ranking_tables_are_rendered_once_per_set_of_results(
    built: Built, cast: Cast, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as(cast.viewer)
    url = reverse("ranking", args=["2020"])
    first = client.get(url).context["tables_html"]
    # session, user, cycle, memberships, groups for the filter bar, the header's cycle switcher:
    # the groups and the results are not read again while the results stay the same.
    with django_assert_max_num_queries(6):
        second = client.get(url).context["tables_html"]
    assert second == first
    Result.objects.filter(unit=built.units[0]).update(composite=Decimal("1.5"))
    recompute_cycle(cycle=built.cycle, by=None)
    assert client.get(url).context["tables"]


def test_card_puts_last_years_value_and_the_change_beside_each_line(
    built: Built, previous: Built, cast: Cast, client_as: Any
) -> None:
    response = card(client_as(cast.viewer), built, 0)

    now = Result.objects.get(cycle=built.cycle, unit=built.units[0])
    before = Result.objects.get(cycle=previous.cycle, unit=built.units[0])
    rows = {c["key"]: c for c in response.context["components"]}
    assert rows["public"]["previous"] == before.public
    assert rows["public"]["change"] == now.public - before.public
    body = response.content.decode()
    assert "2019 年度" in body
    # The leaf 1.1 of the performance tree, beside its value in 2019.
    explanation = response.context["explanation"]
    leaf = explanation["children"][0]["children"][0]["children"][0]["children"][0]
    assert leaf["key"] == "performance:1.1"
    assert leaf["previous"] == format(
        Decimal(before.leaf_scores["performance:1.1"]).quantize(Decimal("0.01")), "f"
    )
    # Ranked the other way round in 2019: rank 1 now, 2 then.
    assert (now.rank, before.rank) == (1, 2)
    assert "↑1" in body


def test_card_shows_the_position_in_the_group_and_the_trend(
    built: Built, previous: Built, cast: Cast, client_as: Any
) -> None:
    response = card(client_as(cast.viewer), built, 1)
    standing = response.context["standing"]
    assert (standing.rank, standing.size) == (2, 2)
    assert standing.above.unit == built.units[0]
    assert standing.below is None
    assert [p.cycle.code for p in response.context["trend"]] == ["2019", "2020"]
    assert response.context["chart_radar"]["series"][0]["type"] == "radar"
    assert response.context["chart_trend"]["xAxis"]["data"] == ["2019", "2020"]


def test_operator_card_has_no_other_units_figures(
    built: Built, previous: Built, cast: Cast, client_as: Any
) -> None:
    response = card(client_as(cast.operator), built, 0)
    body = response.content.decode()
    assert response.context["standing"] is None
    assert response.context["chart_radar"] is None
    assert built.units[1].name not in body
    assert "组内平均" not in body


def test_dashboard_draws_the_group_with_grade_colours_and_card_links(
    built: Built, previous: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.viewer).get(reverse("dashboard", args=["2020"]), {"group": "G2"})

    assert response.status_code == 200
    bars = response.context["chart_ranking"]["series"][0]["data"]
    assert [b["url"] for b in bars] == [
        reverse("unit_card", args=["2020", built.units[2].code]),
        reverse("unit_card", args=["2020", built.units[3].code]),
    ]
    grades = dict(Result.objects.filter(cycle=built.cycle).values_list("unit__name", "grade"))
    colours = {"优秀": "#2e7d32", "良好": "#1f5fa8"}
    assert [b["itemStyle"]["color"] for b in bars] == [colours[grades[b["name"]]] for b in bars]
    movers = response.context["movers"]
    assert {m.rank_change for m in movers} == {1, -1}
    body = response.content.decode()
    assert "数据表：综合得分与等次" in body
    assert "reports/echarts.min.js" in body
    # The stacked parts of a linear formula add up to the composite before rounding.
    for result, parts in response.context["contribution_rows"]:
        assert abs(sum(parts) - result.composite) < Decimal("0.01")


def test_dashboard_sends_a_units_operator_to_the_card_and_refuses_others(
    built: Built, cast: Cast, client_as: Any
) -> None:
    url = reverse("dashboard", args=["2020"])
    assert client_as(cast.operator).get(url).status_code == 302
    assert client_as(cast.inspector).get(url).status_code == 403
    assert client_as(cast.outsider).get(url).status_code == 404
    assert client_as(cast.viewer).get(url, {"group": "NOPE"}).status_code == 404
