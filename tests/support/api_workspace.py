"""A small real workspace with two cities, for API tests (shared by every API test module).

City A (示范市 ``970100``) is the tiny synthetic city, generated and ingested by
the project's own ``synth`` and ``ingest``; city B (样板市 ``970200``) is written
by hand here: two districts, a few services and hotline tickets.  Both sit
under the synthetic province ``970000``.  On top:

- indicator facts for January 2025 (computed for city A, hand-made for city B)
  and one evaluation run over them;
- operators ``OP-EAST`` and ``OP-WEST``; ``OP-EAST`` holds one contract in each
  of the three regions the tests talk about (``RELATION_REGION``), ``OP-WEST``
  one in the users' own district; every contract has a settled draft statement;
- one user of each role bound to the district ``970102`` (the administrator to
  no region), plus a city-wide supervisor, a second operator and a second
  department, each with a bearer token.

Every non-admin user sits in ``OWN`` = 东湖区 ``970102``; ``SIBLING`` = 西山区
``970103`` is the same city's other district; ``OTHER_CITY`` = ``970201``
lies in city B.  Tests look objects up through ``ApiWorkspace`` rather than
hard-coding identifiers.

Use it through the session-scoped ``api_workspace`` fixture (import it into a
``conftest.py`` of your test folder: ``from api_workspace import
api_workspace as api_workspace``), or call ``build_api_workspace`` for a
private copy (e.g. on PostgreSQL).  The shared copy is read-mostly: a test that
changes state makes its own object first (``settle_draft``) and never logs the
shared users out.  Building it takes about six seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cityops.access.roles import Role
from cityops.accounts.store import authenticate, create_user
from cityops.domain.period import Period
from cityops.indicators.facts import IndicatorFact, read_facts, write_facts
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.directory import ingest_directory
from cityops.register.engine import make_engine
from cityops.services.evaluation import evaluate_period
from cityops.services.indicators import compute_period
from cityops.services.open311 import create_client_key
from cityops.services.settlement import load_contracts, review_statement, settle_period
from cityops.services.unit_of_work import UnitOfWork, unit_of_work
from cityops.synth import generate_city
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

__all__ = [
    "CITY_A",
    "CITY_B",
    "DEPARTMENT",
    "KPI_INDICATORS",
    "OPERATOR",
    "OTHER_CITY",
    "OTHER_DEPARTMENT",
    "OTHER_OPERATOR",
    "OWN",
    "PASSWORD",
    "PERIOD",
    "RELATIONS",
    "RELATION_REGION",
    "SIBLING",
    "USERS",
    "ApiWorkspace",
    "UserSpec",
    "api_workspace",
    "build_api_workspace",
]

CITY_A = "970100"
CITY_B = "970200"
OWN = "970102"
SIBLING = "970103"
OTHER_CITY = "970201"
RELATIONS = ("own", "sibling", "other_city")
RELATION_REGION: Mapping[str, str] = {"own": OWN, "sibling": SIBLING, "other_city": OTHER_CITY}
PERIOD = Period(2025, 1)
OPERATOR = "OP-EAST"
OTHER_OPERATOR = "OP-WEST"
DEPARTMENT = "城管局"
OTHER_DEPARTMENT = "公安局"
PASSWORD = "Api-tests-password-1"
KPI_INDICATORS = ("effect.resident_coverage", "capability.response_30min_rate")
"""The indicators the fixture's contracts settle on; computed for every district."""


@dataclass(frozen=True, slots=True)
class UserSpec:
    username: str
    role: Role
    region_code: str | None
    operator_id: str | None = None
    department: str | None = None
    can_view_personal: bool = False


USERS: tuple[UserSpec, ...] = (
    UserSpec("admin", Role.ADMIN, None, can_view_personal=True),
    UserSpec("supervisor", Role.SUPERVISOR, OWN),
    UserSpec("operator", Role.OPERATOR, OWN, operator_id=OPERATOR),
    UserSpec("department", Role.DEPARTMENT, OWN, department=DEPARTMENT),
    UserSpec("evaluator", Role.EVALUATOR, OWN),
    UserSpec("auditor", Role.AUDITOR, OWN),
    UserSpec("city_supervisor", Role.SUPERVISOR, CITY_A),
    UserSpec("other_operator", Role.OPERATOR, OWN, operator_id=OTHER_OPERATOR),
    UserSpec("other_department", Role.DEPARTMENT, OWN, department=OTHER_DEPARTMENT),
)
"""The users; the first six are one per role, named after it."""

