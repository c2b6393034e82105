"""`python -m documents.reports [--check]`: rebuild the report facts, or compare them with the documents."""

import sys

from documents.reports.facts import main

sys.exit(main())
