"""Packages as other producers write them (our own fixtures reproducing the structure of the
public implementations' output: default namespace on the root, `edXML:` prefix inside the
envelope, attachments without prefix, free element order, base64 wrapped in lines, a signature
block): our parser reads them completely and `validate` accepts them."""

from __future__ import annotations

import base64
import hashlib

from documents.edxml import parse_edxml, validate

FILE = hashlib.sha256(b"intake").digest() * 300 + b"\x00\xff end"
WRAPPED = "\n".join(base64.b64encode(FILE).decode()[i:i + 76]
                    for i in range(0, len(base64.b64encode(FILE)), 76))

DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.00.G09</edXML:OrganId>
          <edXML:OrganName>Bộ Nội vụ</edXML:OrganName>
          <edXML:OrganizationInCharge>Bộ Nội vụ</edXML:OrganizationInCharge>
          <edXML:OrganAdd>Số 8 Tôn Thất Thuyết, Hà Nội</edXML:OrganAdd>
          <edXML:Email>vanthu@example.gov.vn</edXML:Email>
          <edXML:Telephone>024 0000 0000</edXML:Telephone>
          <edXML:Fax>024 0000 0001</edXML:Fax>
          <edXML:Website>example.gov.vn</edXML:Website>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.00.H41</edXML:OrganId>
          <edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName>
          <edXML:OrganAdd>Vinh, Nghệ An</edXML:OrganAdd>
          <edXML:Email></edXML:Email>
          <edXML:Telephone></edXML:Telephone>
          <edXML:Fax></edXML:Fax>
          <edXML:Website></edXML:Website>
        </edXML:To>
        <edXML:To>
          <edXML:OrganId>000.00.00.H14</edXML:OrganId>
          <edXML:OrganName>UBND tỉnh Cao Bằng</edXML:OrganName>
          <edXML:OrganAdd></edXML:OrganAdd>
          <edXML:Email></edXML:Email>
          <edXML:Telephone></edXML:Telephone>
          <edXML:Fax></edXML:Fax>
          <edXML:Website></edXML:Website>
        </edXML:To>
        <edXML:Code>
          <edXML:CodeNumber>412</edXML:CodeNumber>
          <edXML:CodeNotation>BNV-VP</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2026/01/16</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v báo cáo công tác văn thư năm 2025</edXML:Subject>
        <edXML:Content>Đề nghị các địa phương gửi báo cáo trước ngày 31/01/2026.</edXML:Content>
        <edXML:SignerInfo>
          <edXML:Competence>TL. BỘ TRƯỞNG</edXML:Competence>
          <edXML:Position>Chánh Văn phòng</edXML:Position>
          <edXML:FullName>Nguyễn Văn An</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:DueDate>2026/01/31</edXML:DueDate>
        <edXML:ToPlaces>
          <edXML:Place>Như trên;</edXML:Place>
          <edXML:Place>Lưu: VT, VP.</edXML:Place>
        </edXML:ToPlaces>
        <edXML:OtherInfo>
          <edXML:Priority>1</edXML:Priority>
          <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>NVA</edXML:TyperNotation>
          <edXML:PromulgationAmount>3</edXML:PromulgationAmount>
          <edXML:PageAmount>2</edXML:PageAmount>
          <edXML:Appendixes>
            <edXML:Appendix>Mẫu báo cáo</edXML:Appendix>
          </edXML:Appendixes>
        </edXML:OtherInfo>
        <edXML:ResponseFor>
          <edXML:OrganId>000.00.00.H41</edXML:OrganId>
          <edXML:Code>88/UBND-VX</edXML:Code>
          <edXML:DocumentId>000.00.00.H41,2025/12/20,88/UBND-VX</edXML:DocumentId>
          <edXML:PromulgationDate>2025/12/20</edXML:PromulgationDate>
        </edXML:ResponseFor>
        <edXML:ResponseFor>
          <edXML:OrganId>000.00.00.H14</edXML:OrganId>
          <edXML:Code>12/UBND-NC</edXML:Code>
          <edXML:PromulgationDate>2025/12/22</edXML:PromulgationDate>
          <edXML:DocumentId>000.00.00.H14,2025/12/22,12/UBND-NC</edXML:DocumentId>
        </edXML:ResponseFor>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:DocumentId>000.00.00.G09,2026/01/16,412/BNV-VP</edXML:DocumentId>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>000.00.00.G09</edXML:OrganId>
          <edXML:Timestamp>2026/01/16 15:04:05</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:Bussiness>
          <edXML:DocumentId>000.00.00.G09,2026/01/16,412/BNV-VP</edXML:DocumentId>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>
          <edXML:Paper>0</edXML:Paper>
          <edXML:StaffInfo>
            <edXML:Department>Văn thư</edXML:Department>
            <edXML:Staff>Trần Thị Bình</edXML:Staff>
            <edXML:Email>binh@example.gov.vn</edXML:Email>
            <edXML:Mobile>0900000000</edXML:Mobile>
          </edXML:StaffInfo>
        </edXML:Bussiness>
      </edXML:TraceHeaderList>
      <Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
          <Reference URI=""><DigestValue>AAAA</DigestValue></Reference>
        </SignedInfo>
        <SignatureValue>AAAA</SignatureValue>
      </Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:f3b1</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:Description>412-BNV-VP.pdf</edXML:Description>
          <edXML:AttachmentName>412-BNV-VP.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:f3b1</ContentId>
      <AttachmentName>412-BNV-VP.pdf</AttachmentName>
      <Description>412-BNV-VP.pdf</Description>
      <ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">{WRAPPED}</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
