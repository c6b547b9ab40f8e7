"""Operations answers are kept until the data change: a new ingest batch makes the
next request compute the answer again.  At start-up, the pages the console opens on
are computed before anyone asks."""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from api_writable import WritableApi, writable
from ingest_workspace import make_workspace, write_text

from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.domain.contract import table
from cityops.domain.period import CITY_TZ, Period
from cityops.indicators.catalogue import shipped_catalogue
from cityops.ingestion.batch import ingest_file
from cityops.lake.schema import arrow_schema
from cityops.operations.month import month_of
from cityops.register.engine import make_engine
from cityops.services.indicators import compute_period
from cityops.services.operations import HOTLINE, INFRASTRUCTURE, PORTAL
from cityops.services.unit_of_work import Backend, unit_of_work
from cityops.types import RegionCode
from cityops.workspace.workspace import Workspace

USERS = (
    "event_id,user_id,region_code,registered_at,real_name,channel\n"
    "r1,u1,330102,2024-06-01 09:00:00,true,app\n"
    "r2,u2,330103,2024-06-01 09:00:00,true,app\n"
)
RATINGS = "event_id,ts,user_id,service_id,rating\n"
IN_REGION = "SELECT count(*) AS regions FROM in_region"


def _ratings(api: WritableApi, region_code: str = "330100") -> list[int]:
    path = f"/api/v1/operations/{region_code}/portal?period=2025-01"
    answer = api.client.get(path, headers=api.headers("admin"))
    assert answer.status_code == 200, answer.text
    return [count["ratings"] for count in answer.json()["ratings"]]


def _ingest_ratings(workspace: Workspace, directory: Path, name: str, rows: str) -> None:
    ingest_file(workspace, "portal_ratings", write_text(directory / name, RATINGS + rows))


def _write_behind_the_register(workspace: Workspace, event_id: str, rating: int) -> None:
    """A ratings file put in the lake without an ingest batch: the data version
    does not change, so a kept answer does not see it."""
    schema = arrow_schema(table("portal_ratings"))
    row = {
        "event_id": event_id,
        "ts": datetime(2025, 1, 20, 10, tzinfo=CITY_TZ),
        "user_id": "u2",
        "service_id": "s2",
        "rating": rating,
    }
    day = workspace.lake / "portal_ratings" / "day=2025-01-20"
    day.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([row], schema=schema), day / "part-by-hand.parquet")


def test_an_answer_is_kept_until_a_batch_is_ingested(
    writable_api: WritableApi, tmp_path: Path
) -> None:
    api = writable_api
    ingest_file(api.workspace, "portal_users", write_text(tmp_path / "users.csv", USERS))
    _ingest_ratings(api.workspace, tmp_path, "ratings-1.csv", "e1,2025-01-05 10:00:00,u1,s1,5\n")
    assert _ratings(api) == [0, 0, 0, 0, 1]

    _write_behind_the_register(api.workspace, "e2", rating=2)
    assert _ratings(api) == [0, 0, 0, 0, 1]  # the kept answer

    _ingest_ratings(api.workspace, tmp_path, "ratings-2.csv", "e3,2025-01-06 10:00:00,u2,s2,1\n")
    assert _ratings(api) == [1, 1, 0, 0, 1]  # computed again: e2 and e3 seen


def test_the_pages_the_console_opens_on_are_computed_at_start_up(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    ingest_file(workspace, "portal_users", write_text(tmp_path / "users.csv", USERS))
    with unit_of_work(workspace) as uow:
        compute_period(uow, Period(2025, 1))  # the latest month with facts
    engine = make_engine(workspace.register_url)
    try:  # a user of the east district: their console opens there
        with engine.begin() as connection:
            create_user(
                connection, username="east", password="Harbour-lights-7", role=Role.SUPERVISOR,
                region_code="330102",
            )  # fmt: skip
    finally:
        engine.dispose()
    with writable(workspace) as api:
        api.client.app.state.warming.join()  # type: ignore[attr-defined]
        # the user's district, then the city (where an administrator's console opens);
        # not the west district, where nobody's does
        month = Period(2025, 1)
        warmed = [(workspace.root, "330102", month), (workspace.root, "330100", month)]
        for page in (PORTAL, HOTLINE, INFRASTRUCTURE):
            kept = page.cache.kept()
            assert [key for key in kept if key in warmed] == warmed
            assert (workspace.root, "330103", month) not in kept


def test_a_request_keeps_its_connection_when_the_data_change_meanwhile(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    month = Period(2025, 1)
    with Backend.open(workspace) as backend, backend.engine.connect() as register:
        cursor = backend.analytics_cursor((1, None), register)
        with month_of(cursor, RegionCode("330100"), month, None, shipped_catalogue()) as first:
            newer = backend.analytics_cursor((2, None), register)
            with month_of(newer, RegionCode("330100"), month, None, shipped_catalogue()) as second:
                assert second.rows(IN_REGION) == [{"regions": 3}]
            gc.collect()  # the database of version 1 is no longer kept
            assert first.rows(IN_REGION) == [{"regions": 3}]  # the city and its two districts