_CITY_B_REGIONS = """region_code,name,level,parent_code,resident_population
970200,样板市,city,970000,200000
970201,北岸区,district,970200,120000
970202,南岸区,district,970200,80000
"""

_CITY_B_SERVICES = (
    "service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,"
    "offline_at\n"
    "B-S1,占道经营投诉,城管局,城市管理,970201,true,,2024-01-01,\n"
    "B-S2,户籍证明,公安局,户籍,970201,true,,2024-01-01,\n"
    "B-S3,渣土车投诉,城管局,城市管理,970202,true,,2024-01-01,\n"
)

_CITY_B_TICKETS = (
    "event_id,ticket_id,ts,status,region_code,category,department,channel,satisfaction,due_at\n"
    "TB1-1,TB1,2025-01-06T09:00:00+08:00,created,970201,城市管理,城管局,phone,,"
    "2025-01-10T09:00:00+08:00\n"
    "TB1-2,TB1,2025-01-06T09:20:00+08:00,responded,970201,城市管理,城管局,phone,,\n"
    "TB1-3,TB1,2025-01-07T15:00:00+08:00,closed,970201,城市管理,城管局,phone,5,\n"
    "TB2-1,TB2,2025-01-08T10:00:00+08:00,created,970201,户籍,公安局,web,,"
    "2025-01-12T10:00:00+08:00\n"
)

_CONTRACT_KPIS = """
    kpis:
      - {id: K1, indicator: effect.resident_coverage, formula: linear, floor: 0.2,
         target: 0.8, weight: 60, payment_share: 0.5}
      - {id: K2, indicator: capability.response_30min_rate, formula: linear, floor: 0.3,
         target: 0.9, weight: 40, payment_share: 0.3}
"""


def _contract(contract_id: str, region: str, operator: str) -> str:
    return f"""
  - id: {contract_id}
    name: {region} 城市运营服务 ({operator})
    project: {region} 智慧城市运营
    region: "{region}"
    operator: {operator}
    model: 政府购买服务
    investor_mode: 政府投资企业运营
    return_mechanisms: [政府购买服务]
    start: 2025-01-01
    end: 2025-12-31
    total_amount: "1200000.00"
    annual_amount: "1200000.00"
    settlement_cycle: month{_CONTRACT_KPIS}"""


@dataclass(frozen=True, slots=True)
class ApiWorkspace:
    """The built workspace and what tests need to address it."""

    workspace: Workspace
    tokens: Mapping[str, str]
    """User name → bearer token (valid for the session; never revoke them)."""
    contracts: Mapping[str, str]
    """Relation (``own``, ``sibling``, ``other_city``) → an ``OP-EAST`` contract there."""
    other_operator_contract: str
    """The ``OP-WEST`` contract in ``OWN``."""
    statements: Mapping[str, str]
    """Relation → the draft statement of that relation's contract for ``PERIOD``."""
    run_id: str
    open311_key: str
    """The ``api_key`` of Open311 client application ``api-tests``."""

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def settle_draft(self, relation: str, *, reviewed: bool = False) -> str:
        """A new draft statement (next version) of ``relation``'s contract, reviewed by
        ``fixture-reviewer`` when asked; for tests that review or approve."""
        with unit_of_work(self.workspace) as uow:
            statement = settle_period(uow, self.contracts[relation], PERIOD, by="fixture-settler")
            if reviewed:
                review_statement(uow, statement.statement_id, by="fixture-reviewer")
        return statement.statement_id


