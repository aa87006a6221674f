"""The full Excel score sheet of the 5,000-unit synthetic cycle: time, and memory by unit count.

    python bench/export_sheet.py [--repeat 3] [--check]

Uses the synthetic cycle of ``bench/recompute.py`` on PostgreSQL (``jixiao_bench``). Measures:

* the time of ``jixiao.reports.exports.write_score_sheet`` for every group (5,000 units, one
  sheet per group, every component and leaf), written to a temporary file as the download
  does — best and median of ``--repeat`` runs, and the file's size;
* the peak of memory allocated while writing (``tracemalloc``, in a separate run since tracing
  slows Python down) for the first 1, 2, 5 and 10 groups (500 to 5,000 units): if the export
  streams, the peak stays flat as the unit count grows.

``--check`` fails when the full export takes 15 s or more, or when the peak for 5,000 units is
more than 1.5 times the peak for 500.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS = 5000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from bench.recompute import _setup

    _setup("postgres")
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    from bench.synthetic import existing_cycle, generate_cycle
    from jixiao.cycles.models import RankingGroup
    from jixiao.reports.exports import write_score_sheet
    from jixiao.scoring.models import Result
    from jixiao.scoring.services import recompute_cycle

    translation.activate("zh-hans")
    call_command("migrate", verbosity=0, interactive=False)
    cycle = existing_cycle(UNITS) or generate_cycle(units=UNITS).cycle
    if Result.objects.filter(cycle=cycle).count() != UNITS:
        recompute_cycle(cycle=cycle, reason="export benchmark")
    codes = list(
        RankingGroup.objects.filter(cycle=cycle)
        .order_by("order", "code")
        .values_list("code", flat=True)
    )

    runs = []
    size = rows = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            rows = write_score_sheet(cycle=cycle, out=out)
            runs.append(time.perf_counter() - started)
            size = out.tell()

    peaks: dict[int, float] = {}
    for count in (1, 2, 5, 10):
        with tempfile.TemporaryFile() as out:
            tracemalloc.start()
            written = write_score_sheet(cycle=cycle, out=out, group_codes=codes[:count])
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        peaks[written] = round(peak / 2**20, 1)

    figures = {
        "units": rows,
        "best_s": round(min(runs), 2),
        "median_s": round(statistics.median(runs), 2),
        "file_mb": round(size / 2**20, 1),
        "peak_mib_by_units": peaks,
        "database": f"PostgreSQL {connection.cursor().connection.info.server_version}",
    }
    print(json.dumps(figures, indent=2))
    if args.check:
        small, large = peaks[min(peaks)], peaks[max(peaks)]
        if min(runs) >= 15 or large > 1.5 * small:
            print("export too slow or its memory grows with the unit count", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
