"""Pages: each permission tried and refused, bad input refused, fixed query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jixiao.cycles.models import Phase
from jixiao.evaluations import finalize, services
from jixiao.evaluations.models import Appeal, ReviewScore, SelfEvaluation
from jixiao.evaluations.tests.builders import World, build_world
from jixiao.evaluations.tests.test_workflow import PDF, fill, item_of, submit

pytestmark = pytest.mark.django_db


def as_(client: Client, user: object) -> Client:
    client.logout()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def url(world: World, rest: str) -> str:
    return f"/cycles/{world.cycle.code}/{rest}"


def test_a_unit_sees_only_its_own_self_evaluation_and_evidence(
    client: Client, world: World
) -> None:
    fill(world)
    evidence = services.add_evidence(
        upload=SimpleUploadedFile("a.pdf", PDF), self_evaluation=item_of(world), by=world.operator
    )
    own = url(world, f"units/{world.units[0].code}/self-evaluation/")
    assert as_(client, world.operator).get(own).status_code == 200
    response = client.get(url(world, f"evidence/{evidence.pk}/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    for user in (world.other_operator, world.idle_reviewer, world.collector, world.outsider):
        assert as_(client, user).get(own).status_code == 404
        assert client.get(url(world, f"evidence/{evidence.pk}/")).status_code == 404
    # Tampering with the form's target: the other unit's operator posts to unit 1's leaf.
    leaf = world.judged[world.units[0].code]
    as_(client, world.other_operator)
    response = client.post(
        url(world, f"units/{world.units[0].code}/self-evaluation/{leaf.pk}/"),
        {
            f"leaf{leaf.pk}-achievement": "x",
            f"leaf{leaf.pk}-claimed_score": "1",
            f"leaf{leaf.pk}-version": "1",
        },
    )
    assert response.status_code == 404
    assert item_of(world).achievement == "完成"


def test_only_the_leader_submits(client: Client, world: World) -> None:
    fill(world)
    target = url(world, f"units/{world.units[0].code}/self-evaluation/submit/")
    assert as_(client, world.operator).post(target, {"version": 1}).status_code == 403
    assert item_of(world).package.state == "draft"


def test_a_reviewer_scores_only_assigned_leaves_and_sees_others_after_own(
    client: Client, world: World
) -> None:
    unit = world.units[0]
    services.assign_reviewers(
        cycle=world.cycle,
        units=[unit],
        reviewers=[world.reviewer, world.reviewer2],
        by=world.office,
    )
    fill(world)
    submit(world)
    services.save_review(
        item=item_of(world),
        scores={"total": Decimal("77.25")},
        comment="",
        versions={},
        by=world.reviewer2,
    )
    leaf = world.judged[unit.code]
    page = url(world, f"reviews/{unit.code}/{leaf.pk}/")
    assert as_(client, world.idle_reviewer).get(page).status_code == 404
    assert client.post(page, {"action": "score", "score_total": "10"}).status_code == 404
    other_unit_leaf = world.judged[world.units[1].code]
    assert (
        as_(client, world.reviewer)
        .get(url(world, f"reviews/{world.units[1].code}/{other_unit_leaf.pk}/"))
        .status_code
        == 404
    )
    before = client.get(page).content.decode()
    assert "77.25" not in before
    response = client.post(page, {"action": "score", "score_total": "80.125", "version_total": ""})
    assert (
        "最多保留 2 位小数" in response.content.decode()
        or ReviewScore.objects.filter(reviewer=world.reviewer).count() == 0
    )
    assert not ReviewScore.objects.filter(reviewer=world.reviewer).exists()
    client.post(page, {"action": "score", "score_total": "80", "version_total": ""})
    after = client.get(page).content.decode()
    assert "77.25" in after and "评委乙" not in after


def test_collection_pages_are_for_collectors_and_the_grid_saves(
    client: Client, world: World
) -> None:
    for user in (world.operator, world.reviewer, world.outsider):
        assert as_(client, user).get(url(world, "collection/")).status_code in (403, 404)
    as_(client, world.collector)
    assert client.get(url(world, "collection/")).status_code == 200
    unit = world.units[0]
    response = client.post(
        url(world, "collection/") + f"?as={world.legal.code}",
        {f"v-{unit.pk}-{world.direct.pk}-score": "399.999", f"t-{unit.pk}-{world.direct.pk}": ""},
        follow=True,
    )
    assert "最多保留 2 位小数" in response.content.decode()
    client.post(
        url(world, "collection/"),
        {f"v-{unit.pk}-{world.direct.pk}-score": "399.5", f"t-{unit.pk}-{world.direct.pk}": ""},
    )
    from jixiao.evaluations.models import CollectionValue

    assert CollectionValue.objects.get(unit=unit, indicator=world.direct).score == Decimal("399.5")


def test_an_uploaded_grid_with_an_unknown_unit_changes_nothing(
    client: Client, world: World
) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位代码", "名称", "A.1"])
    sheet.append(["unit", "name", "A.1:score"])
    sheet.append([world.units[0].code, "", 300])
    sheet.append(["NO-SUCH-UNIT", "", 300])
    data = BytesIO()
    book.save(data)
    as_(client, world.collector)
    response = client.post(
        url(world, "collection/upload/"),
        {"file": SimpleUploadedFile("grid.xlsx", data.getvalue())},
    )
    text = response.content.decode()
    assert "第 4 行" in text and "NO-SUCH-UNIT" in text and "确认导入" not in text
    from jixiao.evaluations.models import CollectionValue

    assert not CollectionValue.objects.exists()


def test_office_pages_refuse_everyone_else(client: Client, world: World) -> None:
    pages = ["assessment/progress/", "assessment/assignments/", "assessment/settings/", "audit/"]
    for user in (world.operator, world.leader, world.reviewer, world.collector):
        as_(client, user)
        for page in pages:
            assert client.get(url(world, page)).status_code == 403, (user, page)
        assert client.post(url(world, "assessment/publish/")).status_code == 403
    as_(client, world.outsider)
    for page in pages:
        assert client.get(url(world, page)).status_code == 404
    as_(client, world.office)
    for page in pages:
        assert client.get(url(world, page)).status_code == 200


def test_appeals_are_private_to_their_unit(client: Client, world: World) -> None:
    finalize.publish_results(cycle=world.cycle, by=world.office)
    appeal = services.lodge_appeal(
        cycle=world.cycle,
        unit=world.units[0],
        line_key="performance:1.1",
        reason="x",
        by=world.operator,
    )
    page = url(world, f"appeals/{appeal.pk}/")
    assert as_(client, world.operator).get(page).status_code == 200
    for user in (world.other_operator, world.reviewer, world.collector):
        assert as_(client, user).get(page).status_code == 404
    assert (
        as_(client, world.other_operator)
        .get(url(world, f"units/{world.units[0].code}/appeals/new/"))
        .status_code
        == 404
    )
    listing = as_(client, world.other_operator).get(url(world, "appeals/")).content.decode()
    assert "x" not in listing.split("<tbody>")[1].split("</tbody>")[0] or "没有申诉" in listing


def test_nothing_is_writable_in_a_locked_cycle(client: Client, world: World) -> None:
    fill(world)
    world.cycle.phase = Phase.FINALIZED
    world.cycle.save()
    leaf = world.judged[world.units[0].code]
    response = as_(client, world.operator).post(
        url(world, f"units/{world.units[0].code}/self-evaluation/{leaf.pk}/"),
        {
            f"leaf{leaf.pk}-achievement": "改",
            f"leaf{leaf.pk}-claimed_score": "1",
            f"leaf{leaf.pk}-version": "1",
        },
    )
    assert response.status_code == 403
    assert SelfEvaluation.objects.get(indicator=leaf).achievement == "完成"
    response = as_(client, world.collector).post(
        url(world, "collection/"),
        {
            f"v-{world.units[0].pk}-{world.direct.pk}-score": "1",
            f"t-{world.units[0].pk}-{world.direct.pk}": "",
        },
        follow=True,
    )
    assert "定档" in response.content.decode()


# N+1: the same page with 1 and with 3 rows runs the same number of queries. ------------------


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _grow(world: World, n: int) -> None:
    from jixiao.core.testing import make_unit
    from jixiao.indicators.models import Indicator, Method, Tree

    group = world.cycle.groups.first()
    for i in range(n):
        unit = make_unit(f"{world.cycle.code}-X{i}", cycle=world.cycle, group=group)
        root = Indicator.objects.create(
            cycle=world.cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            code="1",
            name="r",
            points=Decimal(200),
        )
        Indicator.objects.create(
            cycle=world.cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            parent=root,
            code="1.1",
            name="l",
            points=Decimal(200),
            method=Method.JUDGEMENT,
        )
        services.assign_reviewers(
            cycle=world.cycle, units=[unit], reviewers=[world.reviewer], by=world.office
        )


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("office", "assessment/progress/"),
        ("office", "assessment/assignments/"),
        ("office", "audit/"),
        ("office", "appeals/"),
        ("reviewer", "reviews/"),
        ("collector", "collection/"),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(client: Client, who: str, path: str) -> None:
    # Queries: session, user, memberships (header), cycle, then the page's grouped reads
    # (participations, leaves, self-evaluations, packages, assignments, reviews, collection
    # values, extensions, names) — none of them per row.
    from jixiao.core.testing import make_cycle

    make_cycle("Q0")  # both cycles have a previous one (last year's scores are read)
    small = build_world(units=1, code="Q1")
    services.assign_reviewers(
        cycle=small.cycle, units=small.units, reviewers=[small.reviewer], by=small.office
    )
    large = build_world(units=1, code="Q3")
    services.assign_reviewers(
        cycle=large.cycle, units=large.units, reviewers=[large.reviewer], by=large.office
    )
    _grow(large, 2)
    counts = [
        _count(as_(client, getattr(w, who)), f"/cycles/{w.cycle.code}/{path}")
        for w in (small, large)
    ]
    assert counts[0] == counts[1], counts


def test_self_evaluation_page_runs_a_fixed_number_of_queries(client: Client) -> None:
    # Queries: session, user, memberships, cycle, participation, self-evaluations with
    # evidence and returns (3), leaves, package, calendar, extensions.
    counts = []
    for code, extra in (("S1", 0), ("S3", 2)):
        w = build_world(units=2, code=code)
        unit = w.units[0]
        root = w.judged[unit.code].parent
        from jixiao.indicators.models import Indicator, Method, Tree

        for i in range(extra):
            Indicator.objects.create(
                cycle=w.cycle,
                tree=Tree.PERFORMANCE,
                unit=unit,
                parent=root,
                code=f"1.{3 + i}",
                name="x",
                points=Decimal(0),
                method=Method.JUDGEMENT,
            )
        fill(w)
        counts.append(
            _count(as_(client, w.operator), f"/cycles/{code}/units/{unit.code}/self-evaluation/")
        )
    assert counts[0] == counts[1], counts


def test_appeal_count_does_not_change_queries(client: Client) -> None:
    counts = []
    for code, n in (("P1", 1), ("P3", 3)):
        w = build_world(units=3, code=code)
        finalize.publish_results(cycle=w.cycle, by=w.office)
        for unit in w.units[:n]:
            Appeal.objects.create(
                cycle=w.cycle, unit=unit, line_kind="leaf", line_key="performance:1.1", reason="r"
            )
        counts.append(_count(as_(client, w.office), f"/cycles/{code}/appeals/"))
    assert counts[0] == counts[1], counts
