"""The audit log as the administrators read it: filters, pages, CSV export."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from documents.audit import AuditAction
from documents.reports.query import LOCAL_TZ
from infra.tables import AuditEntry
from intake.render.exports import csv_table
from intake.schemas import MAX_OFFSET
from intake.services.admin import local_time, plain
from models.errors import InvalidFieldError

PAGE = 50  # entries per page
EXPORT_LIMIT = 100_000  # entries in one CSV file (narrow the filters for more)

ACTION_NAMES = {
    AuditAction.SIGNIN: "Đăng nhập", AuditAction.SIGNIN_FAILED: "Đăng nhập không thành công",
    AuditAction.ACCOUNT_LOCKED: "Tạm khóa do nhập sai nhiều lần",
    AuditAction.SIGNOUT: "Đăng xuất", AuditAction.ACCOUNT_CREATED: "Tạo tài khoản",
    AuditAction.PASSWORD_SET: "Đặt mật khẩu (quản trị)",
    AuditAction.PASSWORD_CHANGED: "Đổi mật khẩu",
    AuditAction.PASSWORD_CHANGE_FAILED: "Đổi mật khẩu không thành công",
    AuditAction.SESSIONS_REVOKED: "Kết thúc mọi phiên làm việc",
    AuditAction.UNIT_CREATED: "Thêm đơn vị", AuditAction.TOKEN_CREATED: "Tạo mã truy cập",
    AuditAction.TOKEN_USED: "Dùng mã truy cập", AuditAction.TOKEN_REFUSED: "Từ chối mã truy cập",
    AuditAction.TOKEN_REVOKED: "Thu hồi mã truy cập",
    AuditAction.SECRET_VIEWED: "Xem văn bản mật", AuditAction.SECRET_DOWNLOADED: "Tải văn bản mật",
    AuditAction.SECRECY_CHANGED: "Đổi độ mật",
    AuditAction.ACCOUNT_DISABLED: "Khóa tài khoản", AuditAction.ACCOUNT_ENABLED: "Mở khóa tài khoản",
    AuditAction.ACCOUNT_UPDATED: "Sửa tài khoản", AuditAction.WEBHOOK_CREATED: "Thêm webhook",
    AuditAction.WEBHOOK_DELETED: "Xóa webhook", AuditAction.DELIVERY_RETRIED: "Gửi lại webhook",
    AuditAction.DOCUMENT_CHANGED: "Thay đổi văn bản",
    AuditAction.DOCUMENT_DELIVERED: "Đã chuyển văn bản đi",
    AuditAction.AUDIT_EXPORTED: "Tải nhật ký (CSV)",
    AuditAction.SIGNING_CHANGED: "Thay đổi chứng thư số",
}
ACTOR_KINDS = {"account": "Tài khoản", "token": "Mã truy cập", "system": "Hệ thống",
               "anonymous": "Không xác định"}
OBJECT_KINDS = {"account": "Tài khoản", "unit": "Đơn vị", "token": "Mã truy cập",
                "document": "Văn bản", "batch": "Lô tải lên", "webhook": "Webhook",
                "delivery": "Lần gửi webhook", "signing_certificate": "Chứng thư số"}
CSV_HEAD = ["Thời điểm (giờ Việt Nam)", "Thời điểm (UTC)", "Hành động", "Mã hành động",
            "Loại người thực hiện", "Người thực hiện", "Mã người thực hiện", "Loại đối tượng",
            "Mã đối tượng", "Chi tiết", "Địa chỉ IP"]


def action_name(action: str) -> str:
    """The Vietnamese name of an action (the code itself for one this page does not know yet)."""
    try:
        return ACTION_NAMES.get(AuditAction(action), action)
    except ValueError:
        return action


def action_options() -> dict[str, str]:
    """The action filter's choices: every action the code can record."""
    return {str(a): action_name(a) for a in AuditAction}


