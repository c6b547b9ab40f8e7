"""compute_indicators as a whole, and facts on disk."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from city_catalogue import sql_indicator, write_city_catalogue

from cityops.domain.period import Period
from cityops.errors import ConfigError, PipelineError
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.computations import COMPUTATIONS
from cityops.indicators.engine import computable_codes, compute_indicators
from cityops.indicators.facts import IndicatorFact, facts_hash, read_facts, write_facts
from cityops.types import IndicatorCode

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, PERIOD, STREET_A1, FakeLake


def test_every_computable_indicator_yields_a_fact_for_every_region() -> None:
    lake = FakeLake()
    facts = compute_indicators(lake.con, PERIOD)
    codes = computable_codes(load_catalogue())
    assert {(f.indicator, f.region_code) for f in facts} == {
        (code, region) for code in codes for region in (CITY, DISTRICT_A, STREET_A1, DISTRICT_B)
    }
    assert {f.engine for f in facts} == {"duckdb"}
    assert {f.period for f in facts} == {Period(2025, 3)}


def test_definition_hashes_differ_between_indicators_and_repeat_between_runs() -> None:
    lake = FakeLake()
    first = compute_indicators(lake.con, PERIOD, ["data.sharing_rate", "data.open_rate"])
    second = compute_indicators(lake.con, PERIOD, ["data.sharing_rate", "data.open_rate"])
    hashes: dict[str, str] = {f.indicator: f.definition_hash for f in first}
    assert hashes["data.sharing_rate"] != hashes["data.open_rate"]
    assert [f.definition_hash for f in first] == [f.definition_hash for f in second]


def test_an_unknown_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no indicator 'effect\.happiness'"):
        compute_indicators(FakeLake().con, PERIOD, ["effect.happiness"])


def test_every_indicator_of_the_shipped_catalogue_is_computed() -> None:
    catalogue = load_catalogue()
    assert computable_codes(catalogue) == catalogue.codes


MAU = IndicatorCode("effect.mau_rate")
CITY_OWN_INDICATOR = """
[[indicator]]
code = "city.bike_docks"
name_zh = "共享单车停放点"
name_en = "Bike docks"
direction = "content"
content = "基础设施"
formula = "docks in R"
unit = "count"
polarity = "higher"
sources = ["devices"]
goalposts = { lo = 0, hi = 100 }
"""


def test_a_catalogue_code_without_computation_is_a_pipeline_error(tmp_path: Path) -> None:
    shipped = files("cityops.indicators").joinpath("catalogue.toml").read_text("utf-8")
    own = tmp_path / "catalogue.toml"
    own.write_text(shipped + CITY_OWN_INDICATOR, encoding="utf-8")
    catalogue = load_catalogue(own)
    with pytest.raises(PipelineError, match=r"'city\.bike_docks' .* not computed yet"):
        compute_indicators(FakeLake().con, PERIOD, ["city.bike_docks"], catalogue=catalogue)


def _staff(staff_id: str, region: str, required: bool, certified: bool) -> dict[str, object]:
    return {
        "staff_id": staff_id,
        "operator": "运营公司",
        "region_code": region,
        "role": "运维",
        "required": required,
        "certified": certified,
    }


UNCERTIFIED = sql_indicator(
    "city.uncertified_staff",
    "staff",
    "count(*) FILTER (WHERE NOT certified)",
    where="required",
)
"""A city's own count: staff in posts that require a certificate who have none."""


