"""The advisor on the report's case studies, from profiles that hold only the facts
the report states (examples/advisor/): no gate rules out what a case did, no answer
rests on an assumed value, and docs/advisor.md tabulates every answer with the hit
rate."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

import pytest

from cityops.advisor.advise import Advice, advise
from cityops.advisor.profile import CONDITION_FIELDS, UNKNOWN, ProjectProfile, load_profile
from cityops.advisor.rules import load_rules
from cityops.errors import ConfigError
from cityops.settlement.model import PppSubMode, ReturnMechanism, TypicalModel

CASES = Path(__file__).parents[3] / "examples" / "advisor"
DOCS = Path(__file__).parents[3] / "docs" / "advisor.md"
BEGIN, END = "<!-- cases:begin -->", "<!-- cases:end -->"
RULES = load_rules()

# the model each case used, from the report's section 四 (典型案例)
ACTUAL = {
    "wode-yongzhou": TypicalModel.PURCHASE_OF_SERVICES,
    "zhongguancun-gov-cloud": TypicalModel.PURCHASE_OF_SERVICES,
    "haikou-yecheng-citizen-cloud": TypicalModel.PURCHASE_OF_SERVICES,
    "hefei-high-tech-zone": TypicalModel.PPP,
    "xiangtan": TypicalModel.PPP,
    "huainan-smart-health": TypicalModel.PPP,
    "changsha-county": TypicalModel.EPC,
    "lianjiang": TypicalModel.EPC,
    "changsha-shuzhi": TypicalModel.PLATFORM_COMPANY,
    "digital-guangdong": TypicalModel.PLATFORM_COMPANY,
    "shanghai-suishenban": TypicalModel.JOINT_COMPANY,
    "chengdu-tianfu": TypicalModel.JOINT_COMPANY,
    "wode-changsha": TypicalModel.JOINT_COMPANY,
    "zande-zhumadian": TypicalModel.JOINT_COMPANY,
}


def test_every_case_study_has_a_profile() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} == set(ACTUAL)


def _advice(case: str) -> Advice:
    return advise(load_profile(CASES / f"{case}.yaml"), RULES)


@pytest.mark.parametrize(("case", "model"), sorted(ACTUAL.items()))
def test_no_gate_rules_out_what_a_case_actually_did(case: str, model: TypicalModel) -> None:
    """The gates are necessary conditions: the report's own cases must pass them, and
    the model each case used is among the answers the advice gives."""
    advice = _advice(case)
    score = next(s for s in advice.ranking if s.model is model)
    assert not score.ruled_out, [g.reason for g in score.ruled_out_by]
    assert model in advice.possible_models


@pytest.mark.parametrize("case", sorted(ACTUAL))
def test_no_case_reaches_its_answer_through_an_assumed_value(case: str) -> None:
    profile = load_profile(CASES / f"{case}.yaml")
    without = profile.model_copy(update=dict.fromkeys(profile.assumed, UNKNOWN))
    assert advise(without, RULES).recommended is advise(profile, RULES).recommended


def _facts(profile: ProjectProfile) -> str:
    known = [
        f"{name}={_value(getattr(profile, name))}"
        for name in CONDITION_FIELDS
        if getattr(profile, name) not in (UNKNOWN, None)
    ]
    return ", ".join(known)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return value.value if isinstance(value, Enum) else str(value)


def case_table() -> str:
    """The docs' table of every case: the facts the report states, the answer, what
    would change it, and the model the case actually used; then the hit rate."""
    rows = [
        "| case | stated facts | answer (model · investor mode · operation type) "
        "| unknown facts that would change the model | actual | hit |",
        "|---|---|---|---|---|---|",
    ]
    hits = 0
    for case, model in ACTUAL.items():
        profile = load_profile(CASES / f"{case}.yaml")
        advice = advise(profile, RULES)
        outcome = advice.outcome
        answer = " · ".join(
            "—" if part is None else part.value
            for part in (outcome.recommended, outcome.investor_mode, outcome.operation_type)
        )
        changes = "; ".join(
            f"{a.field}={_value(a.value)} → {a.outcome.recommended.value}"
            for a in advice.alternatives
            if a.outcome.recommended is not advice.recommended
        )
        hit = advice.recommended is model
        hits += hit
        rows.append(
            f"| {profile.name} ({profile.source}) | {_facts(profile)} | {answer} "
            f"| {changes or '—'} | {model.value} | {'✓' if hit else '✗'} |"
        )
    rate = f"Hit rate: {hits} of {len(ACTUAL)} ({100 * hits // len(ACTUAL)} %)."
    return "\n".join([*rows, "", rate])


def test_the_docs_table_of_cases_is_the_advice_on_the_shipped_examples() -> None:
    """Regenerate with ``CITYOPS_WRITE_DOCS=1 pytest tests/unit/advisor/test_advisor_cases.py``."""
    expected = "\n" + case_table() + "\n"
    if os.environ.get("CITYOPS_WRITE_DOCS") == "1":
        text = DOCS.read_text("utf-8")
        begin, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOCS.write_text(text[:begin] + expected + text[end:], "utf-8")
    text = DOCS.read_text("utf-8")
    begin, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    assert text[begin:end] == expected, "docs/advisor.md's table of cases is stale"


@pytest.mark.parametrize(
    ("case", "mechanisms"),
    [
        # 表3: 合肥 #1 and 湘潭 #6 使用者付费+可行性缺口补助, 淮南 #5 政府付费
        ("hefei-high-tech-zone", {ReturnMechanism.USER_PAY, ReturnMechanism.VIABILITY_GAP}),
        ("xiangtan", {ReturnMechanism.USER_PAY, ReturnMechanism.VIABILITY_GAP}),
        ("huainan-smart-health", {ReturnMechanism.GOVERNMENT_PAY}),
        # 四（五）: joint companies earn 政府购买服务收入和市场化服务收入
        ("chengdu-tianfu", {ReturnMechanism.PURCHASE_OF_SERVICES, ReturnMechanism.OTHER_INCOME}),
    ],
)
def test_the_return_mechanism_matches_the_case(case: str, mechanisms: set[ReturnMechanism]) -> None:
    assert set(advise(load_profile(CASES / f"{case}.yaml"), RULES).mechanisms) == mechanisms


@pytest.mark.parametrize(
    ("case", "sub_mode"),
    [
        ("hefei-high-tech-zone", PppSubMode.STEWARD),  # 表7 大管家: 合肥市高新区
        ("xiangtan", PppSubMode.INTEGRATED),  # 表7 整体推进: 湖南湘潭市
        ("huainan-smart-health", PppSubMode.BY_DOMAIN),  # 表7 分领域: 安徽省淮南市
    ],
)
def test_the_ppp_cases_get_the_sub_mode_table_7_names(case: str, sub_mode: PppSubMode) -> None:
    advice = advise(load_profile(CASES / f"{case}.yaml"), RULES)
    assert advice.ppp_sub_mode is sub_mode
    assert advice.sub_mode_reason is not None
    assert "表7" in advice.sub_mode_reason.source


def test_a_model_other_than_ppp_gets_no_sub_mode() -> None:
    assert advise(load_profile(CASES / "wode-changsha.yaml"), RULES).ppp_sub_mode is None


def test_a_rule_on_an_unknown_profile_field_fails_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {model: PPP, when: {budget_size: large}, points: 1, reason: r, source: s}\n"
        "mechanisms:\n"
        "  - {models: [PPP], when: {revenue_potential: high}, mechanisms: [使用者付费],"
        " reason: r, source: s}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="budget_size"):
        load_rules(rules)


def test_a_rule_with_a_value_the_field_cannot_take_fails_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {model: PPP, when: {investment_size: huge}, points: 1, reason: r, source: s}\n"
        "mechanisms:\n"
        "  - {models: [PPP], when: {revenue_potential: high}, mechanisms: [使用者付费],"
        " reason: r, source: s}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="'huge' is not a value of investment_size"):
        load_rules(rules)


def test_a_profile_with_a_misspelt_field_names_it(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    text = (CASES / "xiangtan.yaml").read_text("utf-8").replace("fiscal_room", "fiscal_rooms")
    profile.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="fiscal_rooms"):
        load_profile(profile)


def test_an_assumed_field_must_be_a_condition_of_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    text = (CASES / "xiangtan.yaml").read_text("utf-8") + "assumed: [colour]\n"
    profile.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_profile(profile)
