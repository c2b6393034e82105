"""Metadata extraction (issue 3): number, date, issuer, type, summary, signer, stamps."""

from documents.extract.extract import KEYS, Extraction, extract_metadata
from documents.extract.gazetteer import Gazetteer

__all__ = ["KEYS", "Extraction", "Gazetteer", "extract_metadata"]