@dataclass(frozen=True)
class AuditFilter:
    """What the page and the export show: every field optional; days are Vietnam days."""

    action: str = ""
    actor: str = ""  # part of the actor's name (username, token name and prefix)
    object_kind: str = ""
    object_id: str = ""
    start: str = ""  # dd/mm/yyyy as typed (yyyy-mm-dd accepted)
    end: str = ""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> AuditFilter:
        """The filter of a page's query string (unknown keys ignored, values trimmed)."""
        return cls(**{k: (params.get(k) or "").strip()[:100] for k in cls.__dataclass_fields__})

    def query(self) -> dict[str, str]:
        """Its non-empty fields, for links to other pages and to the export."""
        return {k: v for k, v in asdict(self).items() if v}

    def conditions(self) -> list[Any]:
        """SQL conditions; a malformed day or a control character is refused in Vietnamese."""
        plain(**asdict(self))
        where: list[Any] = []
        if self.action:
            where.append(AuditEntry.action == self.action)
        if self.actor:
            where.append(func.lower(AuditEntry.actor_name).contains(self.actor.lower(),
                                                                    autoescape=True))
        if self.object_kind:
            where.append(AuditEntry.object_kind == self.object_kind)
        if self.object_id:
            where.append(AuditEntry.object_id == self.object_id)
        if self.start:
            where.append(AuditEntry.at >= _day_start(self.start, "start"))
        if self.end:
            where.append(AuditEntry.at < _day_start(self.end, "end", after=True))
        return where


def _day_start(value: str, name: str, after: bool = False) -> dt.datetime:
    """The first moment (UTC) of a Vietnam day, or of the day after it."""
    try:
        vn = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", value)  # dd/mm/yyyy
        typed = dt.date(int(vn[3]), int(vn[2]), int(vn[1])) if vn else dt.date.fromisoformat(value)
        day = typed + dt.timedelta(days=int(after))
        return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
    except (ValueError, OverflowError):  # not a date, or at the edge of the calendar
        raise InvalidFieldError(f"Ngày «{value}» không đúng dạng ngày/tháng/năm.",
                                field=name) from None


def _select(flt: AuditFilter) -> Select[AuditEntry]:
    return (select(AuditEntry).where(*flt.conditions())
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


def _row(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": local_time(e.at), "at_utc": e.at.astimezone(dt.UTC).isoformat(),
            "action": e.action, "action_name": action_name(e.action),
            "actor_kind": ACTOR_KINDS.get(e.actor_kind, e.actor_kind), "actor": e.actor_name,
            "actor_id": "" if e.actor_id is None else str(e.actor_id),
            "object_kind": OBJECT_KINDS.get(e.object_kind or "", e.object_kind or ""),
            "object_id": e.object_id or "",
            "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else "",
            "ip": e.ip or ""}


def audit_page(session: Session, flt: AuditFilter, offset: int) -> dict[str, Any]:
    """One page of entries, newest first, and how many match."""
    offset = min(max(0, offset), MAX_OFFSET)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*flt.conditions())) or 0
    rows = [_row(e) for e in session.scalars(_select(flt).limit(PAGE).offset(offset))]
    return {"rows": rows, "total": total, "offset": offset, "limit": PAGE,
            "previous": max(0, offset - PAGE) if offset else None,
            "next": offset + PAGE if offset + PAGE < total else None}


def audit_csv(session: Session, flt: AuditFilter) -> bytes:
    """The matching entries (at most EXPORT_LIMIT, newest first) as CSV; text that a spreadsheet
    would run as a formula stays text (intake/render/exports.py)."""
    keys = ("at", "at_utc", "action_name", "action", "actor_kind", "actor", "actor_id",
            "object_kind", "object_id", "detail", "ip")
    rows = ([r[k] for k in keys] for r in map(_row, session.scalars(
        _select(flt).limit(EXPORT_LIMIT).execution_options(yield_per=1000))))
    return csv_table(CSV_HEAD, rows)
