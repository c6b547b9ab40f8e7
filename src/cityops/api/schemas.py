"""Shapes of the API's answers shared by several routers (``XPublic`` models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from cityops.access.scope import Principal

__all__ = ["PrincipalPublic", "RegionPublic", "TokenPublic"]


class PrincipalPublic(BaseModel):
    username: str
    role: str
    region_code: str | None
    operator_id: str | None
    department: str | None
    can_view_personal: bool

    @classmethod
    def of(cls, principal: Principal) -> PrincipalPublic:
        return cls(
            username=principal.username,
            role=principal.role.value,
            region_code=principal.region_code,
            operator_id=principal.operator_id,
            department=principal.department,
            can_view_personal=principal.can_view_personal,
        )


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: PrincipalPublic


class RegionPublic(BaseModel):
    region_code: str
    name: str
    level: str
    parent_code: str | None
    resident_population: int
