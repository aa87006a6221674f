from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import Role
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Phase
from jixiao.indicators.models import Indicator, Method, Source, Tree
from jixiao.tasks import selectors
from jixiao.tasks.lights import Light
from jixiao.tasks.models import Task
from jixiao.tasks.services import add_milestone, add_task, report_progress
from jixiao.tasks.workflow import change_state

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    cycle = make_cycle(str(YEAR), phase=Phase.EXECUTION)
    group = make_group(cycle)
    u1 = make_unit("U1", cycle=cycle, group=group)
    u2 = make_unit("U2", cycle=cycle, group=group)
    leaves = {}
    for unit in (u1, u2):
        top = Indicator.objects.create(
            cycle=cycle, tree=Tree.PERFORMANCE, unit=unit, code="一", name="a", points=Decimal(200)
        )
        leaves[unit.code] = Indicator.objects.create(
            cycle=cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            parent=top,
            code="一.1",
            name="b",
            points=Decimal(200),
            method=Method.JUDGEMENT,
            source=Source.KEY_WORK,
        )
    operator = make_user("operator", Role.UNIT_OPERATOR, unit=u1)
    return {
        "cycle": cycle,
        "u1": u1,
        "u2": u2,
        "leaves": leaves,
        "operator": operator,
        "other": make_user("other", Role.UNIT_OPERATOR, unit=u2),
        "office": make_user("office", Role.OFFICE_ADMIN),
    }


def make_task(world: dict[str, Any], unit: str = "U1", title: str = "任务", **extra: Any) -> Task:
    values = {"title": title, "starts_on": date(YEAR, 1, 1), "due": date(YEAR, 12, 31), **extra}
    return add_task(leaf=world["leaves"][unit], values=values, by=world["operator"])


def lights_on(world: dict[str, Any], today: date) -> list[Light]:
    qs = selectors.tasks_qs(cycle=world["cycle"])
    return [r.light for r in selectors.task_rows(tasks=qs, today=today, warn=7)]


def test_lights_move_with_the_clock_and_roll_up(world: dict[str, Any]) -> None:
    task = make_task(world)
    milestone = add_milestone(
        task=task, values={"title": "方案", "due": date(YEAR, 3, 31)}, by=world["operator"]
    )
    assert lights_on(world, date(YEAR, 3, 1)) == [Light.GREEN]
    assert lights_on(world, date(YEAR, 3, 25)) == [Light.YELLOW]  # milestone due in 6 days
    assert lights_on(world, date(YEAR, 4, 1)) == [Light.RED]  # milestone overdue
    change_state(obj=milestone, to="done", by=world["operator"], today=date(YEAR, 4, 2))
    assert lights_on(world, date(YEAR, 4, 3)) == [Light.GREEN]
    report_progress(
        task=task,
        values={"reported_on": date(YEAR, 7, 1), "percent": 20, "done_text": "x"},
        by=world["operator"],
    )
    assert lights_on(world, date(YEAR, 7, 2)) == [Light.YELLOW]  # 20 % at half time
    make_task(world, "U2", due=date(YEAR, 5, 1))
    rows = selectors.task_rows(
        tasks=selectors.tasks_qs(cycle=world["cycle"]), today=date(YEAR, 7, 2), warn=7
    )
    units, leaves, overall = selectors.roll_up(rows)
    assert units[world["u1"].pk].light == Light.YELLOW
    assert units[world["u2"].pk].light == Light.RED
    assert leaves[world["leaves"]["U1"].pk] == Light.YELLOW
    assert overall == Light.RED


def test_another_units_operator_cannot_see_or_change_a_task(
    world: dict[str, Any], client: Any
) -> None:
    task = make_task(world)
    client.force_login(world["other"])
    code = world["cycle"].code
    assert client.get(reverse("tasks:task", args=[code, task.pk])).status_code == 404
    assert client.get(reverse("tasks:unit", args=[code, "U1"])).status_code == 404
    assert (
        client.post(reverse("tasks:state", args=[code, task.pk]), {"to": "done"}).status_code == 404
    )
    assert client.get(reverse("tasks:dashboard", args=[code])).status_code == 302  # to own unit
    client.force_login(world["operator"])
    assert (
        client.post(reverse("tasks:state", args=[code, task.pk]), {"to": "done"}).status_code == 302
    )
    task.refresh_from_db()
    assert task.state == "done"


