"""What the administrators' pages show and do: accounts, units, API tokens, webhooks, settings.

Every action takes the administrator (`who`) and is audited by the function it calls
(intake/auth/*, documents/delivery.py); its answer is the `Flash` the next page shows, carrying a
one-time password, an API token or a webhook key to show once. Nothing here reads document
content: the administrators see accounts, machines and counts, never a document's text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from documents import delivery
from documents.audit import AuditAction
from documents.reports.query import LOCAL_TZ
from infra.tables import Account, AccountSession, AccountUnit, ApiToken, AuditEntry, Unit, utcnow
from intake.auth import accounts, tokens, units
from intake.auth.passwords import generate_password
from intake.auth.principal import Principal
from intake.auth.roles import Role, TokenScope
from intake.auth.sessions import revoke_all
from intake.render.pages import ROLE_NAMES
from intake.services.admin_flash import Flash
from models.errors import ConflictError, InvalidFieldError, NotFoundError
from models.settings import Settings
from models.vocabulary import OutboxState

SCOPE_NAMES = {TokenScope.UPLOAD: "Tải lên (máy quét, thư mục theo dõi)",
               TokenScope.REGISTRY: "Hệ thống quản lý văn bản (lấy văn bản, báo trạng thái)"}
ONE_TIME = ("Mật khẩu dùng một lần (chỉ hiện lần này; người dùng phải đổi mật khẩu khi đăng nhập "
            "lần đầu)")
SECRET_WORDS = ("secret", "password", "key", "token")  # a setting named so is never shown


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain(**fields: str) -> None:
    """Refuse control characters in what a form typed (PostgreSQL stores no NUL; a name or code is
    one line)."""
    for name, value in fields.items():
        if _CONTROL.search(value):
            raise InvalidFieldError("Không được dùng ký tự điều khiển (xuống dòng, tab…).",
                                    field=name)


def local_time(value: dt.datetime | None) -> str:
    """A moment as the administrators read it: Vietnam time, day first."""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if value else ""


# --- overview ---------------------------------------------------------------------------------

Card = tuple[str, int, str]  # label, figure, the page it links to


def overview(session: Session, settings: Settings, now: dt.datetime | None = None) -> list[Card]:
    """The cards of the first administration page."""
    now = now or utcnow()
    day = now - dt.timedelta(days=1)

    def count(*where: Any, of: Any = Account.id) -> int:
        return session.scalar(select(func.count(of)).where(*where)) or 0

    parked = delivery.list_deliveries(settings, str(OutboxState.PARKED), None, 1, 0)["total"]
    return [
        ("Tài khoản đang dùng", count(Account.disabled.is_(False)), "/quan-tri/tai-khoan"),
        ("Tài khoản đã khóa", count(Account.disabled.is_(True)), "/quan-tri/tai-khoan"),
        ("Tài khoản tạm khóa do nhập sai", count(Account.locked_until > now),
         "/quan-tri/tai-khoan"),
        ("Đơn vị", count(of=Unit.id), "/quan-tri/don-vi"),
        ("Mã truy cập còn hiệu lực",
         count(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now, of=ApiToken.id),
         "/quan-tri/ma-truy-cap"),
        ("Lần gửi webhook cần xử lý", int(parked), "/quan-tri/webhook"),
        ("Đăng nhập sai trong 24 giờ",
         count(AuditEntry.action == AuditAction.SIGNIN_FAILED, AuditEntry.at >= day,
               of=AuditEntry.id),
         f"/quan-tri/nhat-ky?action={AuditAction.SIGNIN_FAILED}"),
        ("Mục nhật ký trong 24 giờ", count(AuditEntry.at >= day, of=AuditEntry.id),
         "/quan-tri/nhat-ky"),
    ]


# --- accounts ---------------------------------------------------------------------------------

def account_rows(session: Session, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every account with its role, units, clearance, state and live sessions."""
    now = now or utcnow()
    live = dict(session.execute(
        select(AccountSession.account_id, func.count()).where(
            AccountSession.revoked_at.is_(None), AccountSession.expires_at > now)
        .group_by(AccountSession.account_id)).all())
    rows = []
    for account in session.scalars(select(Account).order_by(Account.username)):
        if account.disabled:
            state = "Đã khóa"
        elif account.locked_until is not None and account.locked_until > now:
            state = f"Tạm khóa đến {local_time(account.locked_until)}"
        elif account.must_change_password:
            state = "Chờ đổi mật khẩu"
        else:
            state = "Đang dùng"
        rows.append({"id": account.id, "username": account.username,
                     "display_name": account.display_name, "role": account.role,
                     "role_name": ROLE_NAMES.get(Role(account.role), account.role),
                     "units": [u.code for u in account.units],
                     "clearance": account.secret_clearance, "disabled": account.disabled,
                     "state": state, "sessions": int(live.get(account.id, 0)),
                     "created_at": local_time(account.created_at)})
    return rows


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id, with_for_update=True)
    if account is None:
        raise NotFoundError("Không có tài khoản này (có thể trang đã cũ; hãy tải lại).")
    return account


