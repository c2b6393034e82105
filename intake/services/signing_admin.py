"""The administrator's page of signing certificates (/quan-tri/chu-ky-so): the agency's
certificates for the legal copy's signature, which account signs with which (docs/SIGNING.md).

A row holds where the key is (a PKCS#12 file, PEM key and certificate files, or a PKCS#11 token:
module, token label, key label) and the NAME of the environment variable of the signing process
that holds its password or PIN: the page has no field for a secret, and nothing here stores,
logs or shows one. Any change puts documents whose signing failed back in line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from documents.audit import AuditAction, record
from documents.signing import FAILED, PENDING, retry_failed
from documents.signing.keys import KINDS, settings_choice
from infra.tables import Account, Document, SigningAssignment, SigningCertificate
from intake.auth.principal import Principal
from intake.services.admin import plain
from intake.services.admin_flash import Flash
from models.errors import ConflictError, InvalidFieldError, NotFoundError
from models.settings import Settings

KIND_NAMES = {"pkcs12": "Tệp PKCS#12 (.p12/.pfx)", "pem": "Tệp PEM (khóa + chứng thư)",
              "pkcs11": "Thiết bị ký (USB token/HSM, PKCS#11)"}
_ENV = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")


def _where(row: SigningCertificate) -> str:
    if row.kind == "pkcs11":
        return (f"{row.pkcs11_module} · token «{row.pkcs11_token or '—'}» · khóa "
                f"«{row.pkcs11_key or '—'}»" + (f" · {row.cert_file}" if row.cert_file else ""))
    return " · ".join(p for p in (row.key_file, row.cert_file) if p)


def page_data(session: Session, settings: Settings) -> dict[str, Any]:
    """What the page shows: certificates, the settings' one, accounts and their choice, counts."""
    assigned = dict(session.execute(select(SigningAssignment.account_id,
                                           SigningAssignment.certificate_id)).all())
    certs = list(session.scalars(select(SigningCertificate).order_by(SigningCertificate.name)))
    uses: dict[int, int] = {}
    for cert_id in assigned.values():
        uses[cert_id] = uses.get(cert_id, 0) + 1
    rows = [{"id": c.id, "name": c.name, "unit": c.unit or "Cả cơ quan (mặc định)",
             "kind": KIND_NAMES.get(c.kind, c.kind), "where": _where(c),
             "secret_env": c.secret_env or "—", "disabled": c.disabled,
             "accounts": uses.get(c.id, 0)} for c in certs]
    accounts = [{"id": a.id, "username": a.username, "name": a.display_name,
                 "certificate": assigned.get(a.id)}
                for a in session.scalars(select(Account).where(Account.disabled.is_(False))
                                         .order_by(Account.username))]
    counts = dict(session.execute(select(Document.sign_state, func.count())
                                  .where(Document.sign_state.in_([PENDING, FAILED]))
                                  .group_by(Document.sign_state)).all())
    choice = settings_choice(settings)
    return {"certificates": rows, "accounts": accounts, "kinds": KIND_NAMES,
            "settings_certificate": (choice.key_file if choice else ""),
            "tsa": settings.signing_tsa_url, "roots": str(settings.signing_trust_roots or ""),
            "pending": counts.get(PENDING, 0), "failed": counts.get(FAILED, 0)}


def _path(value: str, field: str, required: bool) -> str | None:
    value = value.strip()
    if not value:
        if required:
            raise InvalidFieldError("Cần nhập đường dẫn tệp trên máy chủ.", field=field)
        return None
    if not Path(value).is_absolute():
        raise InvalidFieldError("Đường dẫn phải là đường dẫn tuyệt đối trên máy chủ ký "
                                "(bắt đầu bằng /).", field=field)
    return value


def create_certificate(session: Session, who: Principal, *, name: str, unit: str, kind: str,
                       key_file: str = "", cert_file: str = "", module: str = "",
                       token: str = "", key_label: str = "", secret_env: str = "") -> Flash:
    """Register a certificate (checked when it first signs: dates, chain, revocation)."""
    plain(name=name, unit=unit, kind=kind, key_file=key_file, cert_file=cert_file, module=module,
          token=token, key_label=key_label, secret_env=secret_env)
    name, unit, secret_env = name.strip(), unit.strip(), secret_env.strip()
    if not name or len(name) > 100:
        raise InvalidFieldError("Tên chứng thư: từ 1 đến 100 ký tự.", field="name")
    if kind not in KINDS:
        raise InvalidFieldError("Chọn loại khóa.", field="kind")
    if secret_env and not _ENV.fullmatch(secret_env):
        raise InvalidFieldError("Nhập TÊN biến môi trường chứa mật khẩu/PIN (chữ in hoa, số, _), "
                                "không nhập chính mật khẩu.", field="secret_env")
    if session.scalar(select(SigningCertificate.id).where(SigningCertificate.name == name)):
        raise ConflictError(f"Đã có chứng thư tên «{name}».")
    row = SigningCertificate(name=name, unit=unit, kind=kind, secret_env=secret_env or None)
    if kind == "pkcs11":
        row.pkcs11_module = _path(module, "module", True)
        row.cert_file = _path(cert_file, "cert_file", False)
        row.pkcs11_token, row.pkcs11_key = token.strip() or None, key_label.strip() or None
        if not row.pkcs11_key:
            raise InvalidFieldError("Nhập nhãn khóa trên thiết bị ký.", field="key_label")
    else:
        row.key_file = _path(key_file, "key_file", True)
        row.cert_file = _path(cert_file, "cert_file", kind == "pem")
    session.add(row)
    session.flush()
    record(session, who.actor, AuditAction.SIGNING_CHANGED, object_kind="signing_certificate",
           object_id=row.id, detail={"change": "created", "name": name, "kind": kind,
                                     "unit": unit})
    again = retry_failed(session, "system:signer")
    return Flash(f"Đã thêm chứng thư số «{name}»." + (f" Ký lại {again} văn bản." if again else ""))


def toggle_certificate(session: Session, who: Principal, cert_id: int) -> Flash:
    """Stop or resume using a certificate."""
    row = session.get(SigningCertificate, cert_id)
    if row is None:
        raise NotFoundError(f"Không có chứng thư số {cert_id}.")
    row.disabled = not row.disabled
    record(session, who.actor, AuditAction.SIGNING_CHANGED, object_kind="signing_certificate",
           object_id=row.id, detail={"change": "disabled" if row.disabled else "enabled"})
    again = retry_failed(session, "system:signer")
    state = "ngừng dùng" if row.disabled else "dùng lại"
    return Flash(f"Đã {state} chứng thư số «{row.name}»."
                 + (f" Ký lại {again} văn bản." if again else ""))


def assign(session: Session, who: Principal, account_id: int, cert_id: int) -> Flash:
    """The certificate an account signs with (0: its unit's or the agency's default)."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"Không có tài khoản {account_id}.")
    current = session.get(SigningAssignment, account_id)
    if cert_id:
        if session.get(SigningCertificate, cert_id) is None:
            raise NotFoundError(f"Không có chứng thư số {cert_id}.")
        if current is None:
            session.add(SigningAssignment(account_id=account_id, certificate_id=cert_id))
        else:
            current.certificate_id = cert_id
    elif current is not None:
        session.delete(current)
    record(session, who.actor, AuditAction.SIGNING_CHANGED, object_kind="account",
           object_id=account_id, detail={"change": "assigned", "certificate": cert_id or None})
    again = retry_failed(session, "system:signer")
    return Flash(f"Đã chọn chứng thư ký cho «{account.username}»."
                 + (f" Ký lại {again} văn bản." if again else ""))
