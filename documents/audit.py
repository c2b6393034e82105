"""The audit log: who did what to which object, when, from where (the only writer of audit_log).

Append-only by construction: this module inserts and nothing in the code updates or deletes an
entry; migration 0006 adds a database trigger that refuses UPDATE and DELETE. The actor is always
a real account, token or system process, never a client-supplied string (a name a client typed,
e.g. an unknown username at sign-in, goes into `detail`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from infra.tables import Account, ApiToken, AuditEntry, utcnow


class AuditAction(StrEnum):
    """What an entry records."""

    SIGNIN = "signin"  # a password sign-in succeeded
    SIGNIN_FAILED = "signin.failed"  # detail.reason: unknown | password | locked | disabled
    ACCOUNT_LOCKED = "account.locked"  # too many failures in a row
    SIGNOUT = "signout"
    ACCOUNT_CREATED = "account.created"
    PASSWORD_SET = "password.set"  # by an administrator or the first start
    PASSWORD_CHANGED = "password.changed"  # by the account itself, with its old password
    PASSWORD_CHANGE_FAILED = "password.change_failed"  # the old password was wrong
    SESSIONS_REVOKED = "sessions.revoked"  # every session of an account
    UNIT_CREATED = "unit.created"
    TOKEN_CREATED = "token.created"
    TOKEN_USED = "token.used"
    TOKEN_REFUSED = "token.refused"  # detail.reason: unknown | revoked | expired | scope
    TOKEN_REVOKED = "token.revoked"
    # A restricted document seen; detail.what: document | review page | page <n>
    SECRET_VIEWED = "secret.viewed"
    SECRET_DOWNLOADED = "secret.downloaded"  # detail.what: pdf | original
    SECRECY_CHANGED = "secrecy.changed"  # detail: from, to, reason (needed when lowered)
    ACCOUNT_DISABLED = "account.disabled"  # by an administrator: no sign-in, sessions ended
    ACCOUNT_ENABLED = "account.enabled"
    ACCOUNT_UPDATED = "account.updated"  # role, units, clearance or name changed (detail: before/after)
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_DELETED = "webhook.deleted"
    DELIVERY_RETRIED = "delivery.retried"  # a parked push sent again by a person
    DOCUMENT_CHANGED = "document.changed"  # a person or machine changed a document (detail: what)
    DOCUMENT_DELIVERED = "document.delivered"  # the registry has it (pulled, pushed or reported)
    AUDIT_EXPORTED = "audit.exported"  # the audit log downloaded as CSV (detail: the filters)
    # A signing certificate added, stopped, resumed or assigned to an account (never a secret)
    SIGNING_CHANGED = "signing.changed"


@dataclass(frozen=True)
class Actor:
    """Who acts, as the audit log names it."""

    kind: str  # account | token | system | anonymous
    id: int | None
    name: str

    @classmethod
    def of_account(cls, account: Account) -> Actor:
        """A signed-in person."""
        return cls("account", account.id, account.username)

    @classmethod
    def of_token(cls, token: ApiToken) -> Actor:
        """A machine with an API token (named by its name and visible prefix)."""
        return cls("token", token.id, f"{token.name} ({token.prefix})"[:100])

    @classmethod
    def of_history(cls, name: str) -> Actor:
        """The actor a document history names (`user:<username>`, `token:<name (prefix)>`,
        `system:*`); the account or token id is not in the name, the name is unique."""
        kind, _, rest = name.partition(":")
        return cls({"user": "account", "token": "token"}.get(kind, "system"), None,
                   rest if kind in ("user", "token") else name)

    @classmethod
    def system(cls, name: str) -> Actor:
        """The service itself (first start, worker, sender)."""
        return cls("system", None, name)


ANONYMOUS = Actor("anonymous", None, "")


def record(session: Session, actor: Actor, action: str, *, object_kind: str | None = None,
           object_id: object = None, detail: dict[str, Any] | None = None, ip: str | None = None,
           at: dt.datetime | None = None) -> AuditEntry:
    """Append one entry (written with the caller's transaction)."""
    entry = AuditEntry(
        at=at or utcnow(), actor_kind=actor.kind, actor_id=actor.id, actor_name=actor.name[:100],
        action=str(action), object_kind=object_kind,
        object_id=None if object_id is None else str(object_id)[:100], detail=detail or {},
        ip=ip[:45] if ip else None,
    )
    session.add(entry)
    return entry
