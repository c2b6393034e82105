"""The administrators' pages /quan-tri: forms with the session's CSRF token, a redirect with the
message, secrets shown once, every change audited; accounts, units, tokens, settings, audit log.

Real database (SQLite and PostgreSQL), real Redis (the messages wait there), the app in process.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from documents.audit import Actor, AuditAction, record
from infra.database import migrate, session_scope
from infra.tables import Account, AccountSession, ApiToken, AuditEntry, Unit
from intake.app import create_app
from intake.auth.access import COOKIE, CSRF_HEADER
from intake.auth.accounts import authenticate
from intake.auth.roles import Role, TokenScope
from intake.auth.sessions import lookup
from intake.auth.tokens import check_token
from intake.services.admin import settings_rows
from models.settings import Settings
from tests.intake.auth.principals import account_headers
from tests.service.conftest import database_url, make_settings, redis_url  # noqa: F401

UNIT = "Văn phòng"
OTHER = "Phòng Tài chính"


class Admin:
    """A signed-in administrator posting the pages' forms as a browser does: the cookie, and the
    CSRF token as the hidden form field (no header)."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client, self.settings = client, settings
        headers = account_headers(settings, "quan.tri", Role.ADMINISTRATOR)
        self.cookie = {"cookie": headers["cookie"]}
        self.csrf = headers[CSRF_HEADER]

    def get(self, url: str) -> Any:
        return self.client.get(url, headers=self.cookie)

    def post(self, path: str, **fields: object) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **fields},
                                headers=self.cookie)

    def submit(self, path: str, **fields: object) -> tuple[str, str]:
        """POST a form, follow the redirect: (address it went to, the page it shows)."""
        answer = self.post(path, **fields)
        assert answer.status_code == 303, answer.text
        where = answer.headers["location"]
        page = self.get(where)
        assert page.status_code == 200
        return where, page.text


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:  # noqa: F811
    settings = make_settings(tmp_path, database_url, redis_url, s3_access_key="AKIA-khoa-truy-cap",
                             s3_secret_key="bi-mat-s3-khong-lo",
                             public_url="https://svc:mat-khau-trong-url@intake.example.gov.vn")
    migrate(settings.database)
    with session_scope(settings.database, write=True) as session:
        session.add_all([Unit(code=UNIT, name="Văn phòng Sở"), Unit(code=OTHER, name="")])
    return settings


@pytest.fixture
def admin(settings: Settings) -> Iterator[Admin]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield Admin(client, settings)


def _flash(page: str) -> str:
    found = re.search(r'<div id="flash"[^>]*>\s*<p>(.*?)</p>', page, re.S)
    assert found, "no message on the page"
    return found.group(1)


def _secret(page: str) -> str:
    found = re.search(r'<input id="secret" class="secret" value="([^"]+)"', page)
    assert found, "no secret on the page"
    return found.group(1)


def _audit(settings: Settings, action: str) -> list[AuditEntry]:
    with session_scope(settings.database) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


def _account(settings: Settings, username: str) -> Account:
    with session_scope(settings.database) as session:
        account = session.scalar(select(Account).where(Account.username == username))
        assert account is not None
        account.units  # noqa: B018 - loaded before the session closes
        return account


def test_pages_are_for_administrators_only(admin: Admin, settings: Settings) -> None:
    clerk = account_headers(settings, "chuyen.vien", Role.CLERK, (UNIT,))
    for url in ("/quan-tri", "/quan-tri/tai-khoan", "/quan-tri/nhat-ky.csv"):
        assert admin.get(url).status_code == 200
        assert admin.client.get(url, headers={"cookie": clerk["cookie"]}).status_code == 403
        anonymous = admin.client.get(url)
        assert anonymous.status_code == 303 and "/dang-nhap" in anonymous.headers["location"]
    refused = admin.client.post("/quan-tri/don-vi", data={"csrf_token": clerk[CSRF_HEADER],
                                                          "code": "Phòng X"},
                                headers={"cookie": clerk["cookie"]})
    assert refused.status_code == 403