def _units(session: Session, codes: Sequence[str]) -> list[Unit]:
    """The units of these codes; an unknown code is refused."""
    wanted = sorted(set(codes))
    found = list(session.scalars(select(Unit).where(Unit.code.in_(wanted)).order_by(Unit.code)))
    missing = set(wanted) - {u.code for u in found}
    if missing:
        raise InvalidFieldError(f"Không có đơn vị «{', '.join(sorted(missing))}».", field="units")
    return found


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidFieldError("Hãy chọn vai trò của tài khoản.", field="role") from None


def _not_self(who: Principal, account: Account, what: str) -> None:
    if account.id == who.id:
        raise ConflictError(f"Không thể {what} tài khoản đang dùng để quản trị; hãy nhờ một quản "
                            "trị viên khác.")


def create_account(session: Session, who: Principal, *, username: str, display_name: str,
                   role: str, unit_codes: Sequence[str], clearance: bool) -> Flash:
    """A new account with a generated one-time password it must change at first sign-in."""
    plain(username=username, display_name=display_name)
    chosen = _role(role)
    unit_rows = _units(session, unit_codes)
    if chosen is not Role.ADMINISTRATOR and not unit_rows:
        raise InvalidFieldError("Tài khoản phải thuộc ít nhất một đơn vị.", field="units")
    password = generate_password()
    account = accounts.create_account(
        session, username=username, password=password, role=chosen, actor=who.actor,
        display_name=display_name, units=unit_rows, secret_clearance=clearance,
        must_change_password=True)
    return Flash(f"Đã tạo tài khoản «{account.username}».", secret=password,
                 secret_label=ONE_TIME)


def update_account(session: Session, who: Principal, account_id: int, *, display_name: str,
                   role: str, unit_codes: Sequence[str], clearance: bool) -> Flash:
    """Change an account's name, role, units or clearance."""
    plain(display_name=display_name)
    account = _account(session, account_id)
    chosen = _role(role)
    if account.id == who.id and chosen is not Role.ADMINISTRATOR:
        _not_self(who, account, "bỏ vai trò quản trị của")
    unit_rows = _units(session, unit_codes)
    if chosen is not Role.ADMINISTRATOR and not unit_rows:
        raise InvalidFieldError("Tài khoản phải thuộc ít nhất một đơn vị.", field="units")
    changed = accounts.update_account(session, account, actor=who.actor, role=chosen,
                                      units=unit_rows, secret_clearance=clearance,
                                      display_name=display_name)
    return Flash(f"Đã lưu tài khoản «{account.username}»." if changed
                 else f"Tài khoản «{account.username}» không có gì thay đổi.")


def set_disabled(session: Session, who: Principal, account_id: int, disabled: bool) -> Flash:
    """Disable (sessions ended, no sign-in) or enable an account; never one's own."""
    account = _account(session, account_id)
    if disabled:
        _not_self(who, account, "khóa")
    accounts.set_disabled(session, account, disabled, actor=who.actor)
    return Flash(f"Đã khóa tài khoản «{account.username}»; mọi phiên làm việc của tài khoản đã "
                 "kết thúc." if disabled else f"Đã mở khóa tài khoản «{account.username}».")


