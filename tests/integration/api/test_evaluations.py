"""Evaluation runs and their exports over HTTP (``/api/v1/evaluations``).

Expected results are read from the run files (``runs/<run_id>.json``) with the
``json`` module, and the exports are read back with ``csv`` and ``openpyxl``.
The scope of a district supervisor is worked out from the codes (a district's
streets are the 9-digit codes that begin with its 6 digits).

Region names come from data files, so an export must never hand a spreadsheet a
formula: ``evaluated_copy`` holds a street renamed ``=1+1``, and
``triggered_copy`` (below) streets whose names begin with each of the other
characters that start a formula.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from api_expectations import in_district
from api_workspace import OWN, PERIOD, ApiWorkspace
from api_writable import FORMULA_NAME, FORMULA_STREET, EvaluatedCopy
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cityops.domain.contract import table
from cityops.ingestion.batch import ingest_file
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.server import create_app
from cityops.services.evaluation import evaluate_period
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import Workspace, open_workspace

TRIGGERED_NAMES = {
    "970102002": ("+1", "'+1"),
    "970102003": ("-1+2", "'-1+2"),
    "970103001": ("@SUM(A1)", "'@SUM(A1)"),
    "970103002": ("\t=1", "'\t=1"),
    "970103003": ("\r=1", "'\r=1"),
    "970104001": ("\x01=1", "'=1"),  # a control character a workbook cannot hold goes first
}
"""Street → (the name it is given, the name an export must show)."""


def _run_file(workspace: Workspace, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = json.loads((workspace.runs_dir / f"{run_id}.json").read_text("utf-8"))
    return run


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    [sheet] = book.worksheets
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def triggered_copy(
    api_workspace: ApiWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, TestClient, str]]:
    """The shared workspace copied, six streets renamed to ``TRIGGERED_NAMES`` and the month
    evaluated again: (workspace, client, the new run's id)."""
    root = tmp_path_factory.mktemp("triggered") / "ws"
    shutil.copytree(api_workspace.workspace.root, root)
    workspace = open_workspace(root)
    engine = make_engine(workspace.register_url)
    try:
        with engine.connect() as connection:
            regions = read_current(connection, table("regions")).to_pylist()
    finally:
        engine.dispose()
    renamed = root.parent / "renamed.jsonl"
    renamed.write_text(
        "".join(
            json.dumps(region | {"name": TRIGGERED_NAMES[region["region_code"]][0]}) + "\n"
            for region in regions
            if region["region_code"] in TRIGGERED_NAMES
        ),
        encoding="utf-8",
    )
    assert ingest_file(workspace, "regions", renamed).stored == len(TRIGGERED_NAMES)
    with unit_of_work(workspace) as uow:
        run, _ = evaluate_period(uow, PERIOD)
    with TestClient(create_app(workspace)) as client:
        yield workspace, client, run.run_id


# --- runs ----------------------------------------------------------------------------------


def test_the_saved_runs_are_listed_newest_first(evaluated_copy: EvaluatedCopy) -> None:
    answer = evaluated_copy.client.get(
        "/api/v1/evaluations", headers=evaluated_copy.headers("supervisor")
    )
    assert answer.status_code == 200, answer.text
    files = [
        json.loads(path.read_text("utf-8"))
        for path in evaluated_copy.workspace.runs_dir.glob("*.json")
    ]
    expected = sorted(files, key=lambda run: (run["created_at"], run["run_id"]), reverse=True)
    body = answer.json()
    assert body["total"] == len(files) == 2
    assert [(i["run_id"], i["period"], i["created_at"]) for i in body["items"]] == [
        (run["run_id"], run["period"], run["created_at"]) for run in expected
    ]
    assert body["items"][0]["run_id"] == evaluated_copy.second_run.run_id
    second_page = evaluated_copy.client.get(
        "/api/v1/evaluations",
        params={"limit": 1, "offset": 1},
        headers=evaluated_copy.headers("supervisor"),
    ).json()
    assert second_page["items"] == body["items"][1:]


def test_a_run_shows_a_district_supervisor_the_district_and_its_streets_only(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    run_id = api_workspace.run_id
    answer = api_client.get(
        f"/api/v1/evaluations/{run_id}", headers=api_workspace.headers("supervisor")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    stored = _run_file(api_workspace.workspace, run_id)
    expected = [r for r in stored["regions"] if in_district(r["region_code"], OWN)]
    assert [r["region_code"] for r in body["regions"]] == [r["region_code"] for r in expected]
    assert len(expected) == 4, "the district and its three streets"
    for shown, saved in zip(body["regions"], expected, strict=True):
        assert (shown["score"], shown["stage"], shown["rank"], shown["peers"]) == (
            saved["score"],
            saved["stage"],
            saved["rank"],
            saved["peers"],
        )
        assert shown["directions"] == saved["directions"]
    assert (body["facts_hash"], body["framework_hash"]) == (
        stored["facts_hash"],
        stored["framework_hash"],
    )


def test_an_administrator_sees_every_region_of_a_run(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    run_id = api_workspace.run_id
    body = api_client.get(f"/api/v1/evaluations/{run_id}", headers=api_workspace.headers("admin"))
    stored = _run_file(api_workspace.workspace, run_id)
    assert [r["region_code"] for r in body.json()["regions"]] == [
        r["region_code"] for r in stored["regions"]
    ]


@pytest.mark.parametrize(("run_id", "status"), [("0000000000000000", 404), ("bad.id", 422)])
def test_an_unknown_or_malformed_run_id_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, run_id: str, status: int
) -> None:
    headers = api_workspace.headers("admin")
    for suffix in ("", "/export.csv", "/export.xlsx"):
        answer = api_client.get(f"/api/v1/evaluations/{run_id}{suffix}", headers=headers)
        assert answer.status_code == status, suffix


def test_evaluations_are_not_for_departments_and_pages_are_bounded(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    department = api_workspace.headers("department")
    assert api_client.get("/api/v1/evaluations", headers=department).status_code == 403
    run = f"/api/v1/evaluations/{api_workspace.run_id}"
    assert api_client.get(f"{run}/export.csv", headers=department).status_code == 403
    admin = api_workspace.headers("admin")
    for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}):
        assert api_client.get("/api/v1/evaluations", params=bad, headers=admin).status_code == 422


# --- exports -------------------------------------------------------------------------------


def test_the_csv_export_holds_the_region_table_of_the_callers_scope(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    run_id = api_workspace.run_id
    answer = api_client.get(
        f"/api/v1/evaluations/{run_id}/export.csv", headers=api_workspace.headers("supervisor")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="evaluation-2025-01-{run_id}.csv"'
    )
    [titles, *rows] = _csv_rows(answer.content)
    assert titles[:3] == ["区划代码 region_code", "名称 name", "层级 level"]
    assert titles[-4:] == [
        "运营内容 content",
        "运营机制 mechanism",
        "运营能力 capability",
        "运营成效 effectiveness",
    ]
    stored = [
        r for r in _run_file(api_workspace.workspace, run_id)["regions"]
        if in_district(r["region_code"], OWN)
    ]  # fmt: skip
    column = {title.split()[-1]: i for i, title in enumerate(titles)}
    assert [row[column["region_code"]] for row in rows] == [r["region_code"] for r in stored]
    for row, region in zip(rows, stored, strict=True):
        assert row[column["name"]] == region["name"]
        assert row[column["score"]] == _text(region["score"])
        assert row[column["capability"]] == _text(region["directions"]["capability"])


def _text(value: float | None) -> str:
    """A number as the CSV writes it (an empty cell for none)."""
    return "" if value is None else repr(value)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_the_xlsx_export_holds_the_same_table_with_numbers_as_numbers(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    run = f"/api/v1/evaluations/{api_workspace.run_id}"
    headers = api_workspace.headers("city_supervisor")
    csv_rows = _csv_rows(api_client.get(f"{run}/export.csv", headers=headers).content)
    answer = api_client.get(f"{run}/export.xlsx", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [f"evaluation {api_workspace.run_id}"]
    rows = _xlsx_rows(answer.content)
    assert rows[0] == csv_rows[0]
    assert [row[0] for row in rows[1:]] == [row[0] for row in csv_rows[1:]]
    assert {row[0][:4] for row in rows[1:]} == {"9701"}, "city A and below only"
    scores = [row[4] for row in rows[1:] if row[4] is not None]
    assert scores, "some regions are scored"
    assert all(isinstance(score, float) for score in scores)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_region_name_written_as_a_formula_is_exported_as_text(
    evaluated_copy: EvaluatedCopy, kind: str
) -> None:
    run_id = evaluated_copy.second_run.run_id
    answer = evaluated_copy.client.get(
        f"/api/v1/evaluations/{run_id}/export.{kind}", headers=evaluated_copy.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    rows = _csv_rows(answer.content) if kind == "csv" else _xlsx_rows(answer.content)
    names = {row[0]: row[1] for row in rows[1:]}
    assert names[FORMULA_STREET] == "'" + FORMULA_NAME


def test_the_first_run_of_the_copy_still_exports_the_old_street_name(
    evaluated_copy: EvaluatedCopy,
) -> None:
    first = evaluated_copy.shared.run_id
    answer = evaluated_copy.client.get(
        f"/api/v1/evaluations/{first}/export.csv", headers=evaluated_copy.headers("admin")
    )
    names = {row[0]: row[1] for row in _csv_rows(answer.content)[1:]}
    stored = {
        r["region_code"]: r["name"] for r in _run_file(evaluated_copy.workspace, first)["regions"]
    }
    assert names[FORMULA_STREET] == stored[FORMULA_STREET] != FORMULA_NAME


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("street", sorted(TRIGGERED_NAMES))
def test_every_character_that_starts_a_formula_is_neutralised(
    triggered_copy: tuple[Workspace, TestClient, str],
    api_workspace: ApiWorkspace,
    kind: str,
    street: str,
) -> None:
    _, client, run_id = triggered_copy
    answer = client.get(
        f"/api/v1/evaluations/{run_id}/export.{kind}", headers=api_workspace.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    rows = _csv_rows(answer.content) if kind == "csv" else _xlsx_rows(answer.content)
    names = {row[0]: row[1] for row in rows[1:]}
    shown = TRIGGERED_NAMES[street][1]
    if kind == "xlsx":  # XML reads a carriage return back as a line feed
        shown = shown.replace("\r", "\n")
    assert names[street] == shown


def test_no_text_cell_of_an_export_starts_a_formula(
    triggered_copy: tuple[Workspace, TestClient, str], api_workspace: ApiWorkspace
) -> None:
    _, client, run_id = triggered_copy
    headers = api_workspace.headers("admin")
    csv_rows = _csv_rows(
        client.get(f"/api/v1/evaluations/{run_id}/export.csv", headers=headers).content
    )
    xlsx_rows = _xlsx_rows(
        client.get(f"/api/v1/evaluations/{run_id}/export.xlsx", headers=headers).content
    )
    texts = [cell for row in csv_rows[1:] for cell in row if not _is_number(cell)]
    texts += [cell for row in xlsx_rows[1:] for cell in row if isinstance(cell, str)]
    assert texts
    assert not [text for text in texts if text[:1] in set("=+-@\t\r")]


def test_a_scoped_export_leaves_out_the_renamed_streets_of_other_districts(
    triggered_copy: tuple[Workspace, TestClient, str], api_workspace: ApiWorkspace
) -> None:
    _, client, run_id = triggered_copy
    answer = client.get(
        f"/api/v1/evaluations/{run_id}/export.csv", headers=api_workspace.headers("supervisor")
    )
    codes = [row[0] for row in _csv_rows(answer.content)[1:]]
    assert codes == ["970102", "970102001", "970102002", "970102003"]
