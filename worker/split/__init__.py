"""Cutting a scanned batch into documents: separator sheets, blank pages, automatic boundaries."""
