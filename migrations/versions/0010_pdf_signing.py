"""The agency's PAdES signature of the legal copy (issue 14): certificates, who uses which,
and each document's signing state and signed versions.

- signing_certificates: a certificate an administrator registered (PKCS#12 file, PEM key and
  certificate files, or a PKCS#11 token: module, token label, key label). Only the NAME of the
  environment variable that holds its password or PIN is stored, never the secret. `unit` ''
  is the agency default, a unit code the default of that unit.
- signing_assignments: the certificate an account signs with when it confirms.
- documents.sign_state (NULL: not signed, 'pending', 'signed', 'failed') and documents.signing
  (JSON: who asked, the error, the list of signed versions with their store keys).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "signing_certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("unit", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key_file", sa.String(length=500), nullable=True),
        sa.Column("cert_file", sa.String(length=500), nullable=True),
        sa.Column("pkcs11_module", sa.String(length=500), nullable=True),
        sa.Column("pkcs11_token", sa.String(length=100), nullable=True),
        sa.Column("pkcs11_key", sa.String(length=100), nullable=True),
        sa.Column("secret_env", sa.String(length=100), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signing_certificates_unit", "signing_certificates", ["unit"])
    op.create_table(
        "signing_assignments",
        sa.Column("account_id", sa.Integer(),
                  sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("certificate_id", sa.Integer(),
                  sa.ForeignKey("signing_certificates.id", ondelete="CASCADE"),
                  nullable=False, index=True),
    )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("sign_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("signing", sa.JSON().with_variant(JSONB(), "postgresql"),
                                   nullable=True))
        batch.create_index("ix_documents_sign_state", ["sign_state"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_sign_state")
        batch.drop_column("signing")
        batch.drop_column("sign_state")
    op.drop_table("signing_assignments")
    op.drop_index("ix_signing_certificates_unit", table_name="signing_certificates")
    op.drop_table("signing_certificates")
