"""Ingestion: sources into the register and the lake, losing nothing.

Every row of a batch is stored once, quarantined with a reason, or counted as
a duplicate: received = stored + quarantined + duplicates.
"""
