"""The digital signatures an incoming PDF already carries: read them, check them, say it in Vietnamese.

Most PDFs a provincial mailroom receives are signed (DOMAIN §6): "Ủy ban nhân dân tỉnh Quảng Ngãi"
signs the document, the provincial gazette centre countersigns it. The original file is the one
with legal value, so the service never rewrites it (the store keeps it byte for byte); this
module reports, per signature, what a clerk and a registry need to know:

- who signed (certificate subject CN and O) and when (the time of a signature timestamp when the
  signature has a valid one, else the time the signer's software wrote);
- integrity: `intact` (the signed bytes are unchanged), `modified` (they changed: the digest or
  the signature value no longer matches); and what was added after signing: `none`, `allowed`
  (form filling, further signatures, validation data) or `not_allowed` (any other change);
- the certificate: `trusted` (a path to a root the administrator configured,
  `INTAKE_TRUST_ROOTS_DIR`), `untrusted`, `expired`, `not_yet_valid` or `revoked` (from CRLs
  and OCSP responses the PDF embeds, CRL files in the roots folder, or fetched when
  `INTAKE_TRUST_FETCH` allows the network; offline by default);
- `weak_hash`: SHA-1 (still used by the government CA's older signatures; reported, judged
  apart from validity so the chain is still checked).

One `status` sums it up, worst first: invalid, modified, revoked, expired, not_yet_valid,
untrusted, valid. The validation is pyHanko's (pyhanko.sign.validation with a pyhanko_certvalidator
ValidationContext), the maintained Python implementation of PAdES validation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.settings import Settings

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
CRL_SUFFIXES = (".crl",)
WEAK_HASHES = frozenset({"md5", "sha1"})

# Worst first: the first that applies is the signature's status.
STATUS_ORDER = ("invalid", "modified", "revoked", "expired", "not_yet_valid", "untrusted", "valid")
STATUS_VI = {
    "valid": "Hợp lệ",
    "modified": "Đã bị sửa sau khi ký",
    "revoked": "Chứng thư bị thu hồi",
    "expired": "Chứng thư hết hạn",
    "not_yet_valid": "Chứng thư chưa có hiệu lực",
    "untrusted": "Không tin cậy",
    "invalid": "Chữ ký không hợp lệ",
}


@dataclass(frozen=True)
class TrustSettings:
    """What the administrator configured: a folder of root certificates (PEM or DER, and CRL
    files) and whether revocation data may be fetched from the network."""

    roots_dir: Path | None = None
    allow_fetching: bool = False


@dataclass(frozen=True)
class _Trust:
    roots: list[Any]  # asn1crypto.x509.Certificate
    crls: list[Any]  # asn1crypto.crl.CertificateList


def _pem_or_der(data: bytes) -> list[bytes]:
    from asn1crypto import pem

    if pem.detect(data):
        return [der for _, _, der in pem.unarmor(data, multiple=True)]
    return [data]


def trust_settings(settings: Settings) -> TrustSettings:
    """The administrator's settings: INTAKE_TRUST_ROOTS_DIR (else the signing certificate's
    roots, INTAKE_SIGNING_TRUST_ROOTS) and INTAKE_TRUST_FETCH."""
    return TrustSettings(roots_dir=settings.trust_roots_dir or settings.signing_trust_roots,
                         allow_fetching=settings.trust_fetch)


def load_trust(settings: TrustSettings) -> _Trust:
    """Read the roots folder (or one PEM file): every certificate file is a trust anchor, every
    .crl a CRL.
    An unreadable file is logged and skipped (one bad file must not stop the checks)."""
    from asn1crypto import crl, x509

    roots: list[Any] = []
    crls: list[Any] = []
    folder = settings.roots_dir
    if folder is None or not folder.exists():
        if folder is not None:
            log.warning("trust roots %s do not exist: no signature will be trusted", folder)
        return _Trust(roots, crls)
    for path in sorted(folder.iterdir()) if folder.is_dir() else [folder]:
        suffix = path.suffix.lower()
        try:
            if suffix in ROOT_SUFFIXES:
                roots.extend(x509.Certificate.load(der) for der in _pem_or_der(path.read_bytes()))
            elif suffix in CRL_SUFFIXES:
                crls.extend(crl.CertificateList.load(der) for der in _pem_or_der(path.read_bytes()))
        except (OSError, ValueError, TypeError) as exc:
            log.warning("trust roots folder: %s skipped: %s", path.name, exc)
    for cert in roots:  # parse now: asn1crypto loads lazily and a bad file should fail here
        _ = cert.subject
    return _Trust(roots, crls)


def check_signatures(path: Path, settings: TrustSettings, *,
                     trust: _Trust | None = None) -> list[dict[str, Any]] | None:
    """Every signature of the PDF at `path`, checked; [] when it has none, None when the file is
    not a PDF. Never raises for a bad signature or a PDF pyHanko cannot read (the latter gives
    [] and a log line): the pages are still processed."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with path.open("rb") as fh:
        if b"%PDF-" not in fh.read(1024):
            return None
    trust = trust if trust is not None else load_trust(settings)
    out: list[dict[str, Any]] = []
    try:
        with _quiet_path_building(), path.open("rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            signatures = list(reader.embedded_signatures)
            if not signatures:
                return []
            embedded_crls, embedded_ocsps, embedded_certs = _document_revocation_data(reader)
            for sig in signatures:
                out.append(_check_one(sig, reader, settings, trust, embedded_crls, embedded_ocsps,
                                      embedded_certs))
    except Exception as exc:  # noqa: BLE001 - a PDF pyHanko cannot parse is still processed
        log.warning("signatures of %s could not be read: %s", path.name, exc)
        return out
    return out


@contextlib.contextmanager
def _quiet_path_building() -> Iterator[None]:
    """pyHanko logs a warning with a traceback for every certificate whose issuer is not among
    the roots: the usual case for an unconfigured root, reported in the result instead."""
    noisy = logging.getLogger("pyhanko.sign.validation.generic_cms")
    level = noisy.level
    noisy.setLevel(logging.ERROR)
    try:
        yield
    finally:
        noisy.setLevel(level)


def _document_revocation_data(reader: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """CRLs, OCSP responses and certificates of the PDF's Document Security Store (PAdES B-LT)."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], [], []
    except Exception as exc:  # noqa: BLE001 - a broken DSS only loses its revocation data
        log.debug("unreadable DSS: %s", exc)
        return [], [], []
    certs = [ref.get_object() for ref in dss.certs.values()]
    loaded = []
    for stream in certs:
        try:
            from asn1crypto import x509

            loaded.append(x509.Certificate.load(stream.data))
        except Exception:  # noqa: BLE001, S112
            continue
    return list(dss.crls), list(dss.ocsps), loaded


def _archived_revocation(sig: Any) -> tuple[list[Any], list[Any]]:
    """CRLs and OCSP responses in the signature's adbe-revocationInfoArchival attribute."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        attr = find_unique_cms_attribute(sig.signer_info["signed_attrs"],
                                         "adobe_revocation_info_archival")
    except Exception:  # noqa: BLE001 - absent (the usual case) or malformed
        return [], []
    crls = list(attr["crl"]) if attr["crl"].native else []
    ocsps = list(attr["ocsp"]) if attr["ocsp"].native else []
    return crls, ocsps


def _context(settings: TrustSettings, trust: _Trust, crls: Iterable[Any], ocsps: Iterable[Any],
             certs: Iterable[Any], moment: dt.datetime | None = None) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust.roots), other_certs=list(certs), moment=moment,
        # At a past moment, CRLs and OCSP answers issued since still tell whether (and from
        # when) the certificate was revoked.
        retroactive_revinfo=moment is not None,
        crls=[*trust.crls, *crls], ocsps=list(ocsps),
        allow_fetching=settings.allow_fetching,
        # soft-fail: no revocation data is not a failure (offline by default); a CRL or OCSP
        # response that lists the certificate is.
        revocation_mode="soft-fail",
        weak_hash_algos=set(),  # SHA-1 is reported as `weak_hash`, not as an untrusted chain
    )


