"""Benchmark: import a 100,000-row respondent workbook on PostgreSQL, with memory that does
not grow with the row count.

    .venv/bin/python bench/survey_import.py [--rows 100000]

Writes the workbook (openpyxl write-only) under var/bench/, then imports it for one unit in a
fresh child process per size (10,000 and --rows), so each peak RSS (resource.getrusage) belongs
to one import only. Uses the database ``jixiao_survey_bench`` of bench/survey_scoring.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = "postgres://jixiao:jixiao@127.0.0.1:5432/jixiao_survey_bench"


def write_workbook(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["姓名", "电话", "类别", "服务事项", "服务日期", "同意回访"])
    kinds = ["群众", "企业", "人大代表", "政协委员", "部门", "其他"]
    for i in range(rows):
        sheet.append(
            [f"受访人{i}", f"13{i % 7 + 3}{i:08d}", kinds[i % 6], "办理事项", "2020-05-01", "是"]
        )
    book.save(path)


def child(path: str, rows: int) -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("JIXIAO_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle, Participation, RankingGroup
    from jixiao.surveys.models import Respondent, RespondentList
    from jixiao.surveys.services import import_respondents

    cycle, _c = Cycle.objects.get_or_create(code="SIMPORT", defaults={"name": "import bench"})
    group, _g = RankingGroup.objects.get_or_create(cycle=cycle, code="G", defaults={"name": "G"})
    unit, _u = Unit.objects.get_or_create(code=f"SIMP-{rows}", defaults={"name": f"导入{rows}"})
    Participation.objects.get_or_create(cycle=cycle, unit=unit, defaults={"group": group})
    # A plain DELETE: the ORM's delete() would load every row (for cascades) and inflate
    # the peak RSS this benchmark measures.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Respondent._meta.db_table} WHERE cycle_id = %s AND unit_id = %s",
            [cycle.pk, unit.pk],
        )
    RespondentList.objects.filter(cycle=cycle, unit=unit).delete()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with open(path, "rb") as stream:
        summary = import_respondents(cycle=cycle, unit=unit, stream=stream, by=None)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert summary.created == rows, summary
    print(
        json.dumps({"rows": rows, "seconds": seconds, "rss_before_kib": before, "peak_kib": peak})
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    for rows in (10_000, args.rows):
        path = out / f"respondents-{rows}.xlsx"
        if not path.exists():
            write_workbook(path, rows)
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path), str(rows)],
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{data['rows']:>7} rows: {data['seconds']:.1f} s, peak RSS "
            f"{data['peak_kib'] / 1024:.0f} MiB "
            f"(after start-up {data['rss_before_kib'] / 1024:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
