"""The HTML pages, rendered by Jinja2 from `intake/web/templates/` (autoescaped).

Every page extends `base.html`: the navigation bar, the user box ("Người dùng"), the stylesheet and,
for pages with a script, `common.js` and the page's own script; the data a script would fetch
first is written into the page as JSON (`initial-data`).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"

NAV = (("/tai-len", "Tải lên"), ("/hang-doi", "Chờ kiểm tra"), ("/tim-kiem", "Tìm kiếm"),
       ("/bao-cao", "Báo cáo"))


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
_env.globals.update(nav=NAV, asset_version=asset_version)
_env.filters["json_data"] = json_data


def render(template: str, **context: Any) -> str:
    """One page: `template` from intake/web/templates/ with its context."""
    return _env.get_template(template).render(**context)