def _name_part(name: Any, key: str) -> str:
    value = name.native.get(key) if name is not None else None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value or "")


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()


def _widget(sig: Any, reader: Any) -> tuple[int | None, list[float] | None]:
    """The page (0-based) and rectangle of the signature's visible widget, if it has one."""
    try:
        field = sig.sig_field
        rect = [float(v) for v in field.get("/Rect", [0, 0, 0, 0])]
        if abs(rect[2] - rect[0]) < 1 or abs(rect[3] - rect[1]) < 1:
            return None, None
        ref = getattr(field, "container_ref", None)
        wanted = {ref.idnum} if ref is not None else set()
        wanted |= {k.idnum for k in field.get("/Kids", []) if hasattr(k, "idnum")}
        for i in range(int(reader.root["/Pages"]["/Count"])):
            page = reader.find_page_for_modification(i)[0].get_object()
            if any(getattr(a, "idnum", None) in wanted for a in page.get("/Annots", [])):
                return i, rect
        return None, rect
    except Exception:  # noqa: BLE001 - the position is a detail
        return None, None


def _check_one(sig: Any, reader: Any, settings: TrustSettings, trust: _Trust,
               crls: list[Any], ocsps: list[Any], certs: list[Any]) -> dict[str, Any]:
    from pyhanko.sign.validation import validate_pdf_signature

    entry: dict[str, Any] = {"field": str(sig.field_name or "")}
    try:
        cert = sig.signer_cert
        entry.update(
            signer=_name_part(cert.subject, "common_name"),
            organization=_name_part(cert.subject, "organization_name"),
            subject=cert.subject.human_friendly,
            issuer=_name_part(cert.issuer, "common_name"),
            serial=format(cert.serial_number, "x"),
            cert_valid_from=_iso(cert["tbs_certificate"]["validity"]["not_before"].native),
            cert_valid_until=_iso(cert["tbs_certificate"]["validity"]["not_after"].native),
        )
    except Exception as exc:  # noqa: BLE001
        entry.update(status="invalid", integrity="modified", certificate="unknown",
                     error=f"no signer certificate: {exc}"[:300])
        return _finish(entry)
    entry["page"], entry["rect"] = _widget(sig, reader)
    arch_crls, arch_ocsps = _archived_revocation(sig)
    crls, ocsps = [*crls, *arch_crls], [*ocsps, *arch_ocsps]
    try:
        st = validate_pdf_signature(sig, _context(settings, trust, crls, ocsps, certs),
                                    ts_validation_context=_context(settings, trust, crls, ocsps,
                                                                   certs))
    except Exception as exc:  # noqa: BLE001 - a signature pyHanko cannot evaluate is invalid
        log.info("signature %s not evaluated: %s", entry["field"], exc)
        entry.update(status="invalid", integrity="modified", certificate="unknown",
                     error=f"{type(exc).__name__}: {exc}"[:300],
                     signed_at=_iso(sig.self_reported_timestamp), time_source="signer")
        return _finish(entry)
    ts = st.timestamp_validity
    if ts is not None and ts.intact and ts.valid:
        entry["signed_at"], entry["time_source"] = _iso(ts.timestamp), "timestamp"
    else:
        entry["signed_at"], entry["time_source"] = _iso(st.signer_reported_dt), "signer"
    entry["hash_algorithm"] = str(st.md_algorithm)
    entry["weak_hash"] = str(st.md_algorithm).lower() in WEAK_HASHES
    entry["integrity"] = "intact" if (st.intact and st.valid) else "modified"
    entry["coverage"] = st.coverage.name.lower() if st.coverage is not None else None
    entry["changes_after"] = _changes_after(st)
    entry["certificate"] = _certificate(st)
    if entry["certificate"] == "expired" and ts is not None and ts.trusted and \
            _valid_then(sig, ts.timestamp, settings, trust, crls, ocsps, certs):
        # Nghị định 130/2018, Điều 9: a digital signature is made while its certificate is in
        # force; a trusted signature timestamp proves when it was made, so a certificate that
        # expired later does not undo it (the signer's own clock proves nothing).
        entry["certificate"], entry["expired_since_signing"] = "trusted", True
    entry["status"] = _status(entry)
    return _finish(entry)


