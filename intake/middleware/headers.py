"""Security headers on every answer: what a browser may load and run, framing, caching.

The content security policy allows nothing inline: no `<script>` code, `<style>` block,
`style="..."` attribute or `on...=` handler in a page (data for a page's script goes in a
`<script type="application/json">` block, which is never run). Images may also be `data:` URLs
(icons of the API docs page). Answers are never stored by a browser or a proxy (`no-store`:
documents, page images and JSON hold what only a signed-in person may read), except the
versioned static assets, which keep the long cache their handler gives them.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form
    # post, which the CSRF check (intake/auth/access.py) refuses.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CACHED_PREFIXES = ("/static/", "/docs/assets/")  # files named with their version (`?v=`)


class SecurityHeaders:
    """Adds `HEADERS` to every HTTP answer and `Cache-Control: no-store` to all but assets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asset = str(scope.get("path", "")).startswith(CACHED_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if not asset:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
