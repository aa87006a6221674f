"""Benchmark: compute the public scores of 5,000 units from 1,000,000 responses on PostgreSQL.

    .venv/bin/python bench/survey_scoring.py [--units 5000] [--responses 1000000] [--repeat 3]

Uses its own database ``jixiao_survey_bench`` (created and migrated on first use); the
responses are generated with COPY (seeded) the first time. Prints the best and median time of
``compute_public_scores`` and of the floor (the bare aggregate query of the same rows).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "jixiao_survey_bench"
URL = f"postgres://jixiao:jixiao@127.0.0.1:5432/{DB}"


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgres://jixiao:jixiao@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            c.execute(f"CREATE DATABASE {DB}")
    env = {**os.environ, "DATABASE_URL": URL, "JIXIAO_LOCAL": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ensure_database()
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("JIXIAO_LOCAL", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle, Participation, RankingGroup
    from jixiao.surveys.models import PublicScore, Response
    from jixiao.surveys.services import compute_public_scores

    code = f"SB{args.units}"
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None or Response.objects.filter(cycle=cycle).count() != args.responses:
        t0 = time.perf_counter()
        Cycle.objects.filter(code=code).delete()
        cycle = Cycle.objects.create(code=code, name=code)
        group = RankingGroup.objects.create(cycle=cycle, code="G", name="G")
        units = [Unit(code=f"{code}-{i:05d}", name=f"单位{i}") for i in range(args.units)]
        Unit.objects.filter(code__startswith=f"{code}-").delete()
        Unit.objects.bulk_create(units, batch_size=2000)
        Participation.objects.bulk_create(
            [Participation(cycle=cycle, unit=u, group=group) for u in units], batch_size=2000
        )
        rng = random.Random(6)
        ids = [u.pk for u in units]
        buffer = io.StringIO()
        for _ in range(args.responses):
            cents = sum(rng.choice((10000, 8000, 0)) for _q in range(4))
            buffer.write(
                f"{cycle.pk}\t{rng.choice(ids)}\tweb\t2020-06-01 00:00:00+00\t"
                f"{cents}\t4\t[]\tt\t\t\t\n"
            )
        buffer.seek(0)
        columns = (
            "cycle_id, unit_id, channel, submitted_at, points_cents, answer_count, flags, valid, "
            "client_hash, comment, external_ref"
        )
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY surveys_response ({columns}) FROM STDIN") as copy,
        ):
            copy.write(buffer.getvalue())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response")
        print(f"generated {args.responses} responses in {time.perf_counter() - t0:.1f} s")
    floor_sql = (
        "SELECT unit_id, answer_count, COUNT(*), COUNT(invitation_id), SUM(points_cents), "
        "SUM(points_cents * points_cents) FROM surveys_response WHERE cycle_id = %s AND valid "
        "GROUP BY unit_id, answer_count"
    )
    floors, fulls = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, [cycle.pk])
            cursor.fetchall()
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        summary = compute_public_scores(cycle=cycle, by=None)
        fulls.append(time.perf_counter() - t0)
    assert summary.units == args.units, summary
    assert PublicScore.objects.filter(cycle=cycle).count() == args.units
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"{version}: {args.responses} responses, {args.units} units; "
        f"floor best {min(floors) * 1000:.0f} ms median {statistics.median(floors) * 1000:.0f} ms; "
        f"compute_public_scores best {min(fulls) * 1000:.0f} ms "
        f"median {statistics.median(fulls) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
