"""The one settings object: the only place the environment is read."""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.vocabulary import is_agency_code

# What a page that cannot be processed does to its document (`page_failure_policy`).
PageFailurePolicy = Literal["fail", "skip"]


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Service and pipeline settings; every field can be set as INTAKE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    data_dir: Path = Field(
        Path("var"), description="Folder for the SQLite file, the file store and work folders."
    )
    workers: int = Field(
        default_factory=_default_workers,
        description="Pages recognised in parallel (processes); each Tesseract uses one thread.",
    )
    ocr_language: str = Field("vie", description="Tesseract language(s), e.g. 'vie' or 'vie+eng'.")
    ocr_dpi: int = Field(300, description="Resolution pages are recognised at (dpi).")
    tool_timeout: float = Field(
        300.0, description="Seconds one run of an external program may take before it is stopped."
    )
    max_image_pixels: int = Field(
        200_000_000,
        description="Largest image accepted, in pixels (decompression-bomb guard).",
    )
    max_pages: int = Field(2000, description="Largest number of pages accepted in one input.")
    max_file_bytes: int = Field(
        1_000_000_000, description="Largest input file accepted, in bytes."
    )
    page_failure_policy: PageFailurePolicy = Field(
        "fail",
        description="'fail': a page that cannot be processed fails the document; "
        "'skip': the failed page is left out of the PDF and the document is marked partial.",
    )
    background_dpi: int = Field(
        100, description="Resolution of the colour background layer of a page in the PDF/A."
    )
    jpeg_quality: int = Field(45, description="JPEG quality of the colour background layer.")
    foreground_dpi: int = Field(
        300, ge=200,
        description="Highest resolution of the coloured-ink foreground (seals, signatures, "
        "stamps) in the PDF/A; a scan below it keeps its own. At least 200 (Nghị định 30).",
    )
    foreground_quality: int = Field(50, description="JPEG quality of the coloured-ink foreground.")
    # The intake service (API, queue, database, file store).
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty: SQLite file `intake.db` in the data folder."
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis for the job queue.")
    storage_dir: Path | None = Field(
        None, description="Local content-addressed file store; empty: `store/` in the data folder."
    )
    s3_bucket: str = Field(
        "", description="S3-compatible bucket for the file store (shared by several machines); "
        "empty: the local store."
    )
    s3_endpoint_url: str = Field(
        "", description="URL of the S3-compatible server (MinIO, Ceph, ...); empty: AWS S3."
    )
    s3_region: str = Field("", description="Region of the bucket; empty: boto3's default.")
    s3_access_key: str = Field(
        "", repr=False, description="Access key; empty: boto3's own chain (AWS_* variables, role)."
    )
    s3_secret_key: str = Field("", repr=False, description="Secret key that goes with the access key.")
    s3_prefix: str = Field("", description="Folder inside the bucket all keys go under.")
    queue_name: str = Field("intake", description="Name of the RQ queue jobs go through.")
    job_workers: int = Field(
        default_factory=_default_workers,
        description="RQ worker processes started by `make run` (documents processed at once).",
    )
    api_workers: int = Field(
        default_factory=_default_workers,
        description="API server processes started by `make run` (uvicorn workers).",
    )
    job_attempts: int = Field(
        3, description="Attempts a document gets (transient errors, lost workers) before `failed`."
    )
    retry_backoff: float = Field(
        5.0, description="Seconds before the first retry of a transient error; doubles each time."
    )
    lease_seconds: float = Field(
        120.0,
        description="A document `processing` without progress for this long is taken as lost "
        "(worker killed) and queued again.",
    )
    reconcile_seconds: float = Field(
        10.0, description="How often the workers compare the database with the queue."
    )
    watch_dir: Path | None = Field(
        None, description="Folder watched for scans (`intake watch`; started by `make run` if set)."
    )
    watch_settle_seconds: float = Field(
        2.0, description="A watched file is taken when its size has not changed for this long."
    )
    watch_unit: str = Field(
        "", max_length=100,
        description="Receiving unit (its code) of the files taken from the watched folder; "
        "`intake watch` refuses to start without it.",
    )
    max_upload_files: int = Field(500, description="Largest number of files in one batch upload.")
    # Request limits, enforced while the body streams in, before anything is stored (413).
    max_upload_bytes: int = Field(
        2_000_000_000, description="Largest batch upload request (all its files), in bytes."
    )
    max_upload_fields: int = Field(
        20, description="Largest number of form fields besides files in one batch upload."
    )
    max_part_header_bytes: int = Field(
        8192, description="Largest header block of one part of a multipart upload, in bytes."
    )
    max_request_bytes: int = Field(
        1_048_576, description="Largest body of any other request (JSON, forms), in bytes."
    )
    # Delivery to the registry (docs/DELIVERY.md).
    auto_confirm: bool = Field(
        False, description="Confirm a recognised document without a clerk when no field needs "
        "review (never one with a secrecy mark or a possible duplicate)."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Address of the API as the registry reaches it "
        "(links in pushed documents)."
    )
    agency_code: str = Field(
        "", description="Sender agency code (mã định danh, e.g. 000.00.00.H49) in edXML packages."
    )
    agency_name: str = Field("", description="Sender agency name in edXML packages.")
    # Our agency's contact block (edXML To: OrganizationInCharge, OrganAdd, Email, Telephone,
    # Fax, Website); a receiving axis checks the elements are there, the values may be empty.
    agency_in_charge: str = Field(
        "", description="The agency in charge of ours (edXML OrganizationInCharge); empty: ours."
    )
    agency_address: str = Field("", description="Postal address of our agency (edXML OrganAdd).")
    agency_email: str = Field("", description="E-mail of our agency's mailroom (edXML Email).")
    agency_telephone: str = Field("", description="Telephone of our agency (edXML Telephone).")
    agency_fax: str = Field("", description="Fax of our agency (edXML Fax).")
    agency_website: str = Field("", description="Website of our agency (edXML Website).")
    # The agency's signing certificate (edXML XML-DSig; the legal copy's PDF signature reuses it).
    signing_key_file: Path | None = Field(
        None, description="PEM private key of the agency certificate (with signing_cert_file)."
    )
    signing_cert_file: Path | None = Field(
        None, description="PEM certificate of the agency, matching signing_key_file."
    )
    signing_pkcs12_file: Path | None = Field(
        None, description="The agency key and certificate as one PKCS#12 file (.p12/.pfx), "
        "instead of the two PEM files."
    )
    signing_pkcs12_password: str = Field(
        "", description="Password of signing_pkcs12_file (empty: none)."
    )
    # The legal copy's PAdES signature (documents/signing, docs/SIGNING.md).
    signing_tsa_url: str = Field(
        "", description="RFC 3161 time-stamping service for the legal copy's signature "
        "(PAdES B-T); empty: no timestamp (B-B)."
    )
    signing_trust_roots: Path | None = Field(
        None, description="PEM file of the root certificates a signing certificate must chain "
        "to (e.g. the government CA's root); unset: only its dates, key usage and key size are "
        "checked and a self-signed certificate is refused."
    )
    signing_fetch_revocation: bool = Field(
        True, description="Ask the certificate's OCSP/CRL addresses when signing: a revoked "
        "certificate is refused and the answers are embedded (PAdES B-LT)."
    )
    signing_timeout: float = Field(
        10.0, description="Seconds to wait for the time-stamping service, OCSP or CRL."
    )
    # Signatures of incoming signed PDFs (documents/incoming_signatures.py, docs/DELIVERY.md).
    trust_roots_dir: Path | None = Field(
        None, description="Folder (or one PEM file) of the root certificates incoming digital "
        "signatures are checked against: .pem/.crt/.cer/.der certificates, .crl revocation "
        "lists; unset: signing_trust_roots, and when that is unset too no signature is trusted."
    )
    trust_fetch: bool = Field(
        False, description="Fetch revocation data (CRL, OCSP) of incoming signatures from the "
        "network; off: only the data embedded in the PDF and the .crl files of trust_roots_dir."
    )
    delivery_attempts: int = Field(
        8, description="Failed pushes of one document to one webhook before it is parked."
    )
    delivery_backoff: float = Field(
        2.0, description="Seconds before the second push attempt; doubles each time."
    )
    delivery_max_backoff: float = Field(600.0, description="Longest wait between push attempts.")
    delivery_timeout: float = Field(10.0, description="Seconds a webhook has to answer one push.")
    delivery_concurrency: int = Field(4, description="Pushes in flight at once per sender.")
    delivery_poll_seconds: float = Field(
        1.0, description="How often the sender looks for new deliveries when idle."
    )
    # Limits of every external program run on an input (infra/tools/run.py).
    tool_memory_bytes: int = Field(
        2 * 2**30, description="Address space one run of an external program (Tesseract, "
        "Poppler, Ghostscript) may use, in bytes; beyond it the run fails, the worker does not. "
        "0: no limit."
    )
    tool_cpu_seconds: float = Field(
        0.0, description="Processor seconds one run of an external program may use; "
        "0: its timeout (INTAKE_TOOL_TIMEOUT)."
    )

    # Reports (docs/REPORTS.md): working days, the monthly report that sends itself.
    workdays_file: Path | None = Field(
        None, description="CSV of the year's swapped days (ngày làm bù / nghỉ bù) the public "
        "holidays do not say; empty: documents/data/workdays_vn.csv."
    )
    report_send_url: str = Field(
        "", description="Webhook the monthly report is posted to on the first working day of "
        "the month (signed like document pushes); empty: not posted."
    )
    report_send_secret: str = Field(
        "", repr=False, description="HMAC secret of the monthly report's X-Intake-Signature."
    )
    report_send_dir: Path | None = Field(
        None, description="Folder the monthly report (JSON and PDF) is written to on the first "
        "working day of the month; empty: not written."
    )

    # Which webhooks the push sender may reach (infra/webhook_policy.py, docs/SECURITY.md).
    webhook_allowed_hosts: str = Field(
        "", description="Comma-separated host names or shell patterns (`*.example.gov.vn`) a "
        "webhook may point at; empty: no webhook is accepted."
    )
    webhook_allowed_networks: str = Field(
        "", description="Comma-separated addresses or networks (`10.20.0.0/16`) a webhook host "
        "may resolve to although not public (loopback, private, link-local, ...); empty: public "
        "addresses only."
    )

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        """A malformed network is refused at start (not at the first webhook)."""
        for item in filter(None, (part.strip() for part in value.split(","))):
            ipaddress.ip_network(item, strict=False)
        return value

    @field_validator("agency_code")
    @classmethod
    def _agency_code(cls, value: str) -> str:
        """A mistyped agency code is refused when the settings are read (empty: not set)."""
        value = value.strip()
        if value and not is_agency_code(value):
            raise ValueError(f"{value!r} is not an agency code (mã định danh, e.g. 000.00.00.H41)")
        return value

    @property
    def database(self) -> str:
        """The database URL in use (the embedded SQLite file when none is set)."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'intake.db').resolve()}"

    @property
    def store_dir(self) -> Path:
        """The folder of the local file store."""
        return self.storage_dir or self.data_dir / "store"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
