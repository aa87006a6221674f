"""The lights follow the rules as the clock moves: each test passes its own ``today``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jixiao.tasks.lights import Light, behind, milestone_light, task_light, worst

DUE = date(2020, 6, 30)


@pytest.mark.parametrize(
    ("today", "done", "expected"),
    [
        (date(2020, 6, 1), False, Light.GREEN),  # 29 days ahead
        (date(2020, 6, 23), False, Light.YELLOW),  # exactly 7 days ahead
        (date(2020, 6, 22), False, Light.GREEN),  # 8 days ahead
        (date(2020, 6, 30), False, Light.YELLOW),  # due today
        (date(2020, 7, 1), False, Light.RED),  # a day late
        (date(2020, 7, 1), True, Light.GREEN),  # done
    ],
)
def test_milestone_light(today: date, done: bool, expected: Light) -> None:
    assert milestone_light(due=DUE, done=done, today=today, warn_days=7) == expected


def test_progress_behind_the_time_elapsed_turns_a_task_yellow() -> None:
    start = date(2020, 1, 1)
    due = date(2020, 12, 31)  # 365 days
    # Half the time gone (day 183), 40 % reported: behind.
    assert behind(starts_on=start, due=due, percent=40, today=date(2020, 7, 2))
    assert not behind(starts_on=start, due=due, percent=60, today=date(2020, 7, 2))
    assert not behind(starts_on=start, due=due, percent=None, today=date(2020, 7, 2))
    args: dict[str, Any] = {
        "starts_on": start,
        "due": due,
        "done": False,
        "milestones": [],
        "warn_days": 7,
    }
    assert task_light(percent=40, today=date(2020, 7, 2), **args) == Light.YELLOW
    assert task_light(percent=60, today=date(2020, 7, 2), **args) == Light.GREEN
    assert task_light(percent=100, today=date(2021, 1, 1), **args) == Light.RED  # overdue


def test_a_task_is_as_bad_as_its_worst_milestone() -> None:
    args: dict[str, Any] = {
        "starts_on": date(2020, 1, 1),
        "due": DUE,
        "done": False,
        "percent": None,
    }
    today = date(2020, 3, 1)
    assert (
        task_light(milestones=[Light.GREEN, Light.RED], today=today, warn_days=7, **args)
        == Light.RED
    )
    assert task_light(milestones=[Light.YELLOW], today=today, warn_days=7, **args) == Light.YELLOW
    assert worst([]) == Light.NONE