def test_a_city_adds_an_indicator_by_editing_its_catalogue_file_alone(tmp_path: Path) -> None:
    catalogue = load_catalogue(write_city_catalogue(tmp_path / "catalogue.toml", UNCERTIFIED))
    assert "city.uncertified_staff" not in COMPUTATIONS  # no Python registers it
    assert computable_codes(catalogue) == (*load_catalogue().codes, "city.uncertified_staff")
    lake = FakeLake()
    lake.add(
        "staff",
        [
            _staff("s1", STREET_A1, required=True, certified=False),
            _staff("s2", DISTRICT_A, required=True, certified=True),
            _staff("s3", DISTRICT_B, required=True, certified=False),
            _staff("s4", DISTRICT_B, required=False, certified=False),  # no certificate needed
        ],
    )
    facts = compute_indicators(lake.con, PERIOD, catalogue=catalogue)  # every computable code
    own = {f.region_code: f for f in facts if f.indicator == "city.uncertified_staff"}
    # street: s1; district A: s1 (s2 is certified); B: s3; the city: s1 and s3
    assert {region: f.value for region, f in own.items()} == {
        STREET_A1: 1,
        DISTRICT_A: 1,
        DISTRICT_B: 1,
        CITY: 2,
    }
    assert {region: f.rows_read for region, f in own.items()} == {
        STREET_A1: 1,
        DISTRICT_A: 2,
        DISTRICT_B: 1,
        CITY: 3,
    }
    assert {(f.denominator, f.engine, f.period) for f in own.values()} == {
        (None, "duckdb", Period(2025, 3))
    }


def test_a_city_indicator_leaves_the_built_in_facts_as_they_were(tmp_path: Path) -> None:
    lake = FakeLake()
    lake.add("staff", [_staff("s1", STREET_A1, required=True, certified=True)])
    shipped = compute_indicators(lake.con, PERIOD)
    own = load_catalogue(write_city_catalogue(tmp_path / "catalogue.toml", UNCERTIFIED))
    with_own = compute_indicators(lake.con, PERIOD, catalogue=own)
    assert [f for f in with_own if f.indicator != "city.uncertified_staff"] == shipped
    # an entry without a computation hashes as before entries could carry one, so
    # facts computed earlier keep matching their definition
    meta = load_catalogue().get("capability.team_staffing_rate")
    assert "computation" not in json.loads(meta.canonical_json())


def test_the_definition_hash_covers_the_computation_text(tmp_path: Path) -> None:
    def digest(entry: dict[str, Any], name: str) -> str:
        catalogue = load_catalogue(write_city_catalogue(tmp_path / name, entry))
        facts = compute_indicators(FakeLake().con, PERIOD, [entry["code"]], catalogue=catalogue)
        return facts[0].definition_hash

    first = digest(UNCERTIFIED, "first.toml")
    assert digest(UNCERTIFIED, "again.toml") == first
    changed = UNCERTIFIED | {"computation": UNCERTIFIED["computation"] | {"where": "NOT required"}}
    assert digest(changed, "changed.toml") != first


def _facts() -> list[IndicatorFact]:
    return [
        IndicatorFact(MAU, CITY, PERIOD, 0.4, 2.0, 5.0, 5, "duckdb", "h1"),
        IndicatorFact(MAU, DISTRICT_B, PERIOD, None, 0.0, 0.0, 0, "duckdb", "h1"),
        IndicatorFact(
            IndicatorCode("portal.service_count"), CITY, PERIOD, 3.0, 3.0, None, 3, "duckdb", "h2"
        ),
    ]


def test_facts_round_trip_through_parquet_with_missing_values_kept(tmp_path: Path) -> None:
    path = tmp_path / "facts" / "2025-03.parquet"
    write_facts(path, _facts())
    assert read_facts(path) == _facts()
    assert [p.name for p in path.parent.iterdir()] == ["2025-03.parquet"]  # no temp file left


def test_reading_absent_facts_tells_the_user_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="run `cityops indicators` first"):
        read_facts(tmp_path / "2025-03.parquet")


def test_facts_hash_ignores_order_and_engine_but_not_values() -> None:
    facts = _facts()
    same = [facts[1], facts[0], replace(facts[2], engine="spark", rows_read=7)]
    changed = [facts[0], facts[1], replace(facts[2], value=4.0)]
    assert facts_hash(same) == facts_hash(facts)
    assert facts_hash(changed) != facts_hash(facts)
