"""Identity at the edge: passwords, accounts, sessions, API tokens, the first administrator.

Service functions take a SQLAlchemy session and never import FastAPI (docs/SECURITY.md)."""