def reset_password(session: Session, who: Principal, account_id: int) -> Flash:
    """A new one-time password (shown once): the sessions end, the person must choose their own."""
    account = _account(session, account_id)
    _not_self(who, account, "đặt lại mật khẩu của")  # one's own: the password page
    password = generate_password()
    accounts.set_password(session, account, password, actor=who.actor, must_change=True)
    return Flash(f"Đã đặt lại mật khẩu của «{account.username}»; mọi phiên làm việc của tài "
                 "khoản đã kết thúc.", secret=password, secret_label=ONE_TIME)


def end_sessions(session: Session, who: Principal, account_id: int) -> Flash:
    """Sign an account out everywhere (a lost or shared computer)."""
    account = _account(session, account_id)
    ended = revoke_all(session, account, actor=who.actor)
    return Flash(f"Đã kết thúc {ended} phiên làm việc của «{account.username}».")


# --- units ------------------------------------------------------------------------------------

def unit_rows(session: Session) -> list[dict[str, Any]]:
    """Every unit with how many accounts and live upload/registry tokens belong to it."""
    people = dict(session.execute(select(AccountUnit.unit_id, func.count())
                                  .group_by(AccountUnit.unit_id)).all())
    machines = dict(session.execute(
        select(ApiToken.unit_id, func.count()).where(ApiToken.revoked_at.is_(None),
                                                     ApiToken.expires_at > utcnow())
        .group_by(ApiToken.unit_id)).all())
    return [{"id": u.id, "code": u.code, "name": u.name, "accounts": int(people.get(u.id, 0)),
             "tokens": int(machines.get(u.id, 0))}
            for u in session.scalars(select(Unit).order_by(Unit.code))]


def create_unit(session: Session, who: Principal, *, code: str, name: str) -> Flash:
    plain(code=code, name=name)
    unit = units.create_unit(session, code, name, actor=who.actor)
    return Flash(f"Đã thêm đơn vị «{unit.code}».")


# --- API tokens -------------------------------------------------------------------------------

