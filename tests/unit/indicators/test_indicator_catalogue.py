"""The catalogue file: every contract code, checked in two stages."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from city_catalogue import EXAMPLE_CATALOGUE

from cityops.errors import ConfigError
from cityops.evaluation.framework import load_framework
from cityops.indicators.catalogue import ScaledGoalpost, load_catalogue
from cityops.indicators.computations import COMPUTATIONS
from cityops.indicators.engine import computable_codes

CONTRACT_CODES = {  # INDICATORS.md, version 1
    "infra.camera_intact_rate",
    "infra.camera_sharing_rate",
    "infra.network_latency_p95_ms",
    "infra.cloud_fulfilment_rate",
    "data.resource_count",
    "data.quality_pass_rate",
    "data.sharing_rate",
    "data.open_rate",
    "systems.function_completeness",
    "systems.interface_standard_rate",
    "portal.service_count",
    "portal.service_categories",
    "security.leak_incidents",
    "mechanism.coordination",
    "mechanism.benefit_sharing",
    "mechanism.supervision",
    "mechanism.incentives",
    "mechanism.operation_plan",
    "capability.portal_service_coverage",
    "capability.online_availability",
    "capability.packet_loss_pct",
    "capability.service_success_rate",
    "capability.response_30min_rate",
    "capability.on_time_closure_rate",
    "capability.night_response_rate",
    "capability.team_staffing_rate",
    "effect.cloud_utilisation",
    "effect.data_usage_rate",
    "effect.resident_coverage",
    "effect.dau_mau",
    "effect.mau_rate",
    "effect.rating_good_rate",
    "effect.hotline_satisfaction",
    "effect.public_satisfaction",
    "effect.government_satisfaction",
}

_ENTRY = """
[[indicator]]
code = "{code}"
name_zh = "测试"
name_en = "Test"
direction = "{direction}"
content = "{content}"
formula = "f"
unit = "ratio"
polarity = "{polarity}"
sources = ["{source}"]
goalposts = {{ lo = {lo}, hi = {hi} }}
"""


def _catalogue_text(*entries: dict[str, object]) -> str:
    """The default catalogue's header followed by the given test entries."""
    shipped = resources.files("cityops.indicators").joinpath("catalogue.toml")
    directions = shipped.read_text("utf-8").split("# ---- 运营内容")[0]
    defaults = {
        "code": "infra.test",
        "direction": "content",
        "content": "基础设施",
        "polarity": "higher",
        "source": "devices",
        "lo": 0,
        "hi": 1,
    }
    return directions + "".join(_ENTRY.format(**(defaults | e)) for e in entries)


def test_the_default_catalogue_lists_every_contract_code_once() -> None:
    catalogue = load_catalogue()
    assert set(catalogue.codes) == CONTRACT_CODES
    assert len(catalogue.codes) == len(CONTRACT_CODES)


def test_every_registered_computation_belongs_to_a_catalogue_code() -> None:
    assert set(COMPUTATIONS) <= set(load_catalogue().codes)


def test_every_direction_has_at_least_two_computable_indicators() -> None:
    catalogue = load_catalogue()
    assert catalogue.directions == tuple(d.code for d in load_framework().directions)
    for direction in catalogue.directions:
        in_direction = [m for m in catalogue.indicators if m.direction == direction]
        computable = [m for m in in_direction if m.code in COMPUTATIONS]
        assert len(computable) >= 2, direction


def test_the_example_city_catalogue_is_the_shipped_one_plus_its_own_indicator() -> None:
    shipped, example = load_catalogue(), load_catalogue(EXAMPLE_CATALOGUE)
    assert example.directions == shipped.directions
    assert example.indicators[: len(shipped.indicators)] == shipped.indicators
    assert example.codes[len(shipped.codes) :] == ("data.sharing_call_success_rate",)
    assert computable_codes(example) == example.codes


def test_the_portal_goalpost_scales_with_population_up_to_its_cap() -> None:
    goalposts = load_catalogue().get("portal.service_count").goalposts
    # 300 per million: 0.6 M residents → 180; 10 M → min(1,500, 3,000) = 1,500
    assert goalposts.resolve(600_000) == (0.0, 180.0)
    assert goalposts.resolve(10_000_000) == (0.0, 1500.0)
    assert ScaledGoalpost(per_million_residents=2000).resolve(500_000) == 1000.0


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{}, {}], "'infra.test' is defined twice"),
        ([{"source": "tweets"}], "'infra.test': sources ['tweets'] are not contract tables"),
        ([{"polarity": "lower"}], "'infra.test': goalposts lo=0.0 → hi=1.0 contradict"),
        ([{"direction": "运营内容"}], "indicator 'infra.test', field direction"),
        ([{"code": "mechanism.test"}], "'mechanism.test': a mechanism indicator needs evidence"),
    ],
)
def test_a_wrong_entry_is_a_config_error_naming_file_and_code(
    tmp_path: Path, entries: list[dict[str, object]], message: str
) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(_catalogue_text(*entries), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_catalogue(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
