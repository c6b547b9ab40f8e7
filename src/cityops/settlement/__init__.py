"""Contracts and performance-based settlement (按效付费结算).

A contract's KPI clauses, applied to a period's indicator facts, give a
settlement statement: per clause the value, completion, points and amount,
each linked to the fact behind it.  Statements move draft → reviewed →
approved and an approved statement never changes.

Pure modules (no I/O): ``money``, ``model``, ``scoring``, ``statement``,
``workflow``.  File formats: ``files``.  Storage: ``store`` (the register
database).  Service layer for the CLI and the API: ``service``.
"""
