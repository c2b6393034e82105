"""A digitally signed incoming PDF through the service (issue 14): the worker checks its signature
against the configured roots, the store keeps the original byte for byte, the review image shows
the signature widget, the API, the registry feed and the edXML package carry the signature and the
signed original. SQLite only, jobs run in this process: one OCR run (the API routes are covered on
both databases by the other service tests)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from documents.edxml import ORIGINAL_DESCRIPTION, parse_edxml
from models.settings import Settings
from tests.pki import AGENCY_NAME, PKI
from tests.service.helpers import batch_documents, client
from tests.signed_incoming import WIDGET_BOX, signed_scan_pdf
from worker import jobs

pytestmark = [pytest.mark.redis, pytest.mark.slow,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

FIELDS = {"number": "87/QĐ-UBND", "organ_name": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
          "type_name": "QUYẾT ĐỊNH", "subject": "Về việc phê duyệt kế hoạch",
          "issued_date": "2026-01-16", "place": "Quảng Ngãi", "to_places": ["Lưu: VT."]}


def test_signed_pdf_checked_shown_and_delivered_with_its_original(
        settings: Settings, tmp_path: Path, pki: PKI, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = tmp_path / "roots"
    roots.mkdir()
    shutil.copy(pki.root.cert_file, roots / "root.pem")
    settings = settings.model_copy(update={
        "trust_roots_dir": roots, "agency_code": "000.00.00.H48",
        "agency_name": "Văn phòng UBND tỉnh Quảng Ngãi"})
    original = signed_scan_pdf(tmp_path / "in.pdf", pki.agency).read_bytes()
    monkeypatch.setattr(jobs, "get_settings", lambda: settings)
    with client(settings) as c:
        r = c.post("/api/batches", files=[("files", ("87 QĐ.signed.pdf", original,
                                                     "application/pdf"))])
        assert r.status_code == 202, r.text
        batch_id = int(r.json()["id"])
        jobs.process_batch(batch_id)
        (doc_id,) = batch_documents(settings, batch_id)
        assert jobs.process_document(doc_id) == "ready_for_review"

        doc = c.get(f"/api/documents/{doc_id}").json()
        [sig] = doc["signatures"]
        assert (sig["signer"], sig["integrity"], sig["certificate"], sig["status"]) == \
            (AGENCY_NAME, "intact", "trusted", "valid")
        assert doc["signatures_status"] == "valid"
        assert doc["signatures_note"] == f"Văn bản có chữ ký số: {sig['message']}"
        assert c.get(f"/api/documents/{doc_id}/original").content == original  # kept as is

        # The review image (100 dpi) shows the widget's border and text.
        image = Image.open(io.BytesIO(c.get(doc["pages"][0]["image"]).content)).convert("L")
        k = image.height / 842
        x0, y0, x1, y1 = WIDGET_BOX
        box = np.asarray(image)[round((842 - y1) * k) + 2: round((842 - y0) * k) - 2,
                                round(x0 * k) + 2: round(x1 * k) - 2]
        assert (box < 128).sum() > 50

        assert c.patch(f"/api/documents/{doc_id}", json={"fields": FIELDS}).status_code == 200
        r = c.post(f"/api/documents/{doc_id}/confirm")
        assert r.status_code == 200, r.text
        [item] = c.get("/api/registry/documents").json()["items"]
        assert item["signatures_status"] == "valid" and item["signatures"][0]["signer"] == AGENCY_NAME
        link = item["links"]["original"]
        assert c.get(link[link.index("/api/"):]).content == original  # as the registry

        package = parse_edxml(c.get(f"/api/documents/{doc_id}/edxml").content)
        pdfa, signed = package["attachments"]
        assert pdfa["description"] == "PDF/A" and pdfa["content"].startswith(b"%PDF")
        assert signed["description"] == ORIGINAL_DESCRIPTION and signed["content"] == original