def test_a_form_without_the_sessions_csrf_token_changes_nothing(admin: Admin,
                                                                settings: Settings) -> None:
    for token in ("", "0" * 64):
        answer = admin.client.post("/quan-tri/tai-khoan", headers=admin.cookie,
                                   data={"csrf_token": token, "username": "ke.gia.mao",
                                         "role": "administrator"})
        assert answer.status_code == 403
    foreign = admin.client.post("/quan-tri/tai-khoan", headers={
        **admin.cookie, "origin": "https://evil.example"}, data={
        "csrf_token": admin.csrf, "username": "ke.gia.mao", "role": "administrator"})
    assert foreign.status_code == 403
    with session_scope(settings.database) as session:
        assert session.scalar(select(Account).where(Account.username == "ke.gia.mao")) is None


def test_create_account_shows_its_one_time_password_once(admin: Admin, settings: Settings) -> None:
    answer = admin.post("/quan-tri/tai-khoan", username="Nguyen.Lan", display_name="Nguyễn Thị Lan",
                        role="clerk", units=[UNIT, OTHER], clearance="true")
    assert answer.status_code == 303
    where = answer.headers["location"]
    assert where.startswith("/quan-tri/tai-khoan?thong-bao=")
    # Another administrator with the same address sees no message (it is kept per account).
    other = account_headers(settings, "quan.tri.2", Role.ADMINISTRATOR)
    assert 'id="flash"' not in admin.client.get(where, headers={"cookie": other["cookie"]}).text
    page = admin.get(where).text
    assert _flash(page) == "Đã tạo tài khoản «nguyen.lan»."
    password = _secret(page)
    again = admin.get(where).text  # the message was taken: the password is not shown again
    assert password not in again and 'id="flash"' not in again
    assert "nguyen.lan" in again and "Nguyễn Thị Lan" in again and "Chờ đổi mật khẩu" in again
    account = _account(settings, "nguyen.lan")
    assert (account.role, account.secret_clearance, account.must_change_password) == (
        "clerk", True, True)
    assert sorted(u.code for u in account.units) == sorted([UNIT, OTHER])
    assert password not in account.password_hash
    with session_scope(settings.database, write=True) as session:
        assert authenticate(session, "nguyen.lan", password).ok
    [created] = [e for e in _audit(settings, AuditAction.ACCOUNT_CREATED)
                 if e.object_id == str(account.id)]
    assert created.actor_name == "quan.tri" and created.detail["units"] == sorted([UNIT, OTHER])


def test_refusals_come_back_as_messages(admin: Admin, settings: Settings) -> None:
    cases = [
        (dict(username="ab", role="clerk", units=[UNIT]), "Tên đăng nhập gồm 3–64 ký tự"),
        (dict(username="khong.don.vi", role="clerk"), "phải thuộc ít nhất một đơn vị"),
        (dict(username="sai.don.vi", role="clerk", units=["Không có"]), "Không có đơn vị «Không có»"),
        (dict(username="khong.vai.tro", role="root", units=[UNIT]), "Hãy chọn vai trò"),
        (dict(username="quan.tri", role="clerk", units=[UNIT]), "«quan.tri» đã có"),
        (dict(username="ctrl", display_name="a\x01b", role="clerk", units=[UNIT]),
         "ký tự điều khiển"),
    ]
    for fields, message in cases:
        where, page = admin.submit("/quan-tri/tai-khoan", **fields)
        assert message in _flash(page), (fields, _flash(page))
        assert 'class="banner bad"' in page and 'id="secret"' not in page
    with session_scope(settings.database) as session:
        names = set(session.scalars(select(Account.username)))
    assert names == {"quan.tri"}


