from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.core.testing import make_group, make_unit
from jixiao.indicators.models import Indicator, TreeState, TreeStatus
from jixiao.indicators.tests.builders import build_tree
from jixiao.indicators.tests.conftest import Cast
from jixiao.indicators.tests.test_excel import OFFICE_ROWS
from jixiao.indicators.tests.workbooks import office_table

pytestmark = pytest.mark.django_db


def url(name: str, cast: Cast, owner: str = "U1", *args: Any) -> str:
    return reverse(f"indicators:{name}", args=[cast.cycle.code, owner, *args])


def test_the_editor_shows_running_totals_and_the_node_that_is_off(
    cast: Cast, client_as: Any
) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    Indicator.objects.filter(pk=nodes["一.2"].pk).update(points=49.5)
    response = client_as(cast.operator).get(url("tree", cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert "分值 120，下级指标合计 119.5（差 -0.5）" in page
    assert 'class="num off">119.5' in page


def test_an_operator_adds_a_node_through_the_form(cast: Cast, client_as: Any) -> None:
    client = client_as(cast.operator)
    response = client.post(
        url("node_add", cast),
        {"code": "一", "name": "经济发展", "points": "120", "aggregation": "mean"},
    )
    assert response.status_code == 302
    assert Indicator.objects.get(unit=cast.unit, code="一").name == "经济发展"
    response = client.post(
        url("node_add", cast), {"code": "二", "name": "x", "points": "abc", "aggregation": "mean"}
    )
    assert response.status_code == 200 and "points" in response.context["form"].errors
    response = client.post(
        url("node_add", cast),
        {"code": "三", "name": "x", "points": "1", "aggregation": "mean", "deadline": "2021-01-05"},
    )
    assert response.context["form"].errors["deadline"] == ["完成时限须在 2020 年度内"]


def test_another_units_operator_cannot_see_or_change_the_tree(cast: Cast, client_as: Any) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    client = client_as(cast.other_operator)
    assert client.get(url("tree", cast)).status_code == 404
    assert client.get(url("export", cast)).status_code == 404
    assert client.post(url("node_delete", cast, "U1", nodes["一"].pk)).status_code == 404
    assert client.post(url("transition", cast), {"to": "submitted"}).status_code == 404
    assert Indicator.objects.filter(unit=cast.unit).count() == 5
    # The leader sees it but may not edit it.
    client = client_as(cast.leader)
    assert client.get(url("tree", cast)).status_code == 200
    assert client.post(url("node_delete", cast, "U1", nodes["一"].pk)).status_code == 403


def test_import_previews_then_saves_only_on_confirm(cast: Cast, client_as: Any) -> None:
    client = client_as(cast.operator)
    data = office_table(OFFICE_ROWS, merges=["B6:B7"])
    upload = SimpleUploadedFile("附件1.xlsx", data)
    response = client.post(url("import", cast), {"file": upload, "mode": "replace"})
    assert response.status_code == 200
    assert response.context["result"].errors == []
    assert not Indicator.objects.filter(unit=cast.unit).exists()
    token = response.context["token"]
    response = client.post(url("import_confirm", cast, "U1", token))
    assert response.status_code == 302
    assert Indicator.objects.filter(unit=cast.unit).count() == 5
    # The token is spent.
    response = client.post(url("import_confirm", cast, "U1", token))
    assert Indicator.objects.filter(unit=cast.unit).count() == 5


def test_a_bad_upload_shows_every_error_and_saves_nothing(cast: Cast, client_as: Any) -> None:
    client = client_as(cast.operator)
    upload = SimpleUploadedFile("x.xlsx", b"not a workbook")
    response = client.post(url("import", cast), {"file": upload, "mode": "replace"})
    assert response.status_code == 200
    assert "文件已损坏或不是 Excel 工作簿" in response.content.decode()
    assert response.context["token"] == ""


def test_workflow_buttons_move_the_tree(cast: Cast, client_as: Any) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    client_as(cast.operator).post(url("transition", cast), {"to": "submitted"})
    client_as(cast.leader).post(url("transition", cast), {"to": "approved"})
    response = client_as(cast.office).post(url("transition", cast), {"to": "locked"})
    assert response.status_code == 302
    assert TreeStatus.objects.get(unit=cast.unit).state == TreeState.LOCKED
    page = client_as(cast.operator).get(url("tree", cast)).content.decode()
    assert "添加一级指标" not in page


def test_export_downloads_a_workbook(cast: Cast, client_as: Any) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    response = client_as(cast.viewer).get(url("export", cast))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("units", [1, 3])
def test_tree_list_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    group = make_group(cast.cycle, "G9", "镇街")
    for i in range(units):
        make_unit(f"X{i}", cycle=cast.cycle, group=group)
    client = client_as(cast.office)
    # session, user, cycle, the user's memberships, participations with unit and group,
    # tree statuses, node counts and totals per tree, the header's cycle switcher.
    with django_assert_num_queries(8):
        response = client.get(reverse("indicators:trees", args=[cast.cycle.code]))
    assert len(response.context["rows"]) == units + 3


@pytest.mark.parametrize("leaves", [1, 3])
def test_tree_editor_queries(
    leaves: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    from decimal import Decimal

    from jixiao.indicators.services import add_indicator, get_tree_status
    from jixiao.indicators.tests.builders import leaf

    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    top = add_indicator(
        status=status,
        parent=None,
        values={"code": "一", "name": "a", "points": Decimal(200)},
        by=cast.operator,
    )
    for i in range(leaves):
        add_indicator(
            status=status,
            parent=top,
            values=leaf(f"一.{i}", "b", 1, collection_unit=cast.collector_unit),
            by=cast.operator,
        )
    client = client_as(cast.operator)
    # session, user, cycle, the user's memberships, participation with unit, tree status,
    # the nodes with their collection units, the header's cycle switcher.
    with django_assert_num_queries(8):
        response = client.get(url("tree", cast))
    assert len(response.context["outline"]) == leaves + 1
