"""/quan-tri/chu-ky-so: an administrator registers a certificate (only the NAME of the variable
holding its password), stops it, assigns one to an account; every change audited; a password
typed where a variable name goes is refused and never stored. SQLite only (the page's rules;
the tables are covered on both databases by the migration tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from documents.audit import AuditAction
from infra.database import session_scope
from infra.tables import Account, AuditEntry, SigningAssignment, SigningCertificate
from models.settings import Settings
from tests.intake.test_admin_pages import Admin, admin, settings  # noqa: F401
from tests.pki import PKI
from tests.service.conftest import make_settings, redis_url  # noqa: F401


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'intake.db'}"


def test_certificates_page(admin: Admin, settings: Settings, pki: PKI) -> None:  # noqa: F811
    page = admin.get("/quan-tri/chu-ky-so")
    assert page.status_code == 200 and "Chưa có chứng thư nào." in page.text
    _, text = admin.submit("/quan-tri/chu-ky-so", name="Văn thư đến", unit="", kind="pkcs12",
                           key_file=str(pki.agency.pkcs12_file), secret_env="MAT-KHAU bí mật")
    assert "TÊN biến môi trường" in text  # a password typed there is refused
    _, text = admin.submit("/quan-tri/chu-ky-so", name="Văn thư đến", unit="", kind="pkcs12",
                           key_file=str(pki.agency.pkcs12_file), secret_env="INTAKE_PIN_DEN")
    assert "Đã thêm chứng thư số «Văn thư đến»." in text and "INTAKE_PIN_DEN" in text
    _, text = admin.submit("/quan-tri/chu-ky-so", name="Token đi", unit="", kind="pkcs11",
                           module="/usr/lib/softhsm/libsofthsm2.so", token="van-thu",
                           key_label="", secret_env="INTAKE_PIN_DI")
    assert "Nhập nhãn khóa" in text
    with session_scope(settings.database) as session:
        cert = session.scalars(select(SigningCertificate)).one()
        cert_id = cert.id
        assert cert.secret_env == "INTAKE_PIN_DEN" and cert.kind == "pkcs12"
        account_id = session.scalars(select(Account.id)).one()
    _, text = admin.submit("/quan-tri/chu-ky-so/phan-cong", account=account_id,
                           certificate=cert_id)
    assert "Đã chọn chứng thư ký" in text
    _, text = admin.submit(f"/quan-tri/chu-ky-so/{cert_id}/bat-tat")
    assert "Đã ngừng dùng chứng thư số «Văn thư đến»." in text and "(ngừng dùng)" in text
    with session_scope(settings.database) as session:
        assert session.get_one(SigningAssignment, account_id).certificate_id == cert_id
        changes = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == AuditAction.SIGNING_CHANGED)).all()
        assert [c["change"] for c in changes] == ["created", "assigned", "disabled"]
        assert "MAT-KHAU" not in repr(session.scalars(select(AuditEntry.detail)).all())
