"""The API's routers, one per resource; `ApiRouter` is the router they are built with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant

from intake.auth.access import Rule
from intake.schemas import errors


class ApiRouter(APIRouter):
    """A router whose JSON answers hold exactly the keys the service built.

    Every route declares its `response_model`; the answer is checked against it and written
    without the optional keys the service left out (`response_model_exclude_unset`), so a
    model's defaults never add keys to an answer (a document's `links.pdf` is absent until there
    is a PDF/A, not null). A route whose access rule is not public also declares 401 and 403
    (no or wrong credentials; a role or scope the rule does not name), one that takes a body
    400 (a body that cannot be read as its media type)."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        dependant = get_dependant(path=self.prefix + path, call=endpoint)
        rule = access_rule(dependant)
        statuses: tuple[int, ...] = (401, 403) if rule is not None and not rule.public else ()
        if dependant.body_params:  # a body that cannot be read at all (wrong media type, cut)
            statuses += (400,)
        if statuses:
            kwargs["responses"] = {**errors(*statuses), **(kwargs.get("responses") or {})}
        super().add_api_route(path, endpoint, **kwargs)


def access_rule(dependant: Dependant) -> Rule | None:
    """The access rule among a route's dependencies (depth first), None without one."""
    for sub in dependant.dependencies:
        if isinstance(sub.call, Rule):
            return sub.call
        found = access_rule(sub)
        if found is not None:
            return found
    return None
