"""The indicator import benchmark: a 2,000-row 附件1 workbook read, checked and saved.

    python bench/import_indicators.py [--rows 2000] [--repeat 3] [--check]

It migrates its own SQLite database (``var/bench/import.sqlite3``, or ``BENCH_IMPORT_URL``),
makes a cycle and a unit, writes a workbook the way offices do (title rows, first-level cells
merged down, "1分" points, a totals row, a note), and measures, best of ``--repeat`` runs: the
parse (openpyxl load, header search, merged cells, every check) and the import (one
transaction that replaces the tree). ``--check`` exits with status 1 above 5 seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_LOCAL", "1")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_IMPORT_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'import.sqlite3'}"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
LIMIT_SECONDS = 5.0


def workbook(rows: int) -> tuple[bytes, Decimal]:
    """``rows`` table rows: one first-level row per 50, the rest second-level leaves of 1 point."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "附件1"
    ws.append(["附件1"])
    ws.append(["绩效指标任务分解表"])
    ws.append(["单位：基准测试单位"])
    ws.append(
        [
            "序号",
            "一级指标",
            "二级指标",
            "分值",
            "指标内容/目标任务",
            "评估办法",
            "指标来源",
            "责任科室",
            "责任人",
            "完成时限",
        ]
    )
    total = Decimal(0)
    written = 0
    first = 0
    while written < rows:
        first += 1
        leaves = min(49, rows - written - 1)
        start = ws.max_row + 1
        ws.append([f"F{first}", f"一级指标{first}", None, leaves])
        for j in range(1, leaves + 1):
            ws.append(
                [
                    f"F{first}.{j}",
                    None,
                    f"二级指标{first}-{j}",
                    "1分",
                    "目标" * 10,
                    "每发现一起扣0.5分",
                    "年度重点工作",
                    "办公室",
                    "张三",
                    "2020-12-31",
                ]
            )
        ws.merge_cells(start_row=start, start_column=2, end_row=ws.max_row, end_column=2)
        total += leaves
        written += leaves + 1
    ws.append(["合计", None, None, int(total)])
    ws.append(["注：基准测试数据"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle, Participation, RankingGroup
    from jixiao.indicators import excel
    from jixiao.indicators.models import Indicator
    from jixiao.indicators.services import ImportMode, get_tree_status, import_tree
    from jixiao.indicators.views import TreeRef, import_context

    data, total = workbook(args.rows)
    cycle, _ = Cycle.objects.get_or_create(code="2020-bench-import", defaults={"name": "2020 基准"})
    cycle.performance_total = total
    cycle.save()
    group, _ = RankingGroup.objects.get_or_create(cycle=cycle, code="B", defaults={"name": "基准"})
    unit, _ = Unit.objects.get_or_create(code="BENCH-IMPORT", defaults={"name": "基准测试单位"})
    Participation.objects.get_or_create(cycle=cycle, unit=unit, defaults={"group": group})

    parse_times: list[float] = []
    import_times: list[float] = []
    for run in range(args.repeat):
        if run % 2 == 0:  # every other run starts from an empty tree (all rows inserted)
            Indicator.objects.filter(cycle=cycle).delete()
        ref = TreeRef(cycle, unit, get_tree_status(cycle=cycle, unit=unit))
        t0 = time.perf_counter()
        result = excel.parse_workbook(
            data, filename="bench.xlsx", context=import_context(ref, ImportMode.REPLACE)
        )
        t1 = time.perf_counter()
        if result.errors:
            print("\n".join(str(e) for e in result.errors[:5]))
            return 2
        import_tree(status=ref.status, nodes=result.nodes, mode=ImportMode.REPLACE, by=None)
        t2 = time.perf_counter()
        parse_times.append(t1 - t0)
        import_times.append(t2 - t1)
    rows = Indicator.objects.filter(cycle=cycle).count()
    best = min(p + i for p, i in zip(parse_times, import_times, strict=True))
    print(
        f"rows {args.rows} (nodes {rows}, workbook {len(data) / 1024:.0f} KiB): "
        f"parse best {min(parse_times):.2f} s, import best {min(import_times):.2f} s, "
        f"total best {best:.2f} s (limit {LIMIT_SECONDS:.0f} s)"
    )
    return 1 if args.check and best > LIMIT_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
