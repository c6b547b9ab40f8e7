"""Register tables of the API (用户、令牌、审计、市民诉求): who may do what, and what they did.

``users``
    one row per person, with one role and the region that bounds what they
    see (``region_code``; NULL only for an administrator of the whole
    workspace); an operator is also tied to its ``operator_id``, a department
    user to its ``department``.  Passwords are argon2 hashes; the TOTP secret
    of an enrolled second factor is encrypted like the contacts, with the last
    step accepted (``totp_last_step``) against replays.
``api_tokens``
    bearer tokens, stored as SHA-256 digests (a leaked table holds no usable
    token), each with an expiry.
``login_throttle``
    one counter of login attempts per account and per client address, for the
    progressive delays of ``cityops.accounts.throttle`` (migration 0006; it
    replaced 0003's ``login_failures``, one row per failure).
``audit_log``
    the tamper-evident journal: each entry carries the hash of the one before
    (``prev_hash``) and its own (``entry_hash``); migration 0003 installs
    triggers that refuse UPDATE and DELETE on both databases.
``audit_head``
    one row: the number and hash of the last entry.  Appending updates it
    first, which serialises writers on SQLite and PostgreSQL alike.
``refused_requests``
    anonymous requests refused, counted per hour and route instead of one
    audit entry each (``audit/refusals.py``), until the hour is written to the
    audit log as one entry.
``service_requests``
    Open311 service requests (市民诉求), contacts and free text (description,
    status notes: ``*_enc``) encrypted at rest; the clear ``description`` and
    ``status_notes`` columns only hold rows from before migration 0007 until
    ``cityops migrate`` seals them.
``open311_keys``
    the ``api_key`` of each Open311 client application, stored as a SHA-256
    digest, revoked rather than deleted (so a name is never reused).
``ticket_outbox``
    ``ticket_events`` rows produced by the API, waiting to be ingested into
    the lake in batches (the lake is append-by-batch, not per request).
"""

from __future__ import annotations

import sqlalchemy as sa

from cityops.register.schema import UtcDateTime, metadata

__all__ = [
    "api_tokens",
    "audit_head",
    "audit_log",
    "login_throttle",
    "open311_keys",
    "refused_requests",
    "service_requests",
    "ticket_outbox",
    "users",
]

users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Text(), primary_key=True),
    sa.Column("username", sa.Text(), nullable=False, unique=True),
    sa.Column("display_name", sa.Text(), nullable=False),
    sa.Column("password_hash", sa.Text(), nullable=False),
    sa.Column("role", sa.Text(), nullable=False),
    sa.Column("region_code", sa.Text(), nullable=True),
    sa.Column("operator_id", sa.Text(), nullable=True),
    sa.Column("department", sa.Text(), nullable=True),
    sa.Column("can_view_personal", sa.Boolean(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("totp_secret_enc", sa.Text(), nullable=True),
    sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_digest", sa.Text(), primary_key=True),
    sa.Column("user_id", sa.Text(), sa.ForeignKey("users.user_id"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked", sa.Boolean(), nullable=False),
)

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("throttle_key", sa.Text(), primary_key=True),
    sa.Column("failures", sa.Integer(), nullable=False),
    sa.Column("last_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index(None, "last_at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("username", sa.Text(), nullable=True),
    sa.Column("role", sa.Text(), nullable=True),
    sa.Column("region_code", sa.Text(), nullable=True),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("object", sa.Text(), nullable=False),
    sa.Column("result", sa.Text(), nullable=False),
    sa.Column("client", sa.Text(), nullable=True),
    sa.Column("prev_hash", sa.Text(), nullable=False),
    sa.Column("entry_hash", sa.Text(), nullable=False),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("head_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("entry_hash", sa.Text(), nullable=False),
)

refused_requests = sa.Table(
    "refused_requests",
    metadata,
    sa.Column("window_start", UtcDateTime(), primary_key=True),
    sa.Column("route", sa.Text(), primary_key=True),
    sa.Column("count", sa.BigInteger(), nullable=False),
    sa.Column("first_client", sa.Text(), nullable=True),
    sa.Column("last_client", sa.Text(), nullable=True),
)

service_requests = sa.Table(
    "service_requests",
    metadata,
    sa.Column("service_request_id", sa.Text(), primary_key=True),
    sa.Column("token", sa.Text(), nullable=False, unique=True),
    sa.Column("jurisdiction_id", sa.Text(), nullable=False),
    sa.Column("service_code", sa.Text(), nullable=False),
    sa.Column("region_code", sa.Text(), nullable=False),
    sa.Column("department", sa.Text(), nullable=False),
    sa.Column("category", sa.Text(), nullable=False),
    sa.Column("channel", sa.Text(), nullable=False),
    sa.Column("status", sa.Text(), nullable=False),
    sa.Column("status_notes", sa.Text(), nullable=True),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("address", sa.Text(), nullable=True),
    sa.Column("lat", sa.Double(), nullable=True),
    sa.Column("lon", sa.Double(), nullable=True),
    sa.Column("media_url", sa.Text(), nullable=True),
    sa.Column("contact_name_enc", sa.Text(), nullable=True),
    sa.Column("contact_phone_enc", sa.Text(), nullable=True),
    sa.Column("contact_email_enc", sa.Text(), nullable=True),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("expected_at", UtcDateTime(), nullable=True),
    sa.Column("description_enc", sa.Text(), nullable=True),
    sa.Column("status_notes_enc", sa.Text(), nullable=True),
    sa.Index(None, "region_code"),
    sa.Index(None, "requested_at"),
)

ticket_outbox = sa.Table(
    "ticket_outbox",
    metadata,
    sa.Column("event_id", sa.Text(), primary_key=True),
    sa.Column("ticket_id", sa.Text(), nullable=False),
    sa.Column("ts", UtcDateTime(), nullable=False),
    sa.Column("status", sa.Text(), nullable=False),
    sa.Column("region_code", sa.Text(), nullable=False),
    sa.Column("category", sa.Text(), nullable=False),
    sa.Column("department", sa.Text(), nullable=False),
    sa.Column("channel", sa.Text(), nullable=False),
    sa.Column("satisfaction", sa.Integer(), nullable=True),
    sa.Column("due_at", UtcDateTime(), nullable=True),
    sa.Column("batch_id", sa.Text(), nullable=True),
    sa.Index(None, "batch_id"),
)

open311_keys = sa.Table(
    "open311_keys",
    metadata,
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("key_digest", sa.Text(), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)
