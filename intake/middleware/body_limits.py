"""Request body limits, enforced while the body streams in, before anything is spooled or stored.

A batch upload (`POST /api/batches`) may hold up to `max_upload_bytes`; every other request
`max_request_bytes`. A declared `Content-Length` over the limit is refused before the body is
read (a client waiting for `100 Continue` never sends it); a body that grows past it is refused
at the chunk that crosses it. The parts of an upload are counted as they arrive (python-multipart
scans each chunk before the application's form parser sees it): more files than
`max_upload_files`, more other fields than `max_upload_fields`, or one part whose headers exceed
`max_part_header_bytes` is refused at that part. Every refusal is a 413 in the one error shape
(`too_large`, naming the limit in `details`); whatever the application began to answer when it
met the refusal is dropped.

A NUL character is refused the same way (422 `invalid_field`): PostgreSQL can neither store nor
compare text holding one, so it would fail in the database driver as a 500. It is looked for in
the address (`%00`), in JSON (`\\u0000`) and form-encoded (`%00`) bodies as they stream in, and in
the headers of an upload's parts (a file name); files themselves may hold any byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.errors import IntakeError, InvalidFieldError, TooLargeError
from models.settings import Settings, get_settings

UPLOAD_PATH = "/api/batches"


class _Refused(Exception):
    """Raised from `receive` when the body breaks a limit (the application cannot go on)."""


def _refusal(setting: str, maximum: int, vi: str, unit: str, en: str) -> TooLargeError:
    amount = f"{maximum:,}".replace(",", ".")
    return TooLargeError(f"{vi}: tối đa {amount} {unit} (INTAKE_{setting.upper()}). {en}.",
                         limit=setting, maximum=maximum)


def _too_big(setting: str, maximum: int) -> TooLargeError:
    return _refusal(setting, maximum, "Yêu cầu quá lớn", "byte", "Request body too large")


def _nul(where: str) -> InvalidFieldError:
    return InvalidFieldError(f"Yêu cầu chứa ký tự NUL ({where}), ký tự này không được phép. "
                             "The request holds a NUL character.", where=where)


CONTROL = bytes(range(0x20)).replace(b"\t", b"") + b"\x7f"  # never in a part header value


class _NulScanner:
    """Finds one written form of NUL (`\\u0000` in JSON, `%00` in a form) across chunks."""

    def __init__(self, needle: bytes) -> None:
        self.needle = needle
        self.tail = b""

    def feed(self, chunk: bytes) -> bool:
        data = self.tail + chunk
        self.tail = data[-(len(self.needle) - 1):]
        return self.needle in data


def _body_scanner(headers: Headers) -> _NulScanner | None:
    content_type, _ = parse_options_header(headers.get("content-type", ""))
    if content_type == b"application/json" or content_type.endswith(b"+json"):
        return _NulScanner(b"\\u0000")
    if content_type == b"application/x-www-form-urlencoded":
        return _NulScanner(b"%00")
    return None


def _nul_in_address(scope: Scope) -> bool:
    return (b"%00" in scope.get("query_string", b"") or b"%00" in scope.get("raw_path", b"")
            or "\x00" in scope.get("path", ""))


class _PartCounter:
    """Counts the parts of a multipart body as its chunks go by; keeps the first broken limit."""

    def __init__(self, boundary: bytes, settings: Settings) -> None:
        self.settings = settings
        self.files = self.fields = self.header_bytes = 0
        self.name = self.value = self.disposition = b""
        self.in_file = False
        self.error: IntakeError | None = None
        self.broken = False  # not valid multipart: the application's form parser says so
        callbacks: dict[str, Callable[..., None]] = {
            "on_part_begin": self._begin, "on_header_field": self._name,
            "on_header_value": self._value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._data}
        self.parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    def _fail(self, error: IntakeError) -> None:
        if self.error is None:
            self.error = error

    def _begin(self) -> None:
        self.header_bytes = 0
        self.disposition = b""

    def _grow(self, size: int) -> bool:
        """Counts header bytes; False once the part's headers are over the limit."""
        self.header_bytes += size
        limit = self.settings.max_part_header_bytes
        if self.header_bytes > limit:
            self._fail(_refusal("max_part_header_bytes", limit,
                                "Phần đầu (header) của một phần tải lên quá dài", "byte",
                                "Part headers too long"))
            return False
        return True

    def _name(self, data: bytes, start: int, end: int) -> None:
        if self._grow(end - start):
            self.name += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        if self._grow(end - start):
            self.value += data[start:end]
            if any(c in CONTROL for c in data[start:end]) or b"%00" in self.value:
                self._fail(_nul("phần đầu của một tệp tải lên / part header"))

    def _header_end(self) -> None:
        if self.name.strip().lower() == b"content-disposition":
            self.disposition = self.value
        self.name = self.value = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file and b"\x00" in data[start:end]:  # a text field, not a file
            self._fail(_nul("trường của biểu mẫu / form field"))

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        s = self.settings
        self.in_file = b"filename" in options
        if self.in_file:
            self.files += 1
            if self.files > s.max_upload_files:
                self._fail(_refusal("max_upload_files", s.max_upload_files,
                                    "Quá nhiều tệp trong một lần tải lên", "tệp",
                                    "Too many files in one upload"))
        else:
            self.fields += 1
            if self.fields > s.max_upload_fields:
                self._fail(_refusal("max_upload_fields", s.max_upload_fields,
                                    "Quá nhiều trường trong một lần tải lên", "trường",
                                    "Too many form fields in one upload"))

    def feed(self, chunk: bytes) -> IntakeError | None:
        """Scans one chunk; the first limit broken so far, if any."""
        if not self.broken and chunk:
            try:
                self.parser.write(chunk)
            except FormParserError:
                self.broken = True
        return self.error


class BodyLimits:
    """Refuses request bodies over the limits of `models.settings.Settings` (413) and NUL
    characters (422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = _settings(scope)
        upload = scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH
        setting = "max_upload_bytes" if upload else "max_request_bytes"
        maximum: int = getattr(settings, setting)
        headers = Headers(scope=scope)
        if _nul_in_address(scope):
            await _answer(scope, receive, send, _nul("địa chỉ / address"))
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > maximum:
            await _answer(scope, receive, send, _too_big(setting, maximum))
            return
        counter = _multipart_counter(headers, settings) if upload else None
        scanner = None if upload else _body_scanner(headers)
        received = 0
        refusal: IntakeError | None = None
        started = False

        async def limited_receive() -> Message:
            nonlocal received, refusal
            if refusal is not None:
                raise _Refused
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > maximum:
                    refusal = _too_big(setting, maximum)
                elif counter is not None:
                    refusal = counter.feed(chunk)
                elif scanner is not None and scanner.feed(chunk):
                    refusal = _nul("nội dung / body")
                if refusal is not None:
                    raise _Refused
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refusal is not None:
                return  # the application's answer to the broken stream: ours replaces it
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if refusal is None or started:
                raise
        if refusal is not None and not started:
            await _answer(scope, receive, send, refusal)


def _settings(scope: Scope) -> Settings:
    app: Any = scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _multipart_counter(headers: Headers, settings: Settings) -> _PartCounter | None:
    content_type, options = parse_options_header(headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        return None
    return _PartCounter(boundary, settings)


async def _answer(scope: Scope, receive: Receive, send: Send, error: IntakeError) -> None:
    # The connection is closed after the answer: the rest of the body is never read.
    response = JSONResponse({"error": error.to_dict()}, status_code=error.http_status,
                            headers={"Connection": "close"})
    await response(scope, receive, send)
