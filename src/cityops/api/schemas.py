"""Shapes of the API's answers shared by several routers (``XPublic`` models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from cityops.services.accounts import PrincipalPublic

__all__ = ["PrincipalPublic", "TokenPublic"]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: PrincipalPublic
