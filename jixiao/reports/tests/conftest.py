from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from jixiao.accounts.models import Role, User
from jixiao.core.testing import make_user
from jixiao.reports.tests.data import Built, build_cycle


@dataclass
class Cast:
    office: User
    viewer: User
    operator: User  # works for the first unit
    leader: User  # leads the third unit (second group)
    inspector: User  # a role in the cycle, but no results
    outsider: User  # no role at all


@pytest.fixture
def built(db: None) -> Built:
    return build_cycle()


@pytest.fixture
def cast(built: Built) -> Cast:
    return Cast(
        office=make_user("office", Role.OFFICE_ADMIN, display_name="效能办王主任"),
        viewer=make_user("viewer", Role.VIEWER, display_name="区领导"),
        operator=make_user("operator", Role.UNIT_OPERATOR, unit=built.units[0]),
        leader=make_user("leader", Role.UNIT_LEADER, unit=built.units[2]),
        inspector=make_user("inspector", Role.INSPECTOR, cycle=built.cycle),
        outsider=make_user("outsider"),
    )


@pytest.fixture
def client_as(client: Client):  # type: ignore[no-untyped-def]
    """``client_as(user)``: the test client logged in as ``user`` (None: anonymous)."""

    def login(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Each test makes about ten users; Argon2 at production cost would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Rendered ranking tables are cached by results hash and time; each test starts empty so
    that a page's queries are those of a first reader."""
    from django.core.cache import cache

    cache.clear()
