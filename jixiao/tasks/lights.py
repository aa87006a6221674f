"""The traffic lights (红黄绿灯) of milestones and tasks: plain date arithmetic, no Django.

- green: on track (or done);
- yellow: due within ``warn_days`` and not done, or reported progress behind the share of
  the task's time already elapsed;
- red: overdue and not done.

A task is as bad as its worst milestone. A task without a progress report is judged on its
dates only: "behind" needs a report to be behind. ``today`` is always passed in, so tests
move the clock by passing another day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum


class Light(StrEnum):
    NONE = "none"  # nothing to judge (a leaf without tasks)
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


_RANK = {Light.NONE: 0, Light.GREEN: 1, Light.YELLOW: 2, Light.RED: 3}


def worst(lights: Iterable[Light]) -> Light:
    return max(lights, key=_RANK.__getitem__, default=Light.NONE)


def milestone_light(*, due: date, done: bool, today: date, warn_days: int) -> Light:
    if done:
        return Light.GREEN
    if due < today:
        return Light.RED
    if (due - today).days <= warn_days:
        return Light.YELLOW
    return Light.GREEN


def behind(*, starts_on: date, due: date, percent: int | None, today: date) -> bool:
    """Whether the reported percentage is below the share of time elapsed."""
    if percent is None or due <= starts_on:
        return False
    elapsed = min(max((today - starts_on).days, 0), (due - starts_on).days)
    return percent * (due - starts_on).days < 100 * elapsed


def task_light(
    *,
    starts_on: date,
    due: date,
    done: bool,
    milestones: Iterable[Light],
    percent: int | None,
    today: date,
    warn_days: int,
) -> Light:
    if done:
        return Light.GREEN
    light = worst(
        [milestone_light(due=due, done=False, today=today, warn_days=warn_days), *milestones]
    )
    if light == Light.GREEN and behind(starts_on=starts_on, due=due, percent=percent, today=today):
        return Light.YELLOW
    return light