def _valid_then(sig: Any, moment: dt.datetime, settings: TrustSettings, trust: _Trust,
                crls: list[Any], ocsps: list[Any], certs: list[Any]) -> bool:
    """Whether the signer's certificate chain was valid and trusted at `moment`."""
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        then = validate_pdf_signature(
            sig, _context(settings, trust, crls, ocsps, certs, moment=moment),
            ts_validation_context=_context(settings, trust, crls, ocsps, certs))
    except Exception:  # noqa: BLE001 - not proven valid then: stays expired
        return False
    return _certificate(then) == "trusted"


def _changes_after(st: Any) -> str:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if st.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "none"
    level = st.modification_level
    if level is None or level == ModificationLevel.OTHER or not st.docmdp_ok:
        return "not_allowed"
    return "none" if level == ModificationLevel.NONE else "allowed"


def _certificate(st: Any) -> str:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    if st.trusted and st.trust_problem_indic is None:
        return "trusted"
    indic = st.trust_problem_indic
    if st.revoked or indic in (AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE,
                               AdESIndeterminate.REVOKED_CA_NO_POE):
        return "revoked"
    if indic in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
                 AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED):
        return "expired"
    if indic in (AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID):
        return "not_yet_valid"
    return "untrusted"


def _status(entry: dict[str, Any]) -> str:
    if entry["integrity"] != "intact" or entry["changes_after"] == "not_allowed":
        return "modified"
    cert = entry["certificate"]
    return "valid" if cert == "trusted" else cert


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    entry.setdefault("signed_at", None)
    entry.setdefault("time_source", None)
    entry.setdefault("hash_algorithm", None)
    entry.setdefault("weak_hash", False)
    entry.setdefault("expired_since_signing", False)
    entry.setdefault("changes_after", None)
    entry.setdefault("page", None)
    entry.setdefault("rect", None)
    entry["status_vi"] = STATUS_VI[entry["status"]]
    entry["message"] = describe(entry)
    return entry


