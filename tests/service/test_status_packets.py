"""Status feedback as edXML status packets (QCVN 102, DOMAIN §7) on the same endpoint as JSON, with
the same rules: the receiver's Timestamp and staff kept, the acknowledgement timed by the receiver,
the revocation codes 13/15/16 recorded and shown."""

from __future__ import annotations

import datetime as dt

from infra.database import session_scope
from infra.tables import Document
from models.settings import Settings
from tests.service.helpers import client, ready_document

META = {"number": "87/QĐ-UBND", "code_number": "87", "code_notation": "QĐ-UBND",
        "organ_name": "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "subject": "Về việc lịch họp",
        "issued_date": "2026-01-16"}
XML = {"content-type": "application/xml; charset=utf-8"}


def packet(code: str, timestamp: str, description: str = "", staff: str = "Nguyễn Thị Lan",
           department: str = "Văn thư") -> bytes:
    """A status packet in another producer's structure (prefixed envelope, free order)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader><edXML:MessageHeader>
   <edXML:From><edXML:OrganId>000.00.00.G09</edXML:OrganId>
    <edXML:OrganName>Bộ Nội vụ</edXML:OrganName></edXML:From>
   <edXML:ResponseFor><edXML:OrganId>000.00.00.H41</edXML:OrganId>
    <edXML:Code>87/QĐ-UBND</edXML:Code><edXML:PromulgationDate>2026/01/16</edXML:PromulgationDate>
    <edXML:DocumentId>000.00.00.H41,2026/01/16,87/QĐ-UBND</edXML:DocumentId></edXML:ResponseFor>
   <edXML:StaffInfo><edXML:Department>{department}</edXML:Department>
    <edXML:Staff>{staff}</edXML:Staff></edXML:StaffInfo>
   <edXML:Description>{description}</edXML:Description>
   <edXML:Timestamp>{timestamp}</edXML:Timestamp>
   <edXML:StatusCode>{code}</edXML:StatusCode>
  </edXML:MessageHeader></edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>""".encode()


def _delivered(settings: Settings, c: object) -> int:
    doc_id = ready_document(settings, META)
    c.post(f"/api/documents/{doc_id}/confirm")  # type: ignore[attr-defined]
    c.get("/api/registry/documents")  # type: ignore[attr-defined]  # pulled: delivered
    return doc_id


def test_status_packets_follow_the_json_rules_and_keep_the_receivers_time(
        settings: Settings) -> None:
    with client(settings) as c:
        doc_id = _delivered(settings, c)
        url = f"/api/registry/documents/{doc_id}/status"
        with session_scope(settings.database, write=True) as session:
            doc = session.get_one(Document, doc_id)
            doc.delivered_at = dt.datetime(2026, 1, 17, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội
        assert c.post(url, content=packet("01", "2026/01/17 08:05:00"), headers=XML).json()[
            "registry_status"] == "01"
        answer = c.post(url, content=packet("03", "2026/01/17 09:30:00"), headers=XML).json()
        assert answer["registry_status"] == "03" and answer["changed"]
        # The registry's clerk registered it at 09:30 local time: that is the acknowledgement.
        assert answer["acknowledged_at"].startswith("2026-01-17T02:30:00")
        last = answer["history"][-1]
        assert last["by"].endswith(" / Nguyễn Thị Lan (Văn thư)") and last["by"].startswith("token:")
        assert "at the registry: 2026-01-17T09:30:00+07:00" in last["detail"]
        # Same rules as JSON: going back is a conflict, a repeat changes nothing.
        assert c.post(url, content=packet("01", "2026/01/17 10:00:00"),
                      headers=XML).status_code == 409
        assert not c.post(url, content=packet("03", "2026/01/17 10:00:00"),
                          headers=XML).json()["changed"]
        assert c.post(url, json={"code": "04"}).json()["registry_status"] == "04"


def test_json_reports_may_give_the_receivers_time_too(settings: Settings) -> None:
    with client(settings) as c:
        doc_id = _delivered(settings, c)
        with session_scope(settings.database, write=True) as session:
            doc = session.get_one(Document, doc_id)
            doc.delivered_at = dt.datetime(2026, 1, 17, 1, 0, tzinfo=dt.UTC)
        answer = c.post(f"/api/registry/documents/{doc_id}/status",
                        json={"code": "03", "at": "2026-01-17T10:15:00"}).json()
        assert answer["acknowledged_at"].startswith("2026-01-17T03:15:00")  # Vietnam time
        # A receiver's clock before the delivery is bounded by it.
        other = _delivered(settings, c)
        with session_scope(settings.database, write=True) as session:
            session.get_one(Document, other).delivered_at = dt.datetime(2026, 1, 17, 1, 0,
                                                                       tzinfo=dt.UTC)
        answer = c.post(f"/api/registry/documents/{other}/status",
                        json={"code": "03", "at": "2026-01-16T08:00:00+07:00"}).json()
        assert answer["acknowledged_at"].startswith("2026-01-17T01:00:00")


def test_revocation_codes_recorded_and_shown_without_moving_the_status(settings: Settings) -> None:
    with client(settings) as c:
        doc_id = _delivered(settings, c)
        url = f"/api/registry/documents/{doc_id}/status"
        c.post(url, json={"code": "03"})
        answer = c.post(url, content=packet("13", "2026/01/18 08:00:00", "Ban hành nhầm"),
                        headers=XML).json()
        assert answer["registry_status"] == "03" and answer["changed"]
        assert [(h["code"], h["name"]) for h in answer["history"]][-1] == ("13", "Đề nghị thu hồi")
        assert not c.post(url, content=packet("13", "2026/01/18 08:01:00"),
                          headers=XML).json()["changed"]
        for code, name in (("16", "Từ chối thu hồi"), ("15", "Đồng ý thu hồi")):
            answer = c.post(url, json={"code": code}).json()
            assert answer["history"][-1]["name"] == name
        view = c.get(f"/api/documents/{doc_id}").json()
        assert [h["new"] for h in view["history"] if h.get("field") == "registry_status"] == [
            "03", "13", "16", "15"]


def test_malformed_packets_refused(settings: Settings) -> None:
    with client(settings) as c:
        doc_id = _delivered(settings, c)
        url = f"/api/registry/documents/{doc_id}/status"
        for body in (b"<edXML", b"<edXML/>", packet("03", "17/01/2026 09:30"), packet("99", "")):
            r = c.post(url, content=body, headers=XML)
            assert r.status_code == 422, body
        assert c.post(url, content=b'{"code": 3}',
                      headers={"content-type": "application/json"}).status_code == 422
        assert c.get(f"/api/documents/{doc_id}").json()["registry_status"] is None
