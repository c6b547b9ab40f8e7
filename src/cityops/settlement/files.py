"""The contract file format (合同登记文件): YAML with operators, contracts and KPI
clauses, and region budgets; JSON Schema in ``docs/schemas/contract.schema.json``.

Parsed in two stages (``cityops.definitions``): pydantic checks the shape and
types (``ContractFile``), then :func:`contract_to_domain` checks what spans
fields (weights sum to 100, payment shares ≤ 1, a linear clause's target
differs from its floor in the direction of its polarity) and builds the frozen
domain objects.  Every error names the file, the line and the place in it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cityops.definitions import DefinitionKind, Parsed, Place
from cityops.errors import ConfigError
from cityops.settlement.model import (
    Adjustment,
    Band,
    Contract,
    Formula,
    InvestorMode,
    KpiClause,
    OperationType,
    Operator,
    OperatorType,
    PppSubMode,
    RegionBudget,
    ReturnMechanism,
    SettlementCycle,
    Shareholder,
    TypicalModel,
)
from cityops.settlement.money import parse_money
from cityops.settlement.tables import csv_to_register_document
from cityops.types import IndicatorCode, Polarity, RegionCode

__all__ = [
    "CONTRACT_FILE",
    "ContractFile",
    "ContractSpec",
    "RegisterBundle",
    "contract_hash",
    "contract_json_schema",
    "contract_to_domain",
    "load_register_file",
    "parse_register_text",
]


def _decimal(value: object) -> object:
    """Floats through their shortest text (0.1 → Decimal('0.1')); strings as written."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _money(value: object) -> object:
    """Yuan, exact to the fen; a ValueError so that pydantic names the field."""
    if value is None:
        return None
    try:
        return parse_money(value, "amount")
    except ConfigError as error:
        raise ValueError(str(error).removeprefix("amount: ")) from error


