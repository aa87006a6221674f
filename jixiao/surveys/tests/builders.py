"""Builders for the survey tests: a cycle with units, a survey, workbooks."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from jixiao.accounts.models import Unit
from jixiao.core.testing import make_cycle, make_group, make_unit
from jixiao.cycles.models import Cycle
from jixiao.surveys import services
from jixiao.surveys.models import Survey


def workbook(header: list[str], rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def people(n: int, *, start: int = 0, unit_code: str = "") -> list[list[Any]]:
    kinds = ["群众", "企业", "人大代表", "政协委员", "部门"]
    return [
        [
            unit_code,
            f"受访人{i}",
            f"139{i:08d}",
            kinds[i % 5] if i % 7 else "群众",
            "办理营业执照",
            "2020-03-01",
            "是",
        ]
        for i in range(start, start + n)
    ]


HEADER = ["单位代码", "姓名", "电话", "类别", "服务事项", "服务日期", "同意回访"]


def setup_cycle(code: str = "2020", units: int = 2) -> tuple[Cycle, list[Unit]]:
    cycle = make_cycle(code)
    group = make_group(cycle)
    made = [make_unit(f"U{i}", f"单位{i}", cycle=cycle, group=group) for i in range(1, units + 1)]
    return cycle, made


def open_survey(cycle: Cycle, by: Any = None) -> Survey:
    now = timezone.now()
    return services.save_survey(
        cycle=cycle,
        data={"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=10)},
        by=by,
    )


def reported_unit_with_sample(
    cycle: Cycle, unit: Unit, *, n: int = 10, sample: int = 5, by: Any = None
) -> list[str]:
    """n respondents imported and reported, ``sample`` drawn; returns the tokens."""
    from jixiao.surveys.models import Invitation, ListStatus
    from jixiao.surveys.workflow import change_list_status

    services.import_respondents(
        cycle=cycle, unit=unit, stream=workbook(HEADER, people(n, start=unit.pk * 1000)), by=by
    )
    change_list_status(
        respondent_list=services.respondent_list_for(cycle=cycle, unit=unit),
        to=ListStatus.REPORTED,
        by=by,
    )
    drawn = services.draw_sample(cycle=cycle, unit=unit, size=sample, seed="s", by=by)
    return list(Invitation.objects.filter(sample=drawn).values_list("token", flat=True))