def token_rows(session: Session, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every token, live ones first: prefix, scope, unit, expiry, last use (never the secret)."""
    now = now or utcnow()
    rows = []
    makers = dict(session.execute(select(Account.id, Account.username)).all())
    for t in session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                       ApiToken.created_at.desc())):
        live = t.revoked_at is None and t.expires_at > now
        state = ("Đã thu hồi " + local_time(t.revoked_at) if t.revoked_at is not None
                 else "Đã hết hạn" if not live else "Còn hiệu lực")
        rows.append({"id": t.id, "name": t.name, "prefix": t.prefix,
                     "scope": SCOPE_NAMES.get(TokenScope(t.scope), t.scope),
                     "unit": t.unit.code if t.unit else "Mọi đơn vị",
                     "created_by": makers.get(t.created_by, ""),
                     "created_at": local_time(t.created_at), "expires_at": local_time(t.expires_at),
                     "last_used_at": local_time(t.last_used_at) or "Chưa dùng",
                     "live": live, "revoked": t.revoked_at is not None, "state": state})
    return rows


def create_token(session: Session, who: Principal, *, name: str, scope: str, unit_code: str,
                 days: int) -> Flash:
    """A new token shown once: upload tokens upload into one unit; a registry token pulls one
    unit's documents, or every unit's when none is chosen."""
    plain(name=name)
    try:
        chosen = TokenScope(scope)
    except ValueError:
        raise InvalidFieldError("Hãy chọn loại mã truy cập.", field="scope") from None
    unit = _units(session, [unit_code])[0] if unit_code else None
    if not 1 <= days <= tokens.MAX_LIFETIME.days:
        raise InvalidFieldError(f"Thời hạn phải từ 1 đến {tokens.MAX_LIFETIME.days} ngày.",
                                field="days")
    maker = session.get(Account, who.id)
    assert maker is not None  # the signed-in administrator
    new = tokens.create_token(session, name=name, scope=chosen, created_by=maker, unit=unit,
                              lifetime=dt.timedelta(days=days))
    return Flash(f"Đã tạo mã truy cập «{new.row.name}» ({new.row.prefix}…).", secret=new.token,
                 secret_label="Mã truy cập (chỉ hiện lần này; hãy chép vào máy quét hoặc phần "
                 "mềm ngay bây giờ)")


def revoke_token(session: Session, who: Principal, token_id: int) -> Flash:
    row = session.get(ApiToken, token_id, with_for_update=True)
    if row is None:
        raise NotFoundError("Không có mã truy cập này (có thể trang đã cũ; hãy tải lại).")
    tokens.revoke_token(session, row, actor=who.actor)
    return Flash(f"Đã thu hồi mã truy cập «{row.name}» ({row.prefix}…).")


# --- webhooks (documents/delivery.py: their own transactions, audited there) -----------------

def webhook_rows(settings: Settings) -> list[dict[str, Any]]:
    items = delivery.list_subscriptions(settings)["items"]
    for item in items:
        item["created_at"] = local_time(dt.datetime.fromisoformat(item["created_at"]))
    return items


def parked_rows(settings: Settings, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Pushes that gave up and wait for a person (newest first), and how many there are."""
    page = delivery.list_deliveries(settings, str(OutboxState.PARKED), None, limit, 0)
    for item in page["items"]:
        item["created_at"] = local_time(dt.datetime.fromisoformat(item["created_at"]))
    return page["items"], int(page["total"])


def add_webhook(settings: Settings, who: Principal, *, url: str, secret: str,
                from_start: bool) -> Flash:
    """Register a webhook (the host must be allowed); its HMAC key is shown once."""
    plain(url=url, secret=secret)
    try:
        view = delivery.create_subscription(settings, url.strip(), secret or None, from_start,
                                            who.history, audit=who.actor)
    except InvalidFieldError as exc:  # the policy's reason names the host (in English)
        raise InvalidFieldError(f"Không thêm được webhook: {exc.message}", field="url") from None
    return Flash(f"Đã thêm webhook {view['url']}.", secret=view["secret"],
                 secret_label="Khóa HMAC của webhook (chỉ hiện lần này; hãy chép vào hệ thống "
                 "nhận ngay bây giờ)")


def delete_webhook(settings: Settings, who: Principal, sub_id: int) -> Flash:
    try:
        delivery.delete_subscription(settings, sub_id, audit=who.actor)
    except NotFoundError:
        raise NotFoundError("Không có webhook này (có thể đã xóa; hãy tải lại trang).") from None
    return Flash("Đã xóa webhook; các lần gửi đang chờ của nó đã hủy.")


def retry_delivery(settings: Settings, who: Principal, delivery_id: int) -> Flash:
    try:
        view = delivery.retry_delivery(settings, delivery_id, who.history, audit=who.actor)
    except NotFoundError:
        raise NotFoundError("Không có lần gửi này (hãy tải lại trang).") from None
    except ConflictError:
        raise ConflictError("Lần gửi này không còn chờ xử lý hoặc webhook của nó đã bị xóa.") \
            from None
    return Flash(f"Sẽ gửi lại văn bản số {view['document_id']} tới webhook "
                 f"{view['subscription_id']}.")


# --- settings ---------------------------------------------------------------------------------

def _masked(name: str, value: object, shown: bool) -> str:
    if value is None or value == "":
        return "(trống)"
    if not shown or any(word in name for word in SECRET_WORDS):
        return "•••••• (đã đặt, không hiển thị)"
    text = str(value)
    parts = urlsplit(text) if "://" in text else None
    if parts is None:
        return text
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:••••••@{host}")
    if "pass" in parts.query.lower() or "key" in parts.query.lower():  # ?password=… in a URL
        parts = parts._replace(query="••••••")
    return urlunsplit(parts)


def settings_rows(settings: Settings) -> list[dict[str, str]]:
    """Every setting in effect, its variable and meaning; secrets and passwords in URLs masked."""
    rows = [{"name": f"INTAKE_{name.upper()}", "value": _masked(name, getattr(settings, name),
                                                                 field.repr),
             "description": field.description or ""}
            for name, field in type(settings).model_fields.items()]
    rows.append({"name": "(cơ sở dữ liệu đang dùng)",
                 "value": _masked("database", settings.database, True),
                 "description": "The database URL in use (the embedded SQLite file when "
                 "INTAKE_DATABASE_URL is empty)."})
    return rows
