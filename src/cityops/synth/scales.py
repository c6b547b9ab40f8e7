"""The sizes of a synthetic city (DESIGN.md, "Scale we design for").

A scale fixes how many residents, districts and streets the city has and how
much activity a month carries; everything else (services, data resources,
systems …) is derived from the population so the cities stay plausible as
they grow.  ``tiny`` is not in the design table: it exists only so that tests
run in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityops.errors import ConfigError

__all__ = ["SCALES", "Scale", "scale_named"]


@dataclass(frozen=True, slots=True)
class Scale:
    """How big the synthetic city is (per month where it says so)."""

    name: str
    residents: int
    districts: int
    streets_per_district: int
    portal_events_per_month: int
    devices: int
    tickets_per_month: int
    services: int
    cloud_resources: int
    systems: int
    staff: int
    links_per_street: int = 1

    @property
    def data_resources(self) -> int:
        """About 1,500 catalogue entries per million residents (goalpost is 2,000)."""
        return max(60, self.residents * 3 // 2000)


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("tiny", 30_000, 3, 3, 120_000, 60, 1_000, 120, 12, 12, 30),
        Scale("county", 600_000, 5, 8, 10_000_000, 2_000, 20_000, 400, 60, 40, 120),
        Scale("city", 5_000_000, 10, 12, 120_000_000, 20_000, 200_000, 1_800, 300, 200, 600),
        Scale(
            "megacity",
            25_000_000,
            16,
            14,
            600_000_000,
            100_000,
            1_500_000,
            3_000,
            1_500,
            800,
            2_400,
        ),
    )
}


def scale_named(name: str) -> Scale:
    """The scale called ``name``, or a ``ConfigError`` listing the known ones."""
    try:
        return SCALES[name]
    except KeyError:
        known = ", ".join(SCALES)
        raise ConfigError(f"unknown scale {name!r}; choose one of: {known}") from None