def test_disable_enable_and_never_oneself(admin: Admin, settings: Settings) -> None:
    lan = account_headers(settings, "lan", Role.CLERK, (UNIT,))
    lan_id = _account(settings, "lan").id
    assert admin.client.get("/hang-doi", headers={"cookie": lan["cookie"]}).status_code == 200
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}/khoa")
    assert _flash(page).startswith("Đã khóa tài khoản «lan»")
    assert _account(settings, "lan").disabled
    with session_scope(settings.database, write=True) as session:
        assert not authenticate(session, "lan", "đúng-mật-khẩu-2026").ok
        assert session.scalar(select(AccountSession).where(
            AccountSession.account_id == lan_id, AccountSession.revoked_at.is_(None))) is None
    assert admin.client.get("/hang-doi", headers={"cookie": lan["cookie"]}).status_code == 303
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}/mo-khoa")
    assert _flash(page) == "Đã mở khóa tài khoản «lan»."
    with session_scope(settings.database, write=True) as session:
        assert authenticate(session, "lan", "đúng-mật-khẩu-2026").ok
    [off] = _audit(settings, AuditAction.ACCOUNT_DISABLED)
    [on] = _audit(settings, AuditAction.ACCOUNT_ENABLED)
    assert (off.object_id, on.object_id, off.actor_name) == (str(lan_id), str(lan_id), "quan.tri")
    me = _account(settings, "quan.tri").id
    for action in ("khoa", "dat-lai-mat-khau"):
        _, page = admin.submit(f"/quan-tri/tai-khoan/{me}/{action}")
        assert "tài khoản đang dùng để quản trị" in _flash(page)
    assert not _account(settings, "quan.tri").disabled
    assert admin.get("/quan-tri").status_code == 200  # still signed in
    _, page = admin.submit("/quan-tri/tai-khoan/999999/khoa")
    assert "Không có tài khoản này" in _flash(page)
    assert admin.post(f"/quan-tri/tai-khoan/{2**63}/khoa").status_code == 422  # beyond 64 bits


def test_reset_password_and_end_sessions(admin: Admin, settings: Settings) -> None:
    lan = account_headers(settings, "lan", Role.CLERK, (UNIT,))
    lan_id = _account(settings, "lan").id
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}/dat-lai-mat-khau")
    password = _secret(page)
    assert admin.client.get("/hang-doi", headers={"cookie": lan["cookie"]}).status_code == 303
    account = _account(settings, "lan")
    assert account.must_change_password
    with session_scope(settings.database, write=True) as session:
        assert authenticate(session, "lan", password).ok
        assert not authenticate(session, "lan", "đúng-mật-khẩu-2026").ok
    assert [e.detail for e in _audit(settings, AuditAction.PASSWORD_SET)] == [{"must_change": True}]
    again = account_headers(settings, "lan", Role.CLERK)
    token = again["cookie"].removeprefix(f"{COOKIE}=")
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}/ket-thuc-phien")
    assert _flash(page) == "Đã kết thúc 1 phiên làm việc của «lan»."
    with session_scope(settings.database, write=True) as session:
        assert lookup(session, token) is None


def test_update_account_audits_before_and_after(admin: Admin, settings: Settings) -> None:
    account_headers(settings, "lan", Role.CLERK, (UNIT,))
    lan_id = _account(settings, "lan").id
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}", display_name="Trần Lan",
                           role="manager", units=[OTHER], clearance="true")
    assert _flash(page) == "Đã lưu tài khoản «lan»."
    account = _account(settings, "lan")
    assert (account.role, [u.code for u in account.units], account.secret_clearance,
            account.display_name) == ("manager", [OTHER], True, "Trần Lan")
    [entry] = _audit(settings, AuditAction.ACCOUNT_UPDATED)
    assert entry.detail["role"] == {"before": "clerk", "after": "manager"}
    assert entry.detail["units"] == {"before": [UNIT], "after": [OTHER]}
    assert entry.detail["secret_clearance"] == {"before": False, "after": True}
    _, page = admin.submit(f"/quan-tri/tai-khoan/{lan_id}", display_name="Trần Lan",
                           role="manager", units=[OTHER], clearance="true")
    assert "không có gì thay đổi" in _flash(page)
    assert len(_audit(settings, AuditAction.ACCOUNT_UPDATED)) == 1
    me = _account(settings, "quan.tri").id
    _, page = admin.submit(f"/quan-tri/tai-khoan/{me}", role="clerk", units=[UNIT])
    assert "bỏ vai trò quản trị" in _flash(page)
    assert _account(settings, "quan.tri").role == "administrator"