def test_a_deadline_outside_the_year_is_refused(world: dict[str, Any]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_task(world, due=date(YEAR + 1, 1, 31))


@pytest.mark.parametrize("n", [1, 3])
def test_office_dashboard_queries(
    n: int, world: dict[str, Any], client: Any, django_assert_num_queries: Any
) -> None:
    for i in range(n):
        task = make_task(
            world, "U1" if i % 2 else "U2", title=f"t{i}", responsible_user=world["operator"]
        )
        add_milestone(
            task=task, values={"title": "m", "due": date(YEAR, 6, 1)}, by=world["operator"]
        )
    client.force_login(world["office"])
    # session, user, cycle, the user's memberships, participations with unit and group,
    # groups for the filter, the light rule, tasks with unit, leaf, person and latest
    # percent, their milestones, the header's cycle switcher.
    with django_assert_num_queries(10):
        response = client.get(reverse("tasks:dashboard", args=[world["cycle"].code]), {"light": ""})
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_unit_dashboard_queries(
    n: int, world: dict[str, Any], client: Any, django_assert_num_queries: Any
) -> None:
    for i in range(n):
        task = make_task(world, title=f"t{i}")
        add_milestone(
            task=task, values={"title": "m", "due": date(YEAR, 6, 1)}, by=world["operator"]
        )
    client.force_login(world["operator"])
    # session, user, cycle, the user's memberships, participation with unit, the light rule,
    # tasks, milestones, the tree's nodes, the header's cycle switcher.
    with django_assert_num_queries(10):
        response = client.get(reverse("tasks:unit", args=[world["cycle"].code, "U1"]))
    assert sum(len(i["tasks"]) for i in response.context["outline"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_my_items_queries(
    n: int, world: dict[str, Any], client: Any, django_assert_num_queries: Any
) -> None:
    for i in range(n):
        task = make_task(world, title=f"t{i}", responsible_user=world["operator"])
        add_milestone(
            task=task,
            values={"title": "m", "due": date(YEAR, 6, 1), "responsible_user": world["operator"]},
            by=world["operator"],
        )
    client.force_login(world["operator"])
    # session, user, cycle, the user's memberships, the light rule, my tasks, their
    # milestones, my milestones with task and unit, the header's cycle switcher.
    with django_assert_num_queries(9):
        response = client.get(reverse("tasks:mine", args=[world["cycle"].code]))
    assert len(response.context["items"]) == 2 * n
    assert response.context["items"][0]["due"] <= response.context["items"][-1]["due"]


def test_progress_attachments_are_served_only_to_those_who_may_see_the_task(
    world: dict[str, Any], client: Any, tmp_path: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    task = make_task(world)
    report = report_progress(
        task=task,
        values={"reported_on": date(YEAR, 2, 1), "percent": 10, "done_text": "开题"},
        files=[SimpleUploadedFile("进度说明.txt", "已完成调研".encode())],
        by=world["operator"],
    )
    attachment = report.files.get()
    url = reverse("tasks:attachment", args=[world["cycle"].code, task.pk, attachment.pk])

    client.force_login(world["operator"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "已完成调研".encode()
    assert "attachment" in response["Content-Disposition"]

    client.force_login(world["other"])  # another unit's operator
    assert client.get(url).status_code == 404
    other_task = make_task(world, unit="U2")
    wrong_task = reverse(
        "tasks:attachment", args=[world["cycle"].code, other_task.pk, attachment.pk]
    )
    client.force_login(world["office"])
    assert client.get(wrong_task).status_code == 404  # the file is not under that task
