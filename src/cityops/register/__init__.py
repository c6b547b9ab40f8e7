"""The register (登记库): slowly changing facts in a relational database.

SQLite is the embedded default, PostgreSQL the production database; both run
the same schema (``schema``), migrations (``migrate``) and store
(``store``, ``batches``).  The modules import SQLAlchemy, so entry points
import them inside commands.
"""