def test_units(admin: Admin, settings: Settings) -> None:
    _, page = admin.submit("/quan-tri/don-vi", code=" Phòng Kế hoạch ", name="Phòng Kế hoạch - Đầu tư")
    assert _flash(page) == "Đã thêm đơn vị «Phòng Kế hoạch»."
    assert "Phòng Kế hoạch - Đầu tư" in page
    _, page = admin.submit("/quan-tri/don-vi", code="Phòng Kế hoạch")
    assert "đã có" in _flash(page)
    [entry] = _audit(settings, AuditAction.UNIT_CREATED)
    assert entry.actor_name == "quan.tri"


def test_tokens_shown_once_work_and_revoke(admin: Admin, settings: Settings) -> None:
    where, page = admin.submit("/quan-tri/ma-truy-cap", name="Máy quét tầng 1", scope="upload",
                               unit=UNIT, days="30")
    token = _secret(page)
    assert token.startswith("itk_") and token not in admin.get(where).text
    listing = admin.get("/quan-tri/ma-truy-cap").text
    assert token[:12] in listing and token[12:] not in listing and "Còn hiệu lực" in listing
    with session_scope(settings.database, write=True) as session:
        row, reason = check_token(session, token, (TokenScope.UPLOAD,))
        assert reason == "ok" and row is not None and row.unit is not None
        assert row.unit.code == UNIT
        assert dt.timedelta(days=29) < row.expires_at - row.created_at <= dt.timedelta(days=30)
        token_id = row.id
    assert "Dùng lần cuối" in listing
    _, page = admin.submit(f"/quan-tri/ma-truy-cap/{token_id}/thu-hoi")
    assert _flash(page).startswith("Đã thu hồi mã truy cập «Máy quét tầng 1»")
    with session_scope(settings.database, write=True) as session:
        assert check_token(session, token, (TokenScope.UPLOAD,))[1] == "revoked"
    assert [e.object_id for e in _audit(settings, AuditAction.TOKEN_REVOKED)] == [str(token_id)]
    for fields, message in [
        (dict(name="Máy quét", scope="upload", unit="", days="30"), "phải thuộc một đơn vị"),
        (dict(name="Máy quét", scope="admin", unit=UNIT, days="30"), "Hãy chọn loại"),
        (dict(name="QLVB", scope="registry", unit="", days="1000"), "Thời hạn phải từ 1 đến 730"),
    ]:
        _, page = admin.submit("/quan-tri/ma-truy-cap", **fields)
        assert message in _flash(page)
    _, page = admin.submit("/quan-tri/ma-truy-cap", name="QLVB", scope="registry", unit="",
                           days="365")
    with session_scope(settings.database) as session:
        registry = session.scalar(select(ApiToken).where(ApiToken.name == "QLVB"))
        assert registry is not None and registry.unit_id is None and registry.scope == "registry"


def test_settings_page_masks_secrets(admin: Admin, settings: Settings) -> None:
    page = admin.get("/quan-tri/cau-hinh").text
    for secret in ("AKIA-khoa-truy-cap", "bi-mat-s3-khong-lo", "mat-khau-trong-url"):
        assert secret not in page
    assert "INTAKE_S3_SECRET_KEY" in page and "INTAKE_OCR_LANGUAGE" in page
    assert "https://svc:••••••@intake.example.gov.vn" in page
    rows = {r["name"]: r["value"] for r in settings_rows(Settings(
        database_url="postgresql://intake:pw-123@db:5432/intake",
        redis_url="redis://:redis-pw@redis:6379/0", s3_endpoint_url="https://minio?password=x"))}
    assert rows["INTAKE_DATABASE_URL"] == "postgresql://intake:••••••@db:5432/intake"
    assert rows["INTAKE_REDIS_URL"] == "redis://:••••••@redis:6379/0"
    assert rows["INTAKE_S3_ENDPOINT_URL"] == "https://minio?••••••"
    assert rows["INTAKE_S3_SECRET_KEY"] == "(trống)"


