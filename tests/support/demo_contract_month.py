"""A workspace holding one month of facts for the demo contract's KPI clauses, the
starting point of the settlement tests from the command line.

The values are chosen so the statement can be worked by hand (see
``test_settlement_cli``): 2025-03, region 970100.
"""

from __future__ import annotations

from pathlib import Path

from cityops.domain.period import Period
from cityops.indicators.facts import IndicatorFact, write_facts
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

__all__ = ["DEMO_CONTRACT", "DEMO_CONTRACT_ID", "MONTH", "VALUES", "workspace_with_facts"]

DEMO_CONTRACT = (
    Path(__file__).parents[2] / "examples" / "contracts" / "demo-purchase-of-service.yaml"
)
DEMO_CONTRACT_ID = "DEMO-970100-2025-PORTAL"
MONTH = Period(2025, 3)
VALUES = {
    "effect.resident_coverage": 0.45,
    "capability.online_availability": 0.999,
    "capability.response_30min_rate": 0.90,
    "effect.rating_good_rate": 0.92,
    "security.leak_incidents": 0.0,
}


def workspace_with_facts(root: Path) -> Workspace:
    """A new workspace at ``root`` whose facts of ``MONTH`` hold ``VALUES`` for 970100."""
    workspace = create_workspace(root, name="示范市")
    facts = [
        IndicatorFact(
            IndicatorCode(code),
            RegionCode("970100"),
            MONTH,
            value,
            value,
            1.0,
            1,
            "duckdb",
            f"h-{code}",
        )
        for code, value in VALUES.items()
    ]
    write_facts(workspace.facts_path(MONTH), facts)
    return workspace
