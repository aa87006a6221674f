"""``manage.py demo_accounts``: the demo accounts, their roles and the demo password."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand

from jixiao.accounts.models import Membership, Role, User
from jixiao.cycles.demo import ACCOUNTS, DEMO_PASSWORD


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "列出示例账号(用户名、角色、单位、密码);尚未载入示例数据时不输出。"

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [spec.username for spec in ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        if not users:
            if options["verbosity"] > 1:
                self.stdout.write("尚无示例账号(请先运行 manage.py seed_demo)。")
            return
        memberships: dict[int, list[Membership]] = {}
        for m in (
            Membership.objects.filter(user__in=users.values())
            .select_related("unit", "cycle")
            .order_by("id")
        ):
            memberships.setdefault(m.user_id, []).append(m)
        rows: list[list[str]] = []
        for spec in ACCOUNTS:
            user = users.get(spec.username)
            if user is None:
                continue
            held = memberships.get(user.pk, [])
            roles = "、".join(dict.fromkeys(str(Role(m.role).label) for m in held)) or "—"
            units = "、".join(dict.fromkeys(m.unit.name for m in held if m.unit)) or "—"
            # Only a password that still works is worth printing.
            password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(已修改)"
            rows.append([user.username, str(user), roles, units, password])
        self.stdout.write("示例账号(示例数据,仅供演示):")
        self.stdout.write(format_table(["用户名", "姓名", "角色", "单位", "密码"], rows))
