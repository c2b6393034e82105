"""What a package sent again tells the registry: TraceHeaderList/Bussiness of a document the
registry already had (docs/DELIVERY.md, edXML: 2 update when its values were corrected, 3 replace
when its pages changed and the attached file is another one)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.edxml import Business, BusinessType, Staff
from infra.tables import Document, Event

# Corrections that change the pages, hence the PDF/A the registry holds (documents/corrections.py).
PAGE_ACTIONS = ("split", "merge", "move", "move_out", "move_in", "rotate", "delete_page")


def business_of(session: Session, doc: Document) -> Business:
    """NEW the first time; once the registry had the document and it was confirmed again after a
    correction, REPLACE if its pages changed since, else UPDATE (never a second NEW)."""
    staff = Staff(department=doc.unit)
    delivered, confirmed = doc.delivered_at, doc.confirmed_at
    if delivered is None or confirmed is None or confirmed <= delivered:
        return Business(BusinessType.NEW, staff=staff)
    pages = session.scalar(select(Event.id).where(
        Event.document_id == doc.id, Event.action.in_(PAGE_ACTIONS), Event.at > delivered
    ).limit(1))
    return Business(BusinessType.REPLACE if pages is not None else BusinessType.UPDATE,
                    staff=staff)
