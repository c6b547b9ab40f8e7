"""Open311 GeoReport v2 at ``/open311/v2`` (市民诉求开放接口).

Public, as the spec has it: anyone may list services and requests; submitting
one needs the ``api_key`` of a client application (GeoReport v2), unless the
city runs the public mode (``[open311] public_post``), and is throttled per
key and per client address (``throttle``).  No contact data ever comes back,
and personal data in the free text comes back masked.  Each operation answers in the format
its URL ends with, ``.xml`` or ``.json``; errors use the spec's error format
(``errors.Open311Route``).  The handlers parse, call the services (through
``submission`` for a new request), build the spec's shapes and render.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel

from cityops.api.deps import StateDep, UnitOfWorkDep, audit, client_of
from cityops.api.open311.criteria import criteria_from_query
from cityops.api.open311.errors import Open311Route
from cityops.api.open311.render import MEDIA_TYPES, Format, render_list, render_object
from cityops.api.open311.schemas import (
    ErrorPublic,
    PlainText,
    RequestCreatedPublic,
    RequestTokenPublic,
    ServiceDefinitionPublic,
    ServicePublic,
    ServiceRequestCreate,
    ServiceRequestPublic,
    service_notice,
)
from cityops.api.open311.submission import submit_request
from cityops.api.state import AppState
from cityops.services.open311 import (
    RequestCriteria,
    client_key_holder,
    find_requests,
    jurisdiction_of,
    offered_service,
    offered_services,
    request_id_for_token,
)
from cityops.services.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=Open311Route)

FormatPath = Annotated[Format, Path(alias="format", description="Answer as json or xml.")]
JurisdictionQuery = Annotated[
    PlainText | None,
    Query(max_length=20, description="Code of a city (region level city); optional with one city."),
]
ListQuery = Annotated[list[PlainText] | None, Query(description="Comma delimited; may repeat.")]
DateQuery = Annotated[PlainText | None, Query(max_length=40, description="W3C date-time.")]
IdText = Annotated[PlainText, Path(max_length=100)]


def _doc(model: type[BaseModel] | Any, created: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the answer in both formats, and the spec's errors."""
    ok = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {
        ok: {"model": model, "content": {MEDIA_TYPES[Format.XML]: {}}},
        400: _error_doc("Invalid request"),
        404: _error_doc("Jurisdiction or object not found"),
    }


def _error_doc(description: str) -> dict[str, Any]:
    """An error in the spec's format: ``<errors><error><code/><description/>…`` in XML
    (for ``.xml`` and any other suffix), the JSON list of the same for ``.json``."""
    example = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error><code>404</code>'
        "<description>service_code 'x' not found in 330100</description></error></errors>"
    )
    return {
        "model": list[ErrorPublic],
        "description": description,
        "content": {MEDIA_TYPES[Format.XML]: {"example": example}},
    }


def _submission_doc() -> dict[int | str, dict[str, Any]]:
    return {
        **_doc(list[RequestCreatedPublic], created=True),
        401: _error_doc("No api_key (and no public mode)"),
        403: _error_doc("Invalid api_key"),
        429: _error_doc("Too many submissions from this client or key; see Retry-After"),
    }


def _admit(request: Request, state: AppState, uow: UnitOfWork, api_key: str | None) -> None:
    """Refuse a submission without a valid key (401, 403; public mode: a key may be
    left out) or beyond the limits (429): the client address is counted first, so
    guessing keys is throttled too."""
    limits = state.workspace.config.open311
    if (wait := state.posts_per_client.admit(client_of(request))) is not None:
        raise _throttled(wait, f"{limits.posts_per_minute_per_client} per minute from one client")
    if api_key is None:
        if limits.public_post:
            return
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "api_key is required to submit a service request; the city issues one "
            "to each client application",
        )
    holder = client_key_holder(uow, api_key)
    if holder is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Invalid api_key")
    if (wait := state.posts_per_key.admit(holder)) is not None:
        raise _throttled(wait, f"{limits.posts_per_minute_per_key} per minute with one api_key")


def _throttled(wait: int, limit: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many service requests submitted ({limit}); retry in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def _zone(state: AppState) -> ZoneInfo:
    return ZoneInfo(state.workspace.config.timezone)


def _city(uow: UnitOfWork, jurisdiction_id: str | None) -> str:
    city = jurisdiction_of(uow, jurisdiction_id)
    if city is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"jurisdiction_id {jurisdiction_id!r} not found; it is the code of a city "
            "in the region register",
        )
    return city


@router.get(
    "/services.{format}",
    operation_id="list_open311_services",
    response_class=Response,
    responses=_doc(list[ServicePublic]),
)
def list_services(
    state: StateDep,
    uow: UnitOfWorkDep,
    fmt: FormatPath,
    jurisdiction_id: JurisdictionQuery = None,
) -> Response:
    """The service request types the city offers today (GET Service List)."""
    city = _city(uow, jurisdiction_id)
    today = datetime.now(_zone(state)).date()
    services = offered_services(uow, state.region_tree(), city, today)
    return render_list(fmt, "services", "service", [ServicePublic.of(s) for s in services])


