from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jixiao.indicators.models import Indicator
from jixiao.indicators.tests.builders import build_tree
from jixiao.indicators.tests.conftest import Cast
from jixiao.indicators.tests.test_excel import OFFICE_ROWS
from jixiao.indicators.tests.workbooks import office_table

pytestmark = pytest.mark.django_db


def test_export_then_import_by_command(cast: Cast, tmp_path: Path) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    out = tmp_path / "u1.xlsx"
    call_command("export_indicators", "--cycle", "2020", "--unit", "U1", "-o", str(out))
    before = sorted(Indicator.objects.filter(unit=cast.unit).values_list("code", "name", "points"))
    Indicator.objects.filter(unit=cast.unit).delete()
    call_command("import_indicators", "--cycle", "2020", "--unit", "U1", str(out))
    after = sorted(Indicator.objects.filter(unit=cast.unit).values_list("code", "name", "points"))
    assert after == before


def test_dry_run_saves_nothing_and_errors_fail(cast: Cast, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(office_table(OFFICE_ROWS, merges=["B6:B7"]))
    call_command("import_indicators", "--cycle", "2020", "--unit", "U1", str(good), "--dry-run")
    assert not Indicator.objects.filter(unit=cast.unit).exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError):
        call_command("import_indicators", "--cycle", "2020", "--unit", "U1", str(bad))
