"""The register (登记库): slowly changing facts in a relational database.

SQLite is the embedded default, PostgreSQL the production database; both run
the same schema (``schema``), migrations (``migrate``) and store
(``store``, ``batches``).  The modules import SQLAlchemy, so entry points
import them inside commands.

Importing the package puts every table on ``schema.metadata``: the contract's
register tables (``schema``) and the contracts and settlement tables
(``contracts_schema``), so migrations and the metadata they are checked
against always see the whole register.
"""

from cityops.register import access_schema as access_schema
from cityops.register import contracts_schema as contracts_schema