def _text(value: object) -> object:
    """Region codes and ids written unquoted in YAML arrive as ints; keep them as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Dec = Annotated[Decimal, BeforeValidator(_decimal)]
Share = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0, le=1)]
Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0)]
Code = Annotated[str, BeforeValidator(_text), Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShareholderSpec(_Spec):
    name: str
    share: Share
    state_owned: bool = False


class OperatorSpec(_Spec):
    id: Code
    name: str
    type: OperatorType
    shareholders: list[ShareholderSpec] = []


class BandSpec(_Spec):
    threshold: Dec
    completion: Share


class AdjustmentSpec(_Spec):
    threshold: Dec
    amount: Money
    reason: str


class KpiSpec(_Spec):
    id: Code
    indicator: str
    region: Code | None = None
    formula: Formula
    polarity: Polarity = Polarity.HIGHER
    target: Dec | None = None
    floor: Dec | None = None
    bands: list[BandSpec] = []
    weight: Dec = Field(ge=0, le=100)
    payment_share: Share
    cap: Money | None = None
    deductions: list[AdjustmentSpec] = []
    bonuses: list[AdjustmentSpec] = []


class ContractSpec(_Spec):
    id: Code
    name: str
    project: str
    region: Code
    operator: Code
    objects: list[str] = []
    model: TypicalModel
    investor_mode: InvestorMode
    return_mechanisms: list[ReturnMechanism] = Field(min_length=1)
    ppp_sub_mode: PppSubMode | None = None
    operation_type: OperationType | None = None
    start: date
    end: date
    total_amount: Money
    annual_amount: Money | None = None
    settlement_cycle: SettlementCycle = SettlementCycle.MONTH
    stable_service: bool = False
    bundled: bool = False
    user_pay_share: Share | None = None
    period_cap: Money | None = None
    deductions_before_cap: bool = False
    purchase_items: list[str] = []
    """购买内容: what the government buys, checked against the negative list."""
    kpis: list[KpiSpec] = []
    source: str | None = None
    """Where the figures come from (e.g. the report's 表3)."""


class BudgetSpec(_Spec):
    region: Code
    year: int = Field(ge=1990, le=2100)
    general_budget_expenditure: Money
    other_ppp_expenditure: Money = Decimal("0.00")


class ContractFile(_Spec):
    version: Literal[1] = 1
    operators: list[OperatorSpec] = []
    contracts: list[ContractSpec] = []
    budgets: list[BudgetSpec] = []


CONTRACT_FILE = DefinitionKind("contract register", ContractFile, "docs/settlement.md")


@dataclass(frozen=True, slots=True)
class RegisterBundle:
    """What one file holds, checked and as domain objects; ``specs`` keep each
    contract's definition as loaded (stored with it, hashed into statements)."""

    operators: tuple[Operator, ...]
    contracts: tuple[Contract, ...]
    specs: tuple[ContractSpec, ...]
    budgets: tuple[RegionBudget, ...]


_LATER_FIELDS: dict[str, object] = {"deductions_before_cap": False, "purchase_items": []}
"""Fields added to the format after contracts were first hashed, with their
defaults: they enter the hash only when a contract states something else, so a
contract loaded before keeps its hash."""


def contract_hash(spec: ContractSpec) -> str:
    """SHA-256 of the contract's canonical JSON: which definition a statement used."""
    data = spec.model_dump(mode="json")
    for name, default in _LATER_FIELDS.items():
        if data[name] == default:
            del data[name]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def load_register_file(path: Path) -> RegisterBundle:
    """Read a contract register file, YAML or CSV (``tables``); errors name the file,
    the line and the field."""
    if not path.is_file():
        raise ConfigError(f"no contract file at {path}")
    text, source = CONTRACT_FILE.read(path)
    if path.suffix.lower() == ".csv":
        return _bundle(csv_to_register_document(text, where=source), source)
    return parse_register_text(text, where=source)


def parse_register_text(text: str, *, where: str) -> RegisterBundle:
    """The register in a YAML text; ``where`` names it in errors."""
    return _bundle(CONTRACT_FILE.parse_document(text, where), where)


def _bundle(parsed: Parsed, where: str) -> RegisterBundle:
    """Validate and check a parsed register; an empty file is an empty register."""
    definition = CONTRACT_FILE.validate(replace(parsed, data=parsed.data or {}), where)
    file = definition.model
    return RegisterBundle(
        operators=tuple(_operator(o) for o in file.operators),
        contracts=tuple(
            contract_to_domain(c, where=definition.at("contracts", i))
            for i, c in enumerate(file.contracts)
        ),
        specs=tuple(file.contracts),
        budgets=tuple(
            RegionBudget(b.region, b.year, b.general_budget_expenditure, b.other_ppp_expenditure)
            for b in file.budgets
        ),
    )


def _operator(spec: OperatorSpec) -> Operator:
    return Operator(
        operator_id=spec.id,
        name=spec.name,
        type=spec.type,
        shareholders=tuple(Shareholder(s.name, s.share, s.state_owned) for s in spec.shareholders),
    )


def contract_to_domain(spec: ContractSpec, *, where: str | Place) -> Contract:
    """Check what spans fields of ``spec`` and build the domain contract; ``where`` is
    the contract's place in its file, or names where it came from (``request``)."""
    place = where if isinstance(where, Place) else Place(where, docs=CONTRACT_FILE.docs)
    name = f"contract {spec.id}"
    if spec.end < spec.start:
        raise place.at("end").error(f"{name}: end {spec.end} is before start {spec.start}")
    clauses = tuple(
        _clause(k, spec.region, place.at("kpis", j), f"{name}, kpi {k.id}")
        for j, k in enumerate(spec.kpis)
    )
    if clauses:
        weights = sum((c.weight for c in clauses), Decimal(0))
        if weights != 100:
            raise place.at("kpis").error(f"{name}: KPI weights sum to {weights}, not 100")
        shares = sum((c.payment_share for c in clauses), Decimal(0))
        if shares > 1:
            raise place.at("kpis").error(f"{name}: KPI payment shares sum to {shares}, more than 1")
    if len({c.clause_id for c in clauses}) != len(clauses):
        raise place.at("kpis").error(f"{name}: KPI ids repeat")
    return Contract(
        contract_id=spec.id,
        name=spec.name,
        project_name=spec.project,
        region_code=RegionCode(spec.region),
        operator_id=spec.operator,
        objects=tuple(spec.objects),
        model=spec.model,
        investor_mode=spec.investor_mode,
        return_mechanisms=tuple(spec.return_mechanisms),
        start=spec.start,
        end=spec.end,
        total_amount=spec.total_amount,
        annual_amount=spec.annual_amount,
        settlement_cycle=spec.settlement_cycle,
        ppp_sub_mode=spec.ppp_sub_mode,
        operation_type=spec.operation_type,
        stable_service=spec.stable_service,
        bundled=spec.bundled,
        user_pay_share=spec.user_pay_share,
        period_cap=spec.period_cap,
        deductions_before_cap=spec.deductions_before_cap,
        purchase_items=tuple(spec.purchase_items),
        clauses=clauses,
    )


def _clause(spec: KpiSpec, default_region: str, place: Place, name: str) -> KpiClause:
    if spec.formula is Formula.LINEAR:
        if spec.target is None or spec.floor is None:
            raise place.error(f"{name}: a linear clause needs target and floor")
        rising = spec.target > spec.floor
        if spec.target == spec.floor or rising != (spec.polarity is Polarity.HIGHER):
            raise place.at("target").error(
                f"{name}: target {spec.target} must be "
                f"{'above' if spec.polarity is Polarity.HIGHER else 'below'} "
                f"floor {spec.floor} for a {spec.polarity.value}-is-better indicator"
            )
    if spec.formula is Formula.BANDS and not spec.bands:
        raise place.error(f"{name}: a banded clause needs at least one band")
    if spec.formula is Formula.PASS_FAIL and spec.target is None:
        raise place.error(f"{name}: a pass/fail clause needs a target")
    return KpiClause(
        clause_id=spec.id,
        indicator=IndicatorCode(spec.indicator),
        region_code=RegionCode(spec.region or default_region),
        formula=spec.formula,
        weight=spec.weight,
        payment_share=spec.payment_share,
        polarity=spec.polarity,
        target=spec.target,
        floor=spec.floor,
        bands=tuple(Band(b.threshold, b.completion) for b in spec.bands),
        cap=spec.cap,
        deductions=tuple(Adjustment(d.threshold, d.amount, d.reason) for d in spec.deductions),
        bonuses=tuple(Adjustment(b.threshold, b.amount, b.reason) for b in spec.bonuses),
    )


def contract_json_schema() -> dict[str, Any]:
    """The JSON Schema of a contract register file (``docs/schemas/contract.schema.json``)."""
    return CONTRACT_FILE.json_schema()
