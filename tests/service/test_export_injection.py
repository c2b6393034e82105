"""Report exports with hostile text (issue 13): formulas stay text, numbers stay numbers.

An agency or unit name is read from a paper anyone can send; a cell such as `@SUM(1)` or
`=HYPERLINK(...)` must not run when a manager opens the CSV or the workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence

import pytest
from sqlalchemy import update

from infra.database import session_scope
from infra.tables import Document
from intake.render.exports import FORMULA_STARTS, cell_value
from models.settings import Settings
from tests.service.helpers import client, ready_document

SUBJECT = '=HYPERLINK("http://x","y")'
AGENCY = "@SUM(1)"
UNIT = "+cmd|' /C calc'!A0"  # the DDE classic


@pytest.mark.parametrize(("value", "shown"), [
    (SUBJECT, "'" + SUBJECT), (AGENCY, "'@SUM(1)"), ("-2+3", "'-2+3"), ("+84 24 3823", "'+84 24 3823"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("Bộ Nội vụ", "Bộ Nội vụ"), ("", ""),
    (-3, -3), (2.5, 2.5), (0, 0), (None, None)])
def test_cell_value(value: object, shown: object) -> None:
    assert cell_value(value) == shown


def _seed(settings: Settings) -> dict[str, str]:
    doc = ready_document(settings, {"organ_name": AGENCY, "subject": SUBJECT, "type_name": "CÔNG VĂN"})
    with session_scope(settings.database, write=True) as session:
        session.execute(update(Document).where(Document.id == doc).values(unit=UNIT))
        organ = session.get_one(Document, doc).organ
    assert organ == AGENCY  # what the report groups by
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    return {"from": (today - dt.timedelta(days=1)).isoformat(), "to": today.isoformat(), "by": "day"}


def _dangerous(values: Sequence[object]) -> list[object]:
    return [v for v in values if isinstance(v, str) and v.startswith(FORMULA_STARTS)]


def test_csv_and_xlsx_keep_formulas_as_text(settings: Settings) -> None:
    query = _seed(settings)
    from openpyxl import load_workbook

    with client(settings, units=(UNIT,)) as c:  # the manager of that (hostile-named) unit
        for group, name in (("organ", AGENCY), ("unit", UNIT)):
            r = c.get("/api/reports/export.csv", params={**query, "group": group})
            assert r.status_code == 200, r.text
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
            cells = [v for row in rows for v in row]
            assert _dangerous(cells) == [] and "'" + name in cells and name not in cells
            head = rows[0]
            group_row = next(dict(zip(head, row, strict=True)) for row in rows
                             if row[0] == "Theo nhóm")
            assert group_row["Văn bản đến"] == "1"  # a count, not text

            r = c.get("/api/reports/export.xlsx", params={**query, "group": group})
            assert r.status_code == 200
            with zipfile.ZipFile(io.BytesIO(r.content)) as package:
                sheets = [package.read(n).decode() for n in package.namelist()
                          if n.startswith("xl/worksheets/sheet")]
            assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula
            wb = load_workbook(io.BytesIO(r.content))
            workbook_cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
            assert not [c.coordinate for c in workbook_cells if c.data_type == "f"]
            values = [cell.value for cell in workbook_cells]
            assert _dangerous(values) == [] and "'" + name in values and name not in values
            groups = {row[0]: row for row in wb["Theo nhóm"].iter_rows(min_row=2, values_only=True)}
            assert groups["'" + name][1] == 1  # the count is a number in the workbook
