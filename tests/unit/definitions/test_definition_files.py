"""Every kind of definition file, broken in one place, is refused naming the file and
the line: the shape checks of the first stage and the cross-checks of the second.

Each case edits one line of a real file (shipped, or in ``examples/``); the line
expected is where the edit was made (or, for a check over several entries, the
line of their list), counted here in the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from cityops.advisor.profile import load_profile
from cityops.advisor.rules import load_rules as load_advisor_rules
from cityops.compliance.rules import load_rules as load_compliance_rules
from cityops.errors import DefinitionError
from cityops.evaluation.framework import load_framework
from cityops.indicators.catalogue import load_catalogue
from cityops.settlement.files import load_register_file
from cityops.workspace.config import read_config

EXAMPLES = Path(__file__).parents[3] / "examples"
CITYOPS_TOML = (
    'name = "示范县"\nlake_path = "lake"\n\n[tickets]\ndeadline_h = 120.0\n\n'
    "[hotline]\nnight_start = 22\nnight_end = 6\n"
)
CONTRACTS_CSV = (
    "id,name,project,region,operator,model,investor_mode,return_mechanisms,start,end,"
    "total_amount\n"
    "P1,停车,停车,970100,OP1,PPP,联合投资企业运营,使用者付费,2025-01-01,2036-12-31,9000\n"
    "P2,照明,照明,970100,OP1,PPP,联合投资企业运营,使用者付费,2025-01-01,2036-12-31,9000\n"
)


def _shipped(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text("utf-8")


def _example(*parts: str) -> str:
    return EXAMPLES.joinpath(*parts).read_text("utf-8")


@dataclass(frozen=True)
class Case:
    load: Callable[[Path], object]
    file_name: str
    text: Callable[[], str]
    old: str
    new: str
    message: str
    line_of: str | None = None
    """The text of the line expected, when it is not the edited one."""


CASES = {
    "a catalogue entry's unknown unit": Case(
        load_catalogue,
        "catalogue.toml",
        lambda: _shipped("cityops.indicators", "catalogue.toml"),
        'unit = "ratio"',
        'unit = "fraction"',
        "indicator 'infra.camera_intact_rate', field unit: Input should be",
    ),
    "a catalogue code defined twice": Case(
        load_catalogue,
        "catalogue.toml",
        lambda: _shipped("cityops.indicators", "catalogue.toml"),
        'code = "infra.camera_sharing_rate"',
        'code = "infra.camera_intact_rate"',
        "indicator 'infra.camera_intact_rate' is defined twice",
    ),
    "a catalogue source that is no contract table": Case(
        load_catalogue,
        "catalogue.toml",
        lambda: _shipped("cityops.indicators", "catalogue.toml"),
        'sources = ["devices"',
        'sources = ["tweets"',
        "sources ['tweets'] are not contract tables",
    ),
    "a framework threshold out of range": Case(
        load_framework,
        "framework.yaml",
        lambda: _shipped("cityops.evaluation", "framework.yaml"),
        "coverage_threshold: 0.5",
        "coverage_threshold: 2",
        "coverage_threshold: Input should be less than or equal to 1",
    ),
    "a framework indicator not in the catalogue": Case(
        load_framework,
        "framework.yaml",
        lambda: _shipped("cityops.evaluation", "framework.yaml"),
        "          - code: data.open_rate",
        "          - code: effect.happiness",
        "indicators not in the catalogue: ['effect.happiness']",
    ),
    "a contract of an unknown model": Case(
        load_register_file,
        "contracts.yaml",
        lambda: _example("contracts", "demo-purchase-of-service.yaml"),
        "model: 政府购买服务",
        "model: BT",
        "contracts 'DEMO-970100-2025-PORTAL', field model: Input should be",
    ),
    "a contract whose KPI weights miss 100": Case(
        load_register_file,
        "contracts.yaml",
        lambda: _example("contracts", "demo-purchase-of-service.yaml"),
        "weight: 30",
        "weight: 20",
        "contract DEMO-970100-2025-PORTAL: KPI weights sum to 90, not 100",
        line_of="    kpis:",
    ),
    "a linear clause whose target is below its floor": Case(
        load_register_file,
        "contracts.yaml",
        lambda: _example("contracts", "demo-purchase-of-service.yaml"),
        "floor: 0.30",
        "floor: 0.70",
        "kpi K1: target 0.6 must be above floor 0.7 for a higher-is-better indicator",
        line_of="        target: 0.60",
    ),
    "a contract row of a CSV with an unknown model": Case(
        load_register_file,
        "contracts.csv",
        lambda: CONTRACTS_CSV,
        "P2,照明,照明,970100,OP1,PPP",
        "P2,照明,照明,970100,OP1,BT",
        "contracts 'P2', field model: Input should be",
    ),
    "a compliance rule naming an unknown check": Case(
        load_compliance_rules,
        "rules.yaml",
        lambda: _shipped("cityops.compliance", "rules.yaml"),
        "check: ppp_minimum_term",
        "check: vibes",
        "rules 'ppp_minimum_term', field check: Input should be",
    ),
    "an advisor rule testing a field profiles lack": Case(
        load_advisor_rules,
        "rules.yaml",
        lambda: _shipped("cityops.advisor", "rules.yaml"),
        "when: {time_critical: true}",
        "when: {time_pressure: true}",
        "rule 3: 'time_pressure' is not a profile field a rule can test",
    ),
    "a project profile with a misspelt field": Case(
        load_profile,
        "profile.yaml",
        lambda: _example("advisor", "xiangtan.yaml"),
        "fiscal_room: unknown",
        "fiscal_rooms: unknown",
        "fiscal_rooms: Extra inputs are not permitted",
    ),
    "a workspace whose ticket deadline is not positive": Case(
        lambda path: read_config(path.parent),
        "cityops.toml",
        lambda: CITYOPS_TOML,
        "deadline_h = 120.0",
        "deadline_h = -1",
        "tickets.deadline_h: Input should be greater than 0",
    ),
    "a workspace whose night ends when it starts": Case(
        lambda path: read_config(path.parent),
        "cityops.toml",
        lambda: CITYOPS_TOML,
        "night_end = 6",
        "night_end = 22",
        "hotline.night_end: Value error, the night would start and end at 22:00",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_broken_definition_file_is_refused_naming_its_file_and_line(
    tmp_path: Path, case: Case
) -> None:
    text = case.text()
    assert case.old in text, "the case edits a line the file has"
    edited = text.replace(case.old, case.new, 1)
    at = edited.index(case.line_of) if case.line_of else text.index(case.old)
    line = edited[:at].count("\n") + 1
    path = tmp_path / case.file_name
    path.write_text(edited, encoding="utf-8")

    with pytest.raises(DefinitionError) as raised:
        case.load(path)

    assert raised.value.source == str(path)
    assert str(raised.value).startswith(f"{path}:")
    named = [at_line for at_line, what in raised.value.problems if case.message in what]
    assert named == [line], str(raised.value)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_unbroken_file_loads(tmp_path: Path, case: Case) -> None:
    path = tmp_path / case.file_name
    path.write_text(case.text(), encoding="utf-8")
    case.load(path)
