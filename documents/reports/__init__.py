"""Management reports computed in the database (SQLite and PostgreSQL): counts, times, deadlines.

`query` is the request (period of local days, Vietnam time, buckets, grouping, filters), `sql` the
statements and the fragments where the two databases differ, `figures` the report's figures and
backlog, `register` the incoming register. See docs/REPORTS.md for each definition.
"""

from documents.reports.figures import run_report
from documents.reports.query import LOCAL_TZ, ReportQuery, local_midnight
from documents.reports.register import RegisterEntry, register_entries
from documents.reports.sql import URGENT

__all__ = ["LOCAL_TZ", "URGENT", "RegisterEntry", "ReportQuery", "local_midnight", "register_entries",
           "run_report"]
