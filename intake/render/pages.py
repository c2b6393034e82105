"""The HTML pages, rendered by Jinja2 from `intake/web/templates/` (autoescaped).

Every page extends `base.html`: the navigation bar (only the entries the signed-in person's role
may use), who is signed in with the sign-out button, the stylesheet and, for pages with a script,
`common.js` and the page's own script; the data a script would fetch first is written into the
page as JSON (`initial-data`). Pages are rendered with `user=` the `Principal` (None on the
sign-in page).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from intake.auth.principal import Principal
from intake.auth.roles import Role

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"

# The navigation bar: address, label, the roles whose rule lets them in (intake/deps.py).
NAV = (
    ("/tai-len", "Tải lên", frozenset({Role.MAILROOM, Role.CLERK})),
    ("/lo-tai-len", "Các lô", frozenset({Role.MAILROOM, Role.CLERK})),
    ("/hang-doi", "Chờ kiểm tra", frozenset({Role.CLERK})),
    ("/tim-kiem", "Tìm kiếm", frozenset({Role.CLERK})),
    ("/bao-cao", "Báo cáo", frozenset({Role.MANAGER})),
    ("/quan-tri", "Quản trị", frozenset({Role.ADMINISTRATOR})),
)
# Where each role starts (after sign-in, and at /).
START = {Role.MAILROOM: "/tai-len", Role.CLERK: "/hang-doi", Role.MANAGER: "/bao-cao",
         Role.ADMINISTRATOR: "/quan-tri"}
ROLE_NAMES = {Role.MAILROOM: "Văn thư", Role.CLERK: "Chuyên viên", Role.MANAGER: "Lãnh đạo",
              Role.ADMINISTRATOR: "Quản trị viên"}


def nav(user: Principal | None) -> list[tuple[str, str]]:
    """The navigation entries `user` may open (none before sign-in or a required password
    change)."""
    if user is None or user.role is None or user.must_change_password:
        return []
    return [(href, label) for href, label, roles in NAV if user.role in roles]


def start_page(user: Principal) -> str:
    """The page a person starts at."""
    return START.get(user.role, "/hang-doi") if user.role else "/hang-doi"


@cache
def asset_version() -> str:
    """Changes when a static file changes: browsers may cache assets, never a stale one."""
    latest = max((p.stat().st_mtime_ns for p in STATIC.iterdir()), default=0)
    return format(latest % 1_000_000_007, "x")


def json_data(data: Any) -> Markup:
    """JSON for a `<script type="application/json">` block: every "<" escaped, so no
    "</script>" or "<!--" in the data can end the block early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return Markup(text)  # no "<" is left: the block is script data, not HTML


_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    auto_reload=False,  # templates change with a deployment, which restarts the service
)
_env.globals.update(nav=nav, role_names=ROLE_NAMES, asset_version=asset_version)
_env.filters["json_data"] = json_data


def render(template: str, *, user: Principal | None, **context: Any) -> str:
    """One page: `template` from intake/web/templates/ with its context, for `user` (who is
    signed in; None on the sign-in page)."""
    return _env.get_template(template).render(user=user, **context)
