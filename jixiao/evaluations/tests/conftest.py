from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jixiao.evaluations.tests.builders import World, build_world


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # Evidence files go to a directory of the test, never to the project's media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> World:
    return build_world()
