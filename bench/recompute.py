"""The recompute benchmark: a full recompute against the floor measured in the same run.

    python bench/recompute.py [--units 5000] [--db sqlite|postgres|both] [--repeat 3] [--check]

On each database (its own: ``var/bench/bench.sqlite3`` and the PostgreSQL database
``jixiao_bench``, or ``BENCH_SQLITE_URL`` / ``BENCH_POSTGRES_URL``) it migrates, generates the
synthetic cycle of ``--units`` units when it is not there yet (``bench/synthetic.py``), then
measures, best and median of ``--repeat`` runs:

* the floor: one SQL statement that reads every score input row of the cycle that a
  recompute reads — reviews aggregated per unit, leaf and part (count, sum, min, max),
  collection values, bonuses and deductions aggregated per unit, city incentives and public
  scores — and fetches its result rows into Python. No recompute can do less work than this;
* the full ``recompute_cycle`` (inputs read, engine, hashes, results written, committed),
  with its phases (load, engine, hash, write) as the service reports them.

``--check`` exits with status 1 when the PostgreSQL ratio full ÷ floor (best of each) is above
``--max-ratio`` (10). With ``--db both`` each database runs in its own process, since Django
reads its database settings once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}"
POSTGRES_URL = "postgres://jixiao:jixiao@127.0.0.1:5432/jixiao_bench"
PHASES = ("load", "engine", "hash", "write")

FLOOR_SQL = """
SELECT unit_id, indicator_id, part, COUNT(*), SUM(score), MIN(score), MAX(score)
  FROM evaluations_reviewscore WHERE cycle_id = %(cycle)s
 GROUP BY unit_id, indicator_id, part
UNION ALL
SELECT unit_id, indicator_id, NULL, finding_count, score, actual, target
  FROM evaluations_collectionvalue WHERE cycle_id = %(cycle)s
UNION ALL
SELECT unit_id, NULL, 'bonus', COUNT(*), SUM(points), MIN(points), MAX(points)
  FROM adjustments_bonusitem WHERE cycle_id = %(cycle)s GROUP BY unit_id
UNION ALL
SELECT unit_id, NULL, 'deduction', SUM(count), SUM(points * count), MIN(points), MAX(points)
  FROM adjustments_deductionitem WHERE cycle_id = %(cycle)s GROUP BY unit_id
UNION ALL
SELECT unit_id, NULL, 'city', 1, points, NULL, NULL
  FROM adjustments_cityincentive WHERE cycle_id = %(cycle)s
UNION ALL
SELECT unit_id, NULL, 'public', 1, score, NULL, NULL
  FROM surveys_publicscore WHERE cycle_id = %(cycle)s
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--check", action="store_true", help="fail when the PostgreSQL ratio is high"
    )
    parser.add_argument("--max-ratio", type=float, default=10.0)
    parser.add_argument("--regenerate", action="store_true", help="generate the cycle again")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line (used by --db both)"
    )
    args = parser.parse_args(argv)

    if args.db == "both":
        return _run_both(args)
    figures = run(
        db=args.db,
        units=args.units,
        repeat=args.repeat,
        regenerate=args.regenerate,
        quiet=args.json,
    )
    if args.json:
        print(json.dumps(figures))
    else:
        print(table([figures]))
    return _verdict([figures], args)


def _run_both(args: argparse.Namespace) -> int:
    figures: list[dict[str, Any]] = []
    for db in ("sqlite", "postgres"):
        command = [
            sys.executable,
            __file__,
            "--db",
            db,
            "--units",
            str(args.units),
            "--repeat",
            str(args.repeat),
            "--json",
        ]
        if args.regenerate:
            command.append("--regenerate")
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            print(f"{db}: the benchmark failed (exit status {done.returncode})", file=sys.stderr)
            return done.returncode
        figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(table(figures))
    return _verdict(figures, args)


def _verdict(figures: list[dict[str, Any]], args: argparse.Namespace) -> int:
    for f in figures:
        if args.check and f["db"] == "postgres" and f["ratio"] > args.max_ratio:
            print(
                f"postgres: full recompute is {f['ratio']:.1f}× the floor "
                f"(allowed {args.max_ratio:g}×)",
                file=sys.stderr,
            )
            return 1
    return 0


def _setup(db: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    os.environ["JIXIAO_LOCAL"] = "1"
    if db == "sqlite":
        url = os.environ.get("BENCH_SQLITE_URL", SQLITE_URL)
        if url == SQLITE_URL:
            (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
        _create_postgres_database(url)
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()


def _create_postgres_database(url: str) -> None:
    """Create the benchmark database on first use (the role needs CREATEDB)."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def run(*, db: str, units: int, repeat: int, regenerate: bool, quiet: bool) -> dict[str, Any]:
    _setup(db)
    from django.core.management import call_command
    from django.db import connection

    from bench.synthetic import existing_cycle, generate_cycle
    from jixiao.scoring.models import Result

    call_command("migrate", verbosity=0, interactive=False)
    cycle = None if regenerate else existing_cycle(units)
    if cycle is None:
        started = time.perf_counter()
        generated = generate_cycle(units=units, progress=not quiet)
        cycle = generated.cycle
        print(
            f"{db}: generated {units} units, {generated.indicators} indicators, "
            f"{generated.review_scores} review scores, {generated.collection_values} collection "
            f"values in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    if db == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    floor_runs, rows = measure_floor(cycle.pk, repeat)
    full_runs, phase_runs = measure_recompute(cycle, repeat)
    assert Result.objects.filter(cycle=cycle).count() == units
    floor = min(floor_runs)
    full = min(full_runs)
    best = full_runs.index(full)
    return {
        "db": db,
        "version": _version(db),
        "units": units,
        "floor_rows": rows,
        "floor_best": floor,
        "floor_median": statistics.median(floor_runs),
        "full_best": full,
        "full_median": statistics.median(full_runs),
        "phases": phase_runs[best],
        "ratio": full / floor,
    }


def measure_floor(cycle_id: int, repeat: int) -> tuple[list[float], int]:
    from django.db import connection

    runs: list[float] = []
    rows = 0
    for _ in range(repeat):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(FLOOR_SQL, {"cycle": cycle_id})
            rows = len(cursor.fetchall())
            runs.append(time.perf_counter() - started)
    return runs, rows


def measure_recompute(cycle: Any, repeat: int) -> tuple[list[float], list[dict[str, float]]]:
    from jixiao.scoring.services import recompute_cycle

    runs: list[float] = []
    phases: list[dict[str, float]] = []
    for _ in range(repeat):
        timings: dict[str, float] = {}
        started = time.perf_counter()
        recompute_cycle(cycle=cycle, reason="benchmark", timings=timings)
        runs.append(time.perf_counter() - started)
        phases.append(timings)
    return runs, phases


def _version(db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "postgres":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def table(figures: list[dict[str, Any]]) -> str:
    """The figures as a Markdown table (times in milliseconds)."""
    head = ["database", "units", "floor rows", "floor best", "floor median", "full best"]
    head += ["full median", "ratio", *PHASES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for f in figures:
        cells = [
            f"{f['db']} {f['version']}",
            str(f["units"]),
            str(f["floor_rows"]),
            _ms(f["floor_best"]),
            _ms(f["floor_median"]),
            _ms(f["full_best"]),
            _ms(f["full_median"]),
            f"{f['ratio']:.1f}×",
            *(_ms(f["phases"].get(p, 0.0)) for p in PHASES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


if __name__ == "__main__":
    sys.exit(main())