def _seed_audit(settings: Settings) -> None:
    robot = Actor("token", 7, "=HYPERLINK(\"http://x\") (itk_abcdefgh)")
    with session_scope(settings.database, write=True) as session:
        for i in range(60):
            record(session, Actor("account", 1, "van.thu"), AuditAction.SIGNIN,
                   object_kind="account", object_id=1, at=dt.datetime(2026, 3, 1, 2, i % 60,
                                                                      tzinfo=dt.UTC))
        record(session, robot, AuditAction.TOKEN_USED, object_kind="token", object_id=7,
               detail={"scope": "upload"}, ip="10.0.0.5",
               at=dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC))  # 2 March, 23:30 in Vietnam
        record(session, robot, AuditAction.TOKEN_REFUSED, object_kind="token", object_id=7,
               detail={"reason": "@SUM(1)"},
               at=dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC))  # 3 March, 00:30 in Vietnam


def test_audit_log_filters_and_pages(admin: Admin, settings: Settings) -> None:
    _seed_audit(settings)
    page = admin.get("/quan-tri/nhat-ky?action=signin&start=2026-03-01&end=2026-03-01").text
    assert "60 mục, hiện 1–50" in page
    assert page.count('title="signin"') == 50 and 'rel="next"' in page
    nxt = re.search(r'href="\?([^"]+)" rel="next"', page)
    assert nxt and "offset=50" in nxt.group(1) and "action=signin" in nxt.group(1)
    second = admin.get("/quan-tri/nhat-ky?" + nxt.group(1).replace("&amp;", "&")).text
    assert "hiện 51–60" in second and second.count('title="signin"') == 10
    # Vietnam days: 17:30 UTC on 2 March is already 3 March there, 16:30 is not.
    march3 = admin.get("/quan-tri/nhat-ky?start=2026-03-03&end=2026-03-03").text
    assert "1 mục" in march3 and "03/03/2026 00:30" in march3 and "23:30" not in march3
    march2 = admin.get("/quan-tri/nhat-ky?start=02/03/2026&end=2/3/2026").text  # as typed
    assert "1 mục" in march2 and "02/03/2026 23:30" in march2
    by_actor = admin.get("/quan-tri/nhat-ky?actor=ITK_ABCD&object_kind=token&object_id=7").text
    assert "2 mục" in by_actor and "@SUM(1)" in by_actor
    assert "1 mục" in admin.get("/quan-tri/nhat-ky?action=token.refused").text
    assert "0 mục" in admin.get("/quan-tri/nhat-ky?actor=50%25_").text  # LIKE wildcards are text
    for bad in ("start=31/02/2026", "end=9999-12-31", "start=0001-01-01"):
        assert "không đúng dạng ngày/tháng/năm" in admin.get(f"/quan-tri/nhat-ky?{bad}").text
    assert "ký tự điều khiển" in admin.get("/quan-tri/nhat-ky?actor=a%01b").text
    beyond = admin.get("/quan-tri/nhat-ky?offset=99999999999999999999999")  # past 64 bits
    assert beyond.status_code == 200 and "Không có mục nào." in beyond.text


def test_audit_csv_keeps_formulas_as_text_and_is_audited(admin: Admin,
                                                          settings: Settings) -> None:
    _seed_audit(settings)
    answer = admin.get("/quan-tri/nhat-ky.csv?object_kind=token")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Thời điểm (giờ Việt Nam)", "Thời điểm (UTC)", "Hành động"]
    assert [r[3] for r in rows[1:]] == ["token.refused", "token.used"]  # newest first
    assert {r[5] for r in rows[1:]} == {"'=HYPERLINK(\"http://x\") (itk_abcdefgh)"}
    assert rows[2][10] == "10.0.0.5" and rows[2][1] == "2026-03-02T16:30:00+00:00"
    [export] = _audit(settings, AuditAction.AUDIT_EXPORTED)
    assert export.actor_name == "quan.tri" and export.detail == {
        "filters": {"object_kind": "token"}}


def test_overview_counts(admin: Admin, settings: Settings) -> None:
    account_headers(settings, "lan", Role.CLERK, (UNIT,))
    _seed_audit(settings)
    page = admin.get("/quan-tri").text
    cards = dict((label, int(value)) for value, label in re.findall(
        r'<span class="value">(\d+)</span> <span class="label">([^<]+)</span>', page))
    assert cards["Tài khoản đang dùng"] == 2 and cards["Đơn vị"] == 2
    assert cards["Tài khoản đã khóa"] == 0 and cards["Lần gửi webhook cần xử lý"] == 0


