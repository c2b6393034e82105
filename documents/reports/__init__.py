"""Management reports computed in the database (SQLite and PostgreSQL): counts, times, deadlines.

`query` is the request (period of local days, Vietnam time, buckets, grouping, filters), `facts`
the per-document rows the reports read (kept by triggers), `sql` the statements, `figures` the
report's figures and backlog, `workdays` the working days (holidays, swapped days), `reference`
the naive computation that cross-checks them, `register` the incoming register, `monthly` the
monthly report, `sending` its self-sending, `province` a province's sum of its units' reports.
See docs/REPORTS.md for each definition.
"""

from documents.reports.figures import run_report
from documents.reports.query import LOCAL_TZ, ReportQuery, local_midnight
from documents.reports.register import RegisterEntry, register_entries
from documents.reports.sql import URGENT

__all__ = ["LOCAL_TZ", "URGENT", "RegisterEntry", "ReportQuery", "local_midnight", "register_entries",
           "run_report"]