def build_api_workspace(directory: Path, *, register_url: str | None = None) -> ApiWorkspace:
    """Build the two-city workspace in ``directory/ws`` (register: SQLite unless
    ``register_url`` names another database)."""
    sources = directory / "sources"
    generate_city(sources / "city-a", scale="tiny", months=1, start=PERIOD, seed=3)
    workspace = create_workspace(directory / "ws", name="示范市", register_url=register_url)
    ingest_directory(workspace, sources / "city-a")
    for table_name, text in (
        ("regions", _CITY_B_REGIONS),
        ("services", _CITY_B_SERVICES),
        ("ticket_events", _CITY_B_TICKETS),
    ):
        path = sources / f"city-b-{table_name}.csv"
        path.write_text(text, encoding="utf-8")
        ingest_file(workspace, table_name, path)

    contracts = {relation: f"C-{relation}-{OPERATOR}" for relation in RELATIONS}
    other_operator_contract = f"C-own-{OTHER_OPERATOR}"
    with unit_of_work(workspace) as uow:
        compute_period(uow, PERIOD)
        _add_city_b_facts(workspace)
        run, _ = evaluate_period(uow, PERIOD)
        _load_contracts(uow, sources, contracts, other_operator_contract)
        statements = {
            relation: settle_period(uow, contract_id, PERIOD, by="fixture").statement_id
            for relation, contract_id in contracts.items()
        }
        settle_period(uow, other_operator_contract, PERIOD, by="fixture")
        open311_key = create_client_key(uow, "api-tests")
    return ApiWorkspace(
        workspace=workspace,
        tokens=_users_with_tokens(workspace),
        contracts=contracts,
        other_operator_contract=other_operator_contract,
        statements=statements,
        run_id=run.run_id,
        open311_key=open311_key,
    )


@pytest.fixture(scope="session")
def api_workspace(tmp_path_factory: pytest.TempPathFactory) -> ApiWorkspace:
    """The shared two-city workspace on SQLite, built once per test session."""
    return build_api_workspace(tmp_path_factory.mktemp("api_workspace"))


def _add_city_b_facts(workspace: Workspace) -> None:
    """City B has no lake data of the kinds the KPIs need, so its facts are set by hand
    (values a city could report); they replace what was computed for city B from its few
    tickets, so that each indicator and region keeps one fact."""
    path = workspace.facts_path(PERIOD)
    values = {"effect.resident_coverage": 0.5, "capability.response_30min_rate": 0.6}
    extra = [
        IndicatorFact(
            IndicatorCode(code),
            RegionCode(region),
            PERIOD,
            value,
            value,
            1.0,
            1,
            "manual",
            f"manual-{code}",
        )
        for region in (CITY_B, "970201", "970202")
        for code, value in values.items()
    ]
    replaced = {(fact.indicator, fact.region_code) for fact in extra}
    kept = [f for f in read_facts(path) if (f.indicator, f.region_code) not in replaced]
    write_facts(path, [*kept, *extra])


def _load_contracts(
    uow: UnitOfWork, sources: Path, contracts: Mapping[str, str], other_operator: str
) -> None:
    entries = [
        _contract(contract_id, RELATION_REGION[relation], OPERATOR)
        for relation, contract_id in contracts.items()
    ]
    entries.append(_contract(other_operator, OWN, OTHER_OPERATOR))
    text = f"""version: 1
operators:
  - {{id: {OPERATOR}, name: 东方运营有限公司, type: 服务商}}
  - {{id: {OTHER_OPERATOR}, name: 西方运营有限公司, type: 服务商}}
contracts:{"".join(entries)}
budgets:
  - {{region: "{CITY_A}", year: 2025, general_budget_expenditure: "5000000000.00"}}
  - {{region: "{CITY_B}", year: 2025, general_budget_expenditure: "900000000.00"}}
"""
    path = sources / "contracts.yaml"
    path.write_text(text, encoding="utf-8")
    load_contracts(uow, path)


def _users_with_tokens(workspace: Workspace) -> dict[str, str]:
    engine = make_engine(workspace.register_url)
    tokens: dict[str, str] = {}
    try:
        for user in USERS:
            with engine.begin() as connection:
                create_user(
                    connection,
                    username=user.username,
                    password=PASSWORD,
                    role=user.role,
                    region_code=user.region_code,
                    operator_id=user.operator_id,
                    department=user.department,
                    can_view_personal=user.can_view_personal,
                )
            with engine.begin() as connection:
                outcome = authenticate(
                    connection, user.username, PASSWORD, client="fixture", now=datetime.now(UTC)
                )
            assert outcome.token is not None, f"the fixture user {user.username} can log in"
            tokens[user.username] = outcome.token.token
    finally:
        engine.dispose()
    return tokens