def local_time(iso: str | None) -> str:
    """An ISO 8601 time as a clerk reads it: dd/mm/yyyy HH:MM, Vietnam time."""
    if not iso:
        return "không rõ thời điểm"
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def describe(entry: dict[str, Any]) -> str:
    """One Vietnamese line for a clerk, e.g. "Ủy ban nhân dân tỉnh Quảng Ngãi, ký lúc
    16/01/2026 09:12 — Hợp lệ"."""
    who = entry.get("signer") or entry.get("organization") or "Không rõ người ký"
    line = f"{who}, ký lúc {local_time(entry.get('signed_at'))} — {STATUS_VI[entry['status']]}"
    notes = []
    if entry.get("changes_after") == "allowed":
        notes.append("có bổ sung được phép sau khi ký")
    if entry.get("weak_hash"):
        notes.append(f"thuật toán băm {str(entry.get('hash_algorithm', '')).upper()} đã lỗi thời")
    if entry.get("status") == "expired" and entry.get("cert_valid_until"):
        notes.append(f"chứng thư hết hạn ngày {local_time(entry['cert_valid_until'])[:10]}")
    if entry.get("expired_since_signing") and entry.get("cert_valid_until"):
        notes.append(f"chứng thư hết hạn ngày {local_time(entry['cert_valid_until'])[:10]}, "
                     "sau thời điểm ký có dấu thời gian")
    return line + (f" ({'; '.join(notes)})" if notes else "")


def summary_vi(signatures: list[dict[str, Any]] | None) -> str | None:
    """The review page's sentence: "Văn bản có chữ ký số: <line>; <line>", None when unsigned."""
    if not signatures:
        return None
    return "Văn bản có chữ ký số: " + "; ".join(str(s.get("message", "")) for s in signatures)


def worst_status(signatures: list[dict[str, Any]] | None) -> str | None:
    """The worst status among the signatures (None when unsigned)."""
    if not signatures:
        return None
    return min((str(s.get("status", "invalid")) for s in signatures), key=STATUS_ORDER.index)


def api_view(signatures: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """What the API and the registry feed carry for each signature (None: not checked)."""
    if signatures is None:
        return None
    keys = ("field", "signer", "organization", "subject", "issuer", "serial", "signed_at",
            "time_source", "integrity", "changes_after", "certificate", "cert_valid_from",
            "cert_valid_until", "expired_since_signing", "hash_algorithm", "weak_hash", "status",
            "status_vi", "message", "page")
    return [{k: s.get(k) for k in keys} for s in signatures]


def signature_fields(signatures: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The document JSON's keys: `signatures` (api_view), `signatures_status` (the worst) and
    `signatures_note` (the Vietnamese sentence)."""
    return {"signatures": api_view(signatures), "signatures_status": worst_status(signatures),
            "signatures_note": summary_vi(signatures)}
