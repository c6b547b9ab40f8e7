"""The Open311 GeoReport v2 shapes: the form a request arrives in and the public
answers, field for field as the spec names them (their order is the XML's).

The public answers hold the spec's public fields only; the contacts a citizen
leaves are not among them and never leave the register through Open311.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from cityops.api.open311.render import clean_text
from cityops.services.open311 import OfferedService, PublicRequest

__all__ = [
    "DESCRIPTION_MAX",
    "ErrorPublic",
    "PlainText",
    "RequestCreatedPublic",
    "RequestTokenPublic",
    "ServiceAttributePublic",
    "ServiceDefinitionPublic",
    "ServicePublic",
    "ServiceRequestCreate",
    "ServiceRequestPublic",
    "service_notice",
]

DESCRIPTION_MAX = 4000
"""The spec's limit on a description, in characters."""

PlainText = Annotated[str, AfterValidator(clean_text)]
"""Text XML can carry: every value a caller sends, in a form, a query or a path, is
checked, because a control character either cannot be answered in XML or (NUL)
cannot even be looked up in PostgreSQL."""


class ServiceRequestCreate(BaseModel):
    """``POST requests.{format}``, form-encoded.  An empty field counts as absent
    (the spec's "optional arguments"); ``attribute[code]`` fields are accepted and
    ignored (no service here defines attributes), as are ``device_id`` and
    ``account_id`` (not stored: personal data we do not need).  ``api_key`` names
    the client application (required unless the city runs the public mode).
    ``region_code`` is an extension: the region the request is about, within the
    service's region (default: the service's region)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service_code: str = Field(min_length=1, max_length=100)
    jurisdiction_id: str | None = Field(default=None, max_length=20)
    region_code: str | None = Field(default=None, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    address_string: str | None = Field(default=None, max_length=1000)
    address_id: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    device_id: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    media_url: str | None = Field(default=None, max_length=2000)
    api_key: str | None = Field(default=None, max_length=200)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("*")
    @classmethod
    def _xml_safe(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("media_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise ValueError("must be an http:// or https:// address")
        return value

    @model_validator(mode="after")
    def _located(self) -> ServiceRequestCreate:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long must be given together")
        if self.lat is None and self.address_string is None and self.address_id is None:
            raise ValueError("a location is required: lat and long, address_string or address_id")
        return self


class ServicePublic(BaseModel):
    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str
    keywords: str | None
    group: str

    @classmethod
    def of(cls, service: OfferedService) -> ServicePublic:
        """Service list entry: ``group`` is the category; every service is ``realtime``
        (the id comes back at once) and has no attributes (``metadata`` false)."""
        return cls(
            service_code=service.service_code,
            service_name=service.name,
            description=f"{service.category} · {service.department}",
            metadata=False,
            type="realtime",
            keywords=f"{service.category}, {service.department}",
            group=service.category,
        )


class ServiceAttributePublic(BaseModel):
    """One attribute of a service definition (none of our services has any)."""

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str


class ServiceDefinitionPublic(BaseModel):
    service_code: str
    attributes: list[ServiceAttributePublic]


class RequestCreatedPublic(BaseModel):
    """The answer to a submission.  The id comes at once (services are ``realtime``);
    the token comes too, so that a client written for ``batch`` services finds what it
    looks for and ``tokens/{token}`` is of use to someone."""

    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None


class RequestTokenPublic(BaseModel):
    service_request_id: str
    token: str


class ServiceRequestPublic(BaseModel):
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None

    @classmethod
    def of(cls, request: PublicRequest, zone: ZoneInfo) -> ServiceRequestPublic:
        """The request's public fields, its times as local time with their offset."""
        expected = request.expected_at
        return cls(
            service_request_id=request.service_request_id,
            status=request.status,
            status_notes=request.status_notes,
            service_name=request.service_name,
            service_code=request.service_code,
            description=request.description,
            agency_responsible=request.department,
            service_notice=service_notice(request.department, expected, zone),
            requested_datetime=_w3c(request.requested_at, zone),
            updated_datetime=_w3c(request.updated_at, zone),
            expected_datetime=None if expected is None else _w3c(expected, zone),
            address=request.address,
            address_id=None,
            zipcode=None,
            lat=request.lat,
            long=request.lon,
            media_url=request.media_url,
        )


class ErrorPublic(BaseModel):
    code: int
    description: str


def service_notice(department: str, expected_at: datetime | None, zone: ZoneInfo) -> str:
    """What happens next, in Chinese and English."""
    if expected_at is None:
        return f"由{department}办理 / handled by {department}"
    due = expected_at.astimezone(zone)
    return (
        f"由{department}办理，预计{due:%Y-%m-%d %H:%M}前办结 / "
        f"handled by {department}, expected by {due.isoformat(timespec='minutes')}"
    )


def _w3c(instant: datetime, zone: ZoneInfo) -> str:
    """``2025-01-01T08:00:00+08:00``: local time with its offset, as the spec asks."""
    return instant.astimezone(zone).isoformat(timespec="seconds")
