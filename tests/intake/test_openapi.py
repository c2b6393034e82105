"""The OpenAPI document tells a registry's developer what every /api route answers, and it is true."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

from intake.app import create_app
from models.settings import Settings
from tests.service.conftest import database_url, redis_url, settings  # noqa: F401 - fixtures
from tests.service.helpers import CLERK, client, ready_document
from tests.service.test_review import META  # a whole record, as extraction writes it

ERROR = "#/components/schemas/ErrorResponse"


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        if path.startswith("/api/"):
            for method, op in ops.items():
                yield f"{method.upper()} {path}", op


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_api_route_declares_its_answer_and_errors() -> None:
    doc = create_app().openapi()
    ops = dict(_operations(doc))
    assert "GET /api/documents/{doc_id}" in ops and "POST /api/batches" in ops
    problems = []
    for name, op in ops.items():
        ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        if not ok:
            problems.append(f"{name}: no 2xx answer")
        for status, answer in ok.items():
            content = answer.get("content") or {}
            if status == "204":  # No Content: nothing to describe, and nothing may be described
                if content:
                    problems.append(f"{name}: 204 with a body")
                continue
            if not content:
                problems.append(f"{name}: {status} without a schema")
            for media, body in content.items():
                schema = _resolve(doc, body.get("schema") or {})
                if media == "application/json" and not schema.get("properties"):
                    problems.append(f"{name}: {status} JSON without named keys: {schema}")
                elif not schema:
                    problems.append(f"{name}: {status} {media} with an empty schema")
        has_input = bool(op.get("parameters") or op.get("requestBody"))
        for status, answer in op["responses"].items():
            if status[0] in "45":
                ref = (answer.get("content") or {}).get("application/json", {}).get("schema")
                if ref != {"$ref": ERROR}:
                    problems.append(f"{name}: {status} is not the one error shape: {ref}")
        if has_input and "422" not in op["responses"]:
            problems.append(f"{name}: takes input but declares no 422")
    assert not problems, "\n".join(problems)
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's other shape


def _strict(doc: dict[str, Any]) -> dict[str, Any]:
    """The components, where a model that does not allow other keys forbids them: an answer
    must name no key its declared model leaves out."""
    components = copy.deepcopy(doc["components"])
    for schema in components["schemas"].values():
        if schema.get("type") == "object" and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    return components


def _check(doc: dict[str, Any], components: dict[str, Any], method: str, path: str,
           status: int, data: Any) -> None:
    op = doc["paths"][path][method]
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": components})
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(data)]
    assert not errors, f"{method.upper()} {path} {status}:\n" + "\n".join(errors[:20])


def test_documents_answer_what_their_models_declare(settings: Settings) -> None:  # noqa: F811
    doc_id = ready_document(settings, META, uncertain=("subject",), text="Về việc phê duyệt")
    with client(settings) as api:
        spec = api.get("/openapi.json").json()
        components = _strict(spec)

        listing = api.get("/api/documents")
        assert listing.status_code == 200 and listing.json()["total"] == 1
        _check(spec, components, "get", "/api/documents", 200, listing.json())

        detail = api.get(f"/api/documents/{doc_id}")
        assert detail.status_code == 200
        assert detail.json()["metadata"] == META  # the record as stored, no key added or lost
        assert "pdf" not in detail.json()["links"]  # no PDF/A: the link is absent, not null
        _check(spec, components, "get", "/api/documents/{doc_id}", 200, detail.json())

        # A clerk's correction of one part of the signer: parts, corrected_by, history values.
        fixed = api.patch(f"/api/documents/{doc_id}",
                          json={"fields": {"signer.full_name": "Trần Phước Hiển"}})
        assert fixed.status_code == 200, fixed.text
        signer = fixed.json()["fields"]["signer"]
        assert signer["parts"]["full_name"]["corrected_by"] == CLERK
        _check(spec, components, "patch", "/api/documents/{doc_id}", 200, fixed.json())

        queue = api.get("/api/review-queue")
        _check(spec, components, "get", "/api/review-queue", 200, queue.json())

        missing = api.get("/api/documents/999999")
        assert missing.status_code == 404
        _check(spec, components, "get", "/api/documents/{doc_id}", 404, missing.json())
