"""Who is asking: a signed-in account or a machine's API token, as the routes see it."""

from __future__ import annotations

from dataclasses import dataclass

from documents.audit import Actor
from documents.visibility import Viewer
from infra.tables import Account, ApiToken
from intake.auth.roles import Role, TokenScope


@dataclass(frozen=True)
class Principal:
    """The account or token behind a request (a snapshot: no database object escapes)."""

    kind: str  # account | token
    id: int
    name: str  # username, or the token's name and visible prefix
    role: Role | None  # accounts only
    scope: TokenScope | None  # tokens only
    units: frozenset[str] | None  # None: every unit (a registry token without a unit)
    clearance: bool = False
    must_change_password: bool = False
    csrf_token: str = ""  # the session's, for the pages' forms and scripts
    display_name: str = ""

    @classmethod
    def of_account(cls, account: Account, csrf_token: str = "") -> Principal:
        return cls("account", account.id, account.username, Role(account.role), None,
                   frozenset(u.code for u in account.units), account.secret_clearance,
                   account.must_change_password, csrf_token, account.display_name)

    @classmethod
    def of_token(cls, token: ApiToken) -> Principal:
        return cls("token", token.id, f"{token.name} ({token.prefix})"[:100], None,
                   TokenScope(token.scope),
                   frozenset({token.unit.code}) if token.unit is not None else None)

    @property
    def actor(self) -> Actor:
        """How the audit log names it."""
        return Actor(self.kind, self.id, self.name)

    @property
    def history(self) -> str:
        """How a document's or batch's history names it (never a client-supplied string)."""
        return f"{'user' if self.kind == 'account' else 'token'}:{self.name}"[:100]

    @property
    def viewer(self) -> Viewer:
        """What it may see of the documents."""
        return Viewer(self.units, self.clearance)

    def sees_unit(self, unit: str) -> bool:
        return self.units is None or unit in self.units
