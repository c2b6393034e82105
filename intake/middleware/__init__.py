"""Pure-ASGI middleware around the whole service: request body limits, security headers."""

from __future__ import annotations

from fastapi import FastAPI

from intake.middleware.body_limits import BodyLimits
from intake.middleware.headers import SecurityHeaders


def install(app: FastAPI) -> None:
    """Add the middleware; the headers go outermost, so refusals carry them too."""
    app.add_middleware(BodyLimits)
    app.add_middleware(SecurityHeaders)