""".encode()

STATUS = """<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.00.H41</edXML:OrganId>
          <edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName>
        </edXML:From>
        <edXML:ResponseFor>
          <edXML:OrganId>000.00.00.G09</edXML:OrganId>
          <edXML:Code>412/BNV-VP</edXML:Code>
          <edXML:PromulgationDate>2026/01/16</edXML:PromulgationDate>
          <edXML:DocumentId>000.00.00.G09,2026/01/16,412/BNV-VP</edXML:DocumentId>
        </edXML:ResponseFor>
        <edXML:StaffInfo>
          <edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Lê Văn Cường</edXML:Staff>
        </edXML:StaffInfo>
        <edXML:StatusCode>03</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận</edXML:Description>
        <edXML:Timestamp>2026/01/17 08:30:00</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
""".encode()


def test_real_document_packet_read_completely() -> None:
    assert validate(DOCUMENT) == []
    back = parse_edxml(DOCUMENT)
    (attachment,) = back["attachments"]
    assert attachment["content"] == FILE and attachment["name"] == "412-BNV-VP.pdf"
    assert back["references"] == ["cid:f3b1"]
    assert back["document_id"] == "000.00.00.G09,2026/01/16,412/BNV-VP"
    assert back["from"]["id"] == "000.00.00.G09" and back["from"]["address"].startswith("Số 8")
    assert [t["id"] for t in back["to"]] == ["000.00.00.H41", "000.00.00.H14"]
    assert back["to_places"] == ["Như trên;", "Lưu: VT, VP."]
    assert back["priority"] == "1" and back["due_date"] == "2026/01/31"
    assert [r["Code"] for r in back["response_for"]] == ["88/UBND-VX", "12/UBND-NC"]
    assert back["trace"] == [{"organ_id": "000.00.00.G09", "timestamp": "2026/01/16 15:04:05"}]
    assert back["staff"]["Staff"] == "Trần Thị Bình" and back["signed"]


def test_real_status_packet_accepted() -> None:
    assert validate(STATUS) == []
    # without StatusCode it is read as a document packet, which lacks most of its elements
    assert "MessageHeader/DocumentId is missing" in validate(
        STATUS.replace(b"<edXML:StatusCode>03</edXML:StatusCode>", b""))
    broken = STATUS.replace(b"2026/01/17 08:30:00", b"2026-01-17T01:30:00Z")
    assert any("Timestamp" in e for e in validate(broken))
    no_answer = STATUS.replace(b"<edXML:ResponseFor>", b"<edXML:X>").replace(
        b"</edXML:ResponseFor>", b"</edXML:X>")
    assert validate(no_answer) != []


def test_rules_refuse_an_incomplete_document() -> None:
    no_subject = DOCUMENT.replace(b"<edXML:Subject>V/v b\xc3\xa1o c\xc3\xa1o", b"<edXML:Subject>"
                                  ).replace("công tác văn thư năm 2025</edXML:Subject>".encode(),
                                            b"</edXML:Subject>")
    assert "MessageHeader/Subject is empty" in validate(no_subject)
    two_subjects = DOCUMENT.replace(b"<edXML:DueDate>", "<edXML:Subject>Khác</edXML:Subject>"
                                    "<edXML:DueDate>".encode())
    assert "MessageHeader/Subject occurs 2 times" in validate(two_subjects)
    no_to = DOCUMENT.replace(b"<edXML:To>", b"<edXML:Receiver>").replace(
        b"</edXML:To>", b"</edXML:Receiver>")
    assert any("Receiver" in e for e in validate(no_to))
