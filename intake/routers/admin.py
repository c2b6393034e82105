"""The administrators' pages under /quan-tri: accounts, units, API tokens, webhooks, settings,
the audit log and its CSV export.

Plain HTML forms, no script: every form POSTs with the session's `csrf_token` and the answer
redirects (303) back to its page with the message of what was done (intake/services/admin_flash.py),
which shows a new password, token or webhook key once. Every route is for the `Administrator`
rule; every change is audited by the function that makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from documents.audit import AuditAction, record
from infra.database import session_scope
from intake.auth.principal import Principal
from intake.auth.tokens import MAX_LIFETIME
from intake.deps import Administrator, ReadSession, SettingsDep
from intake.render.pages import ROLE_NAMES, render
from intake.schemas import DbInt
from intake.services import admin, admin_audit, admin_flash, signing_admin
from intake.services.admin_audit import AuditFilter
from intake.services.admin_flash import Flash
from models.errors import ConflictError, InvalidFieldError, NotFoundError, RequestError
from models.settings import Settings

router = APIRouter(prefix="/quan-tri", include_in_schema=False)

ACCOUNTS = "/quan-tri/tai-khoan"
UNITS = "/quan-tri/don-vi"
TOKENS = "/quan-tri/ma-truy-cap"
WEBHOOKS = "/quan-tri/webhook"
SIGNING = "/quan-tri/chu-ky-so"
# What a person can set right by changing the form: shown on the page, the change not made.
REFUSALS = (RequestError, ConflictError, NotFoundError)
DELIVERY_STATES = {"pending": "Chờ gửi", "sending": "Đang gửi", "delivered": "Đã gửi",
                   "parked": "Cần xử lý", "cancelled": "Đã hủy"}

Text = Annotated[str, Form()]
Check = Annotated[bool, Form()]
Codes = Annotated[list[str] | None, Form()]


def page(request: Request, settings: Settings, who: Principal, template: str,
         **context: Any) -> HTMLResponse:
    """An administration page with the message of the last action, if it is the one asked for."""
    flash = admin_flash.take(settings, who, request.query_params.get(admin_flash.PARAM))
    return HTMLResponse(render(template, user=who, flash=flash, **context),
                        headers={"Cache-Control": "no-store"})


def _submit(settings: Settings, who: Principal, path: str,
            act: Callable[[Session], Flash]) -> RedirectResponse:
    """Do `act` in one transaction and go back to `path` with its message; the message is kept
    before the commit, so a change whose secret could not be kept for the page is not made."""
    try:
        with session_scope(settings.database, write=True) as session:
            flash_id = admin_flash.put(settings, who, act(session))
    except REFUSALS as exc:
        flash_id = admin_flash.put(settings, who, Flash(exc.message, ok=False))
    return RedirectResponse(admin_flash.target(path, flash_id), status_code=303)


def _submit_alone(settings: Settings, who: Principal, path: str,
                  act: Callable[[], Flash]) -> RedirectResponse:
    """The same for an action that keeps its own transactions (webhooks)."""
    try:
        flash = act()
    except REFUSALS as exc:
        flash = Flash(exc.message, ok=False)
    return RedirectResponse(admin_flash.target(path, admin_flash.put(settings, who, flash)),
                            status_code=303)


@router.get("")
def overview_page(request: Request, settings: SettingsDep, session: ReadSession,
                  who: Administrator) -> HTMLResponse:
    """What needs attention: accounts, machines, parked pushes, failed sign-ins."""
    return page(request, settings, who, "admin_overview.html",
                cards=admin.overview(session, settings))


# --- accounts ---------------------------------------------------------------------------------

@router.get("/tai-khoan")
def accounts_page(request: Request, settings: SettingsDep, session: ReadSession,
                  who: Administrator) -> HTMLResponse:
    """Accounts: create, change, disable or enable, reset the password, end the sessions."""
    return page(request, settings, who, "admin_accounts.html",
                accounts=admin.account_rows(session), units=admin.unit_rows(session),
                roles={str(k): v for k, v in ROLE_NAMES.items()})


@router.post("/tai-khoan")
def create_account(settings: SettingsDep, who: Administrator, username: Text = "",
                   display_name: Text = "", role: Text = "", units: Codes = None,
                   clearance: Check = False) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS, lambda s: admin.create_account(
        s, who, username=username, display_name=display_name, role=role,
        unit_codes=units or [], clearance=clearance))


@router.post("/tai-khoan/{account_id}")
def update_account(settings: SettingsDep, who: Administrator, account_id: DbInt,
                   display_name: Text = "", role: Text = "", units: Codes = None,
                   clearance: Check = False) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS, lambda s: admin.update_account(
        s, who, account_id, display_name=display_name, role=role, unit_codes=units or [],
        clearance=clearance))


@router.post("/tai-khoan/{account_id}/khoa")
def disable_account(settings: SettingsDep, who: Administrator,
                    account_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS,
                   lambda s: admin.set_disabled(s, who, account_id, True))


@router.post("/tai-khoan/{account_id}/mo-khoa")
def enable_account(settings: SettingsDep, who: Administrator,
                   account_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS,
                   lambda s: admin.set_disabled(s, who, account_id, False))


@router.post("/tai-khoan/{account_id}/dat-lai-mat-khau")
def reset_password(settings: SettingsDep, who: Administrator,
                   account_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS, lambda s: admin.reset_password(s, who, account_id))


@router.post("/tai-khoan/{account_id}/ket-thuc-phien")
def end_sessions(settings: SettingsDep, who: Administrator, account_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, ACCOUNTS, lambda s: admin.end_sessions(s, who, account_id))


# --- units ------------------------------------------------------------------------------------

@router.get("/don-vi")
def units_page(request: Request, settings: SettingsDep, session: ReadSession,
               who: Administrator) -> HTMLResponse:
    """Receiving units (the accounts and upload tokens belong to them)."""
    return page(request, settings, who, "admin_units.html", units=admin.unit_rows(session))


@router.post("/don-vi")
def create_unit(settings: SettingsDep, who: Administrator, code: Text = "",
                name: Text = "") -> RedirectResponse:
    return _submit(settings, who, UNITS, lambda s: admin.create_unit(s, who, code=code, name=name))


# --- API tokens -------------------------------------------------------------------------------

@router.get("/ma-truy-cap")
def tokens_page(request: Request, settings: SettingsDep, session: ReadSession,
                who: Administrator) -> HTMLResponse:
    """The machines' tokens: create (shown once), revoke."""
    return page(request, settings, who, "admin_tokens.html", tokens=admin.token_rows(session),
                units=admin.unit_rows(session), max_days=MAX_LIFETIME.days,
                scopes={str(k): v for k, v in admin.SCOPE_NAMES.items()})


