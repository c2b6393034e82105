"""Adapters for external programs: the only code that runs them."""
