"""schemathesis against the OpenAPI description, signed in as each role and as nobody: no answer
is a server error, and every answer is one the description declares (status, content type,
body schema).

The test runs a few cases per operation, role and mode (data that fits the schema, and data
that does not); a bigger run is a command (not a test), printing the number of cases and the
findings per role:

    python -m tests.intake.test_schema_fuzz --examples 20 [--postgres URL] [--seed N]
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.database import migrate
from intake.app import create_app
from models.settings import Settings
from tests.service.conftest import database_url, make_settings, redis_url  # noqa: F401 - fixtures
from tests.service.helpers import principals, ready_document

ROLES = ("clerk", "mailroom", "manager", "administrator", "registry", "upload", "anonymous")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@dataclass
class Findings:
    """Cases run and distinct problems found: (role, operation, check, status) -> an example."""

    cases: Counter[str] = field(default_factory=Counter)  # per role
    problems: dict[tuple[str, str, str, int], str] = field(default_factory=dict)

    def by_role(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for (role, operation, check, status), example in sorted(self.problems.items()):
            out[role].append(f"{operation}: {check} (HTTP {status}) {example}")
        return dict(out)


def _record(findings: Findings, role: str, label: str, status: int, exc: BaseException) -> None:
    failures = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
    for failure in failures:
        title = failure.title if isinstance(failure, Failure) else type(failure).__name__
        message = (failure.message if isinstance(failure, Failure) else str(failure))[:300]
        findings.problems.setdefault((role, label, title, status), message)


def fuzz(settings: Settings, examples: int, roles: tuple[str, ...] = ROLES,
         seed: int = 13) -> Findings:
    """Every operation × role × mode, `examples` cases each; the findings instead of the first
    failure (each case is independent: nothing is shrunk)."""
    migrate(settings.database)
    app = create_app(settings)
    creds: dict[str, dict[str, str]] = {**principals(settings), "anonymous": {}}
    for subject in ("Về việc thử nghiệm", "Báo cáo quý"):  # something to find and correct
        ready_document(settings, {"subject": subject, "organ": "UBND tỉnh"})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    findings = Findings()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not a part of it
    for operation in operations:
        for role in roles:
            headers = creds[role]
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, mode, role, headers, examples, seed, findings)
    return findings


def _run(operation: Any, mode: GenerationMode, role: str, headers: dict[str, str],
         examples: int, seed: int, findings: Findings) -> None:
    try:
        strategy = operation.as_strategy(generation_mode=mode)
    except Exception:  # noqa: BLE001 - no negative data possible for an operation without input
        return

    @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @hypothesis.seed(seed)
    @hypothesis.given(case=strategy)
    def one(case: Any) -> None:
        findings.cases[role] += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 - the app raised: what a client sees as a 500
            findings.problems.setdefault((role, operation.label, "Server error", 500),
                                         f"{type(exc).__name__}: {str(exc)[:200]}")
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup, AssertionError) as exc:
            _record(findings, role, operation.label, response.status_code, exc)

    try:
        one()
    except hypothesis.errors.Unsatisfiable:
        pass  # no data that breaks the schema exists (e.g. an operation without parameters)


def test_no_server_error_and_every_answer_as_described(tmp_path: Path, database_url: str,  # noqa: F811
                                                        redis_url: str) -> None:  # noqa: F811
    if not database_url.startswith("sqlite"):
        pytest.skip("one database is enough for the schema: the big run takes --postgres")
    settings = make_settings(tmp_path, database_url, redis_url)
    findings = fuzz(settings, examples=2)
    assert set(findings.cases) == set(ROLES)
    assert sum(findings.cases.values()) > 500  # every operation was asked, as every role
    assert findings.by_role() == {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (a new schema in it)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--seed", type=int, default=13, help="another seed, other cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/intake.db"
        if args.postgres:
            from sqlalchemy import create_engine, text

            from infra.database import normalise_url

            name = f"fuzz_{uuid.uuid4().hex[:8]}"
            with create_engine(normalise_url(args.postgres),
                               isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f"CREATE SCHEMA {name}"))
            sep = "&" if "?" in args.postgres else "?"
            url = f"{args.postgres}{sep}options=-csearch_path%3D{name}"
        findings = fuzz(make_settings(Path(tmp), url, args.redis), examples=args.examples,
                        seed=args.seed)
    print(f"cases: {sum(findings.cases.values())} ({dict(findings.cases)})")
    for role in ROLES:
        problems = findings.by_role().get(role, [])
        print(f"\n{role}: {len(problems)} distinct findings")
        for line in problems:
            print("  " + line)


if __name__ == "__main__":
    main()