@router.post("/ma-truy-cap")
def create_token(settings: SettingsDep, who: Administrator, name: Text = "", scope: Text = "",
                 unit: Text = "", days: Annotated[int, Form()] = 365) -> RedirectResponse:
    return _submit(settings, who, TOKENS, lambda s: admin.create_token(
        s, who, name=name, scope=scope, unit_code=unit, days=days))


@router.post("/ma-truy-cap/{token_id}/thu-hoi")
def revoke_token(settings: SettingsDep, who: Administrator, token_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, TOKENS, lambda s: admin.revoke_token(s, who, token_id))


# --- webhooks ---------------------------------------------------------------------------------

@router.get("/webhook")
def webhooks_page(request: Request, settings: SettingsDep, who: Administrator) -> HTMLResponse:
    """Webhooks of the registry and the pushes that wait for a person."""
    parked, total = admin.parked_rows(settings)
    return page(request, settings, who, "admin_webhooks.html",
                webhooks=admin.webhook_rows(settings), parked=parked, parked_total=total,
                states=DELIVERY_STATES)


@router.post("/webhook")
def add_webhook(settings: SettingsDep, who: Administrator, url: Text = "", secret: Text = "",
                from_start: Check = False) -> RedirectResponse:
    return _submit_alone(settings, who, WEBHOOKS, lambda: admin.add_webhook(
        settings, who, url=url, secret=secret, from_start=from_start))


@router.post("/webhook/{sub_id}/xoa")
def delete_webhook(settings: SettingsDep, who: Administrator, sub_id: DbInt) -> RedirectResponse:
    return _submit_alone(settings, who, WEBHOOKS,
                         lambda: admin.delete_webhook(settings, who, sub_id))


