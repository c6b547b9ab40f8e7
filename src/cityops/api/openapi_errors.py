"""The error answers of ``/api/v1`` in its OpenAPI document, written once for all.

Every operation documents what it can answer, so that a client (and
schemathesis's status-code, content-type and schema checks) can rely on the
document.  Most error answers follow from what an operation is, not from what
it does, so they are added here by rule rather than repeated on each route:

* ``400`` on every operation with a body: one that cannot be read (a form
  that is not UTF-8, JSON that is not JSON);
* ``401`` (no, an expired or a revoked token) and ``403`` (the role may not)
  on every operation that takes credentials, and ``401`` (wrong password) and
  ``429`` (too many failures) on logging in (``LOGIN``);
* ``404`` on every operation with parameters: an unknown or out-of-scope
  object, region, indicator or period is answered as not found;
* ``409`` on the operations in ``CONFLICTS``, whose state may not allow the
  request (a statement already approved, facts not computed yet);
* ``422`` keeps FastAPI's list of invalid fields and may also be a ``detail``
  string: input the data contract refuses as a whole (``ContractError``).

Their body is ``{"detail": "…"}`` (``ErrorDetail``).  An operation's own
``responses=`` (ingest's 413 and 415, say) stand as written.  Open311 documents
its own errors, in its own format (``api/open311``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

__all__ = ["CONFLICTS", "LOGIN", "ErrorDetail", "document_errors"]

CONFLICTS = frozenset(
    {
        "settle_period",
        "review_statement",
        "approve_statement",
        "list_facts",
        "explain_fact",
        "get_region_summary",
        "get_portal_operations",
        "get_hotline_operations",
        "get_infrastructure_operations",
        "check_compliance",
    }
)
"""Operations that answer 409 when the state does not allow the request."""
LOGIN = "login"

_PREFIX = "/api/v1/"
_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
_VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}


class ErrorDetail(BaseModel):
    """An error of the API: what was wrong, in one line."""

    detail: str


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _DETAIL}}}


_BY_RULE = {
    "400": _answer("A body that cannot be read: not UTF-8, or not JSON"),
    "401": _answer("No token, or an expired or revoked one; at login, a wrong password"),
    "403": _answer("The caller's role may not do this"),
    "404": _answer("No such object, or one outside the caller's scope"),
    "409": _answer("The state does not allow it"),
    "429": _answer("Too many failed logins; Retry-After says when to try again"),
}


def _complete(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    wanted = []
    if "requestBody" in operation:
        wanted.append("400")
    if operation.get("security"):
        wanted += ["401", "403"]
    if operation.get("operationId") == LOGIN:
        wanted += ["401", "429"]
    if operation.get("parameters") or "{" in path:
        wanted.append("404")
    if operation.get("operationId") in CONFLICTS:
        wanted.append("409")
    for code in wanted:
        responses.setdefault(code, _BY_RULE[code])
    unprocessable = responses.get("422", {}).get("content", {}).get("application/json")
    if unprocessable is not None and unprocessable.get("schema") == _VALIDATION:
        unprocessable["schema"] = {"anyOf": [_VALIDATION, _DETAIL]}


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document carry the error answers of the module docstring."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        for path, methods in document.get("paths", {}).items():
            if path.startswith(_PREFIX):
                for operation in methods.values():
                    _complete(path, operation)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorDetail"] = ErrorDetail.model_json_schema()
        return document

    app.openapi = openapi  # type: ignore[method-assign]
