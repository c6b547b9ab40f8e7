"""Region scope (数据范围): a user sees the region they are bound to and what lies below.

A supervisor of a city sees its districts and streets, not the sibling city;
an administrator bound to no region sees everything.  Objects outside the
scope are answered as if they did not exist (404), so a caller cannot learn
which identifiers another tenant holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Principal", "RegionTree"]

from cityops.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    username: str
    role: Role
    region_code: str | None
    operator_id: str | None = None
    department: str | None = None
    can_view_personal: bool = False


@dataclass(frozen=True, slots=True)
class RegionTree:
    """Parent links of the region register, for scope checks without a query per object."""

    parents: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str | None]]) -> RegionTree:
        return cls(dict(pairs))

    def ancestors(self, code: str) -> list[str]:
        """``code`` and every region above it, nearest first (stops on a cycle)."""
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return chain

    def within(self, root: str | None, code: str | None) -> bool:
        """Whether region ``code`` lies in the subtree of ``root`` (None: everywhere)."""
        if root is None:
            return True
        if code is None:
            return False
        return root in self.ancestors(code)

    def descendants(self, root: str | None) -> set[str]:
        """Every known region in the subtree of ``root`` (all regions for None)."""
        if root is None:
            return set(self.parents)
        return {code for code in self.parents if root in self.ancestors(code)}

    def visible_to(self, principal: Principal, code: str | None) -> bool:
        """Whether ``principal`` may see an object of region ``code``."""
        return self.within(principal.region_code, code)