@router.get(
    "/services/{service_code}.{format}",
    operation_id="get_open311_service_definition",
    response_class=Response,
    responses=_doc(ServiceDefinitionPublic),
)
def get_service_definition(
    state: StateDep,
    uow: UnitOfWorkDep,
    service_code: IdText,
    fmt: FormatPath,
    jurisdiction_id: JurisdictionQuery = None,
) -> Response:
    """A service's attributes (GET Service Definition): none, for every service here."""
    city = _city(uow, jurisdiction_id)
    today = datetime.now(_zone(state)).date()
    service = offered_service(uow, state.region_tree(), city, service_code, today)
    if service is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"service_code {service_code!r} not found in {city}"
        )
    definition = ServiceDefinitionPublic(service_code=service.service_code, attributes=[])
    return render_object(fmt, "service_definition", definition)


@router.post(
    "/requests.{format}",
    operation_id="create_open311_request",
    response_class=Response,
    status_code=status.HTTP_201_CREATED,
    responses=_submission_doc(),
)
def create_request(
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    fmt: FormatPath,
    form: Annotated[ServiceRequestCreate, Form()],
) -> Response:
    """Submit a service request (POST Service Request), form-encoded, with the
    ``api_key`` of the client application (unless the city runs the public mode); the
    id (and a token) come back at once.  Contacts are stored encrypted and never shown
    by Open311."""
    _admit(request, state, uow, form.api_key)
    city = _city(uow, form.jurisdiction_id)
    today = datetime.now(_zone(state)).date()
    tree = state.region_tree()
    service = offered_service(uow, tree, city, form.service_code, today)
    if service is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"service_code {form.service_code!r} not found in {city}"
        )
    deadline = state.workspace.config.tickets.deadline  # the city's, from cityops.toml
    ticket = submit_request(uow, tree, city, service, form, due_in=deadline)
    audit(uow, request, None, "open311:create_request", f"tickets/{ticket.ticket_id}", "ok")
    created = RequestCreatedPublic(
        service_request_id=ticket.ticket_id,
        token=ticket.token,
        service_notice=service_notice(ticket.department, ticket.expected_at, _zone(state)),
        account_id=None,
    )
    return render_list(fmt, "service_requests", "request", [created], status.HTTP_201_CREATED)


@router.get(
    "/tokens/{token}.{format}",
    operation_id="get_open311_token",
    response_class=Response,
    responses=_doc(list[RequestTokenPublic]),
)
def get_token(
    uow: UnitOfWorkDep, token: IdText, fmt: FormatPath, jurisdiction_id: JurisdictionQuery = None
) -> Response:
    """The service request id behind a token (GET service_request_id from a token)."""
    city = _city(uow, jurisdiction_id)
    request_id = request_id_for_token(uow, city, token)
    if request_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"token {token!r} not found")
    answer = RequestTokenPublic(service_request_id=request_id, token=token)
    return render_list(fmt, "service_requests", "request", [answer])


@router.get(
    "/requests.{format}",
    operation_id="list_open311_requests",
    response_class=Response,
    responses=_doc(list[ServiceRequestPublic]),
)
def list_requests(
    state: StateDep,
    uow: UnitOfWorkDep,
    fmt: FormatPath,
    jurisdiction_id: JurisdictionQuery = None,
    service_request_id: ListQuery = None,
    service_code: ListQuery = None,
    start_date: DateQuery = None,
    end_date: DateQuery = None,
    status_: Annotated[
        list[PlainText] | None, Query(alias="status", description="open, closed; comma delimited")
    ] = None,
) -> Response:
    """Requests of the city, newest first (GET Service Requests): by default those of
    the last 90 days, at most 1000; ``service_request_id`` overrides every other filter."""
    city = _city(uow, jurisdiction_id)
    criteria = criteria_from_query(
        service_request_id=service_request_id or (),
        service_code=service_code or (),
        status=status_ or (),
        start_date=start_date,
        end_date=end_date,
        now=datetime.now(UTC),
        zone=_zone(state),
    )
    zone = _zone(state)
    found = [ServiceRequestPublic.of(r, zone) for r in find_requests(uow, city, criteria)]
    return render_list(fmt, "service_requests", "request", found)


@router.get(
    "/requests/{service_request_id}.{format}",
    operation_id="get_open311_request",
    response_class=Response,
    responses=_doc(list[ServiceRequestPublic]),
)
def get_request(
    state: StateDep,
    uow: UnitOfWorkDep,
    service_request_id: IdText,
    fmt: FormatPath,
    jurisdiction_id: JurisdictionQuery = None,
) -> Response:
    """One request (GET Service Request), as a list of one, like the spec."""
    city = _city(uow, jurisdiction_id)
    criteria = RequestCriteria(ids=(service_request_id,))
    zone = _zone(state)
    found = [ServiceRequestPublic.of(r, zone) for r in find_requests(uow, city, criteria)]
    if not found:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"service_request_id {service_request_id!r} not found"
        )
    return render_list(fmt, "service_requests", "request", found)