def test_webhooks_add_retry_delete(tmp_path: Path, database_url: str,  # noqa: F811
                                   redis_url: str) -> None:  # noqa: F811
    from infra.tables import Outbox, Subscription
    from tests.service.helpers import ready_document

    settings = make_settings(tmp_path, database_url, redis_url,
                             webhook_allowed_hosts="127.0.0.1",
                             webhook_allowed_networks="127.0.0.0/8")
    migrate(settings.database)
    doc_id = ready_document(settings, {"number": "12/QĐ-UBND"})
    with TestClient(create_app(settings), follow_redirects=False) as client:
        admin = Admin(client, settings)
        _, page = admin.submit("/quan-tri/webhook", url="https://evil.example/hook")
        assert _flash(page).startswith("Không thêm được webhook: ") and "evil.example" in page
        assert 'class="banner bad"' in page
        _, page = admin.submit("/quan-tri/webhook", url="https://127.0.0.1:9/hook")
        key = _secret(page)
        assert len(key) >= 32 and "https://127.0.0.1:9/hook" in page
        with session_scope(settings.database, write=True) as session:
            sub = session.scalar(select(Subscription))
            assert sub is not None and sub.secret == key and sub.created_by == "user:quan.tri"
            session.add(Outbox(subscription_id=sub.id, document_id=doc_id, delivery_seq=1,
                               state="parked", attempts=8, last_status=503))
            session.flush()
            sub_id, delivery_id = sub.id, session.scalar(select(Outbox.id))
        page = admin.get("/quan-tri/webhook").text
        assert f'id="delivery-{delivery_id}"' in page and "Lần gửi cần xử lý (1)" in page
        _, page = admin.submit(f"/quan-tri/webhook/lan-gui/{delivery_id}/gui-lai")
        assert _flash(page) == f"Sẽ gửi lại văn bản số {doc_id} tới webhook {sub_id}."
        _, page = admin.submit(f"/quan-tri/webhook/lan-gui/{delivery_id}/gui-lai")
        assert "không còn chờ xử lý" in _flash(page)
        _, page = admin.submit(f"/quan-tri/webhook/{sub_id}/xoa")
        assert _flash(page).startswith("Đã xóa webhook")
        _, page = admin.submit(f"/quan-tri/webhook/{sub_id}/xoa")
        assert "Không có webhook này" in _flash(page)
        # The JSON API for scripts records the same entries.
        api = {**admin.cookie, CSRF_HEADER: admin.csrf}
        made = client.post("/api/registry/subscriptions", headers=api,
                           json={"url": "https://127.0.0.1:9/other"})
        assert made.status_code == 201
        assert client.delete(f"/api/registry/subscriptions/{made.json()['id']}",
                             headers=api).status_code == 204
    with session_scope(settings.database) as session:
        outbox = session.get(Outbox, delivery_id)
        assert outbox is not None and outbox.state == "cancelled"
    created = _audit(settings, AuditAction.WEBHOOK_CREATED)
    deleted = _audit(settings, AuditAction.WEBHOOK_DELETED)
    assert [e.object_id for e in created] == [e.object_id for e in deleted] == [
        str(sub_id), str(sub_id + 1)]
    assert {e.actor_name for e in created + deleted} == {"quan.tri"}
    assert created[1].detail == {"url": "https://127.0.0.1:9/other", "from_start": False}
    [retried] = _audit(settings, AuditAction.DELIVERY_RETRIED)
    assert retried.detail == {"document_id": doc_id, "subscription_id": sub_id}


def test_every_audit_action_has_a_vietnamese_name() -> None:
    """The filter and the table name every action the code records in Vietnamese."""
    from intake.services.admin_audit import ACTION_NAMES, action_name

    assert set(ACTION_NAMES) == set(AuditAction)
    assert action_name("secret.viewed") == "Xem văn bản mật"
    assert action_name("no.such.action") == "no.such.action"  # an old entry's code is kept
