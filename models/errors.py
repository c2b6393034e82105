"""The one error hierarchy: each error has a stable code, an HTTP status and a CLI exit code."""

from __future__ import annotations

from typing import Any


class IntakeError(Exception):
    """Base of every error the product reports to a person or a program."""

    code = "internal"
    http_status = 500
    exit_code = 70  # EX_SOFTWARE
    transient = False

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON error shape used by the API, the CLI and jobs."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            out["details"] = self.details
        return out


class InputError(IntakeError):
    """The input file cannot be processed as given."""

    code = "input_file"
    http_status = 422
    exit_code = 65  # EX_DATAERR


class EmptyFileError(InputError):
    code = "empty_file"


class UnsupportedTypeError(InputError):
    code = "unsupported_type"
    http_status = 415


class CorruptFileError(InputError):
    code = "corrupt_file"


class EncryptedPdfError(InputError):
    code = "encrypted_pdf"


class NoPagesError(InputError):
    code = "no_pages"


class TooLargeError(InputError):
    code = "too_large"
    http_status = 413


class ToolMissingError(IntakeError):
    """A required external program or its language data is not installed."""

    code = "tool_missing"
    http_status = 503
    exit_code = 69  # EX_UNAVAILABLE


class ExternalToolError(IntakeError):
    """An external program failed; carries the tail of its error output."""

    code = "external_tool"


class ToolTimeoutError(ExternalToolError):
    code = "tool_timeout"
    transient = True


class OutputError(IntakeError):
    """The result could not be written."""

    code = "output"
    exit_code = 74  # EX_IOERR


class RequestError(IntakeError):
    """A request to the service is malformed (bad parameter, no file)."""

    code = "bad_request"
    http_status = 400
    exit_code = 64  # EX_USAGE


class InvalidFieldError(RequestError):
    """A corrected metadata value breaks its grammar (number, date, enumeration, length)."""

    code = "invalid_field"
    http_status = 422


class ReportError(RequestError):
    """A report request that cannot be answered as asked (messages are shown to managers)."""

    code = "invalid_report"
    http_status = 422


class AuthenticationError(IntakeError):
    """No valid credentials: not signed in, session ended, token unknown, revoked or expired."""

    code = "unauthenticated"
    http_status = 401
    exit_code = 77  # EX_NOPERM


class ForbiddenError(IntakeError):
    """Signed in, but this account or token may not do this (role, scope, CSRF, password change)."""

    code = "forbidden"
    http_status = 403
    exit_code = 77  # EX_NOPERM


class NotFoundError(IntakeError):
    """The batch, document or file asked for does not exist."""

    code = "not_found"
    http_status = 404
    exit_code = 66  # EX_NOINPUT


class ConflictError(IntakeError):
    """The request does not fit the current state (e.g. retrying a document that did not fail)."""

    code = "conflict"
    http_status = 409
    exit_code = 75  # EX_TEMPFAIL


class SigningConfigError(ConflictError):
    """The agency certificate cannot sign: missing, unreadable, wrong password or PIN, or refused
    (expired, revoked, untrusted); documents/signing/keys.py."""

    code = "signing_certificate"


def error_classes() -> list[type[IntakeError]]:
    """Every error class, the base first."""
    out: list[type[IntakeError]] = []
    stack: list[type[IntakeError]] = [IntakeError]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def error_class(code: str | None) -> type[IntakeError] | None:
    """The class of an error code, None for a code no class has (the one lookup by code).

    Every class is defined in this module, so the answer does not depend on what was imported."""
    return next((c for c in error_classes() if c.code == code), None)


def from_dict(data: dict[str, object], message: str | None = None) -> IntakeError:
    """Rebuild an error from its JSON shape (e.g. one reported by a worker process)."""
    cls = error_class(str(data.get("code", IntakeError.code))) or IntakeError
    return cls(message if message is not None else str(data.get("message", "")))