@router.post("/webhook/lan-gui/{delivery_id}/gui-lai")
def retry_delivery(settings: SettingsDep, who: Administrator,
                   delivery_id: DbInt) -> RedirectResponse:
    return _submit_alone(settings, who, WEBHOOKS,
                         lambda: admin.retry_delivery(settings, who, delivery_id))


# --- signing certificates (docs/SIGNING.md) ---------------------------------------------------

@router.get("/chu-ky-so")
def signing_page(request: Request, settings: SettingsDep, session: ReadSession,
                 who: Administrator) -> HTMLResponse:
    """The agency's certificates for signing legal copies, and which account uses which."""
    return page(request, settings, who, "admin_signing.html",
                **signing_admin.page_data(session, settings))


@router.post("/chu-ky-so")
def create_signing_certificate(settings: SettingsDep, who: Administrator, name: Text = "",
                               unit: Text = "", kind: Text = "", key_file: Text = "",
                               cert_file: Text = "", module: Text = "", token: Text = "",
                               key_label: Text = "", secret_env: Text = "") -> RedirectResponse:
    return _submit(settings, who, SIGNING, lambda s: signing_admin.create_certificate(
        s, who, name=name, unit=unit, kind=kind, key_file=key_file, cert_file=cert_file,
        module=module, token=token, key_label=key_label, secret_env=secret_env))


@router.post("/chu-ky-so/{cert_id}/bat-tat")
def toggle_signing_certificate(settings: SettingsDep, who: Administrator,
                               cert_id: DbInt) -> RedirectResponse:
    return _submit(settings, who, SIGNING,
                   lambda s: signing_admin.toggle_certificate(s, who, cert_id))


@router.post("/chu-ky-so/phan-cong")
def assign_signing_certificate(settings: SettingsDep, who: Administrator,
                               account: Annotated[int, Form()] = 0,
                               certificate: Annotated[int, Form()] = 0) -> RedirectResponse:
    return _submit(settings, who, SIGNING,
                   lambda s: signing_admin.assign(s, who, account, certificate))


# --- settings ---------------------------------------------------------------------------------

@router.get("/cau-hinh")
def settings_page(request: Request, settings: SettingsDep, who: Administrator) -> HTMLResponse:
    """The settings in effect, read-only, secrets masked."""
    return page(request, settings, who, "admin_settings.html", rows=admin.settings_rows(settings))


# --- audit log --------------------------------------------------------------------------------

@router.get("/nhat-ky")
def audit_page(request: Request, settings: SettingsDep, session: ReadSession,
               who: Administrator) -> HTMLResponse:
    """The audit log, newest first: filters by action, actor, object and days; pages; CSV."""
    flt = AuditFilter.of(request.query_params)
    try:
        offset = int(request.query_params.get("offset") or 0)
        found = admin_audit.audit_page(session, flt, offset)
        error = ""
    except (InvalidFieldError, ValueError) as exc:
        found, error = {}, getattr(exc, "message", "Số trang không hợp lệ.")
    query = flt.query()
    pages = {name: urlencode({**query, "offset": found[name]})
             for name in ("previous", "next") if found.get(name) is not None}
    return page(request, settings, who, "admin_audit.html", filters=flt, page=found, error=error,
                query=urlencode(query), pages=pages, actions=admin_audit.action_options(),
                object_kinds=admin_audit.OBJECT_KINDS,
                export_limit=f"{admin_audit.EXPORT_LIMIT:,}".replace(",", "."))


@router.get("/nhat-ky.csv")
def audit_export(request: Request, settings: SettingsDep, who: Administrator) -> Response:
    """The filtered audit log as CSV (spreadsheet formulas kept as text); the export is audited."""
    flt = AuditFilter.of(request.query_params)
    with session_scope(settings.database) as session:
        body = admin_audit.audit_csv(session, flt)
    with session_scope(settings.database, write=True) as session:
        record(session, who.actor, AuditAction.AUDIT_EXPORTED, detail={"filters": flt.query()})
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="nhat-ky.csv"',
                             "Cache-Control": "no-store"})
