"""``cityops report`` on a real workspace (regions ingested, facts stored, a run with
uncertainty saved, the demo contract settled): the PDF's text and the workbook's
cells are compared with the run file, read here on its own with ``json``."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from cityops.cli.report import report
from cityops.domain.period import Period
from cityops.indicators.facts import IndicatorFact, write_facts
from cityops.ingestion.batch import ingest_file
from cityops.services.evaluation import evaluate_period
from cityops.services.settlement import load_contracts, settle_period
from cityops.services.unit_of_work import unit_of_work
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.create import create_workspace

pytestmark = pytest.mark.slow  # a workspace, a Monte Carlo run and a PDF: ~15 s

ROOT = Path(__file__).parents[3]
DEMO_CONTRACT = ROOT / "examples" / "contracts" / "demo-purchase-of-service.yaml"
CONTRACT_ID = "DEMO-970100-2025-PORTAL"

app = typer.Typer()
app.command()(report)  # the only command: invoked without its name
PERIOD = Period(2025, 3)

REGIONS_CSV = """region_code,name,level,parent_code,resident_population
970100,示范市,city,,1000000
970101,东湖区,district,970100,300000
970102,西山区,district,970100,300000
970103,南江区,district,970100,400000
"""

# indicator → value per region (city, 东湖区, 西山区, 南江区); the city's contract KPIs
# are the values whose statement pays 255,000.00 (tests/integration/settlement)
VALUES = {
    "data.sharing_rate": (0.80, 0.92, 0.55, 0.71),
    "mechanism.coordination": (80.0, 95.0, 40.0, 70.0),
    "effect.resident_coverage": (0.45, 0.60, 0.20, 0.41),
    "capability.online_availability": (0.999, 0.9995, 0.990, 0.996),
    "capability.response_30min_rate": (0.90, 0.97, 0.55, 0.80),
    "effect.rating_good_rate": (0.92, 0.96, 0.81, 0.90),
    "security.leak_incidents": (0.0, 0.0, 2.0, 1.0),
}
CODES = ("970100", "970101", "970102", "970103")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("report")
    ws = create_workspace(base / "ws", name="示范市")
    regions = base / "regions.csv"
    regions.write_text(REGIONS_CSV, encoding="utf-8")
    ingest_file(ws, "regions", regions)
    facts = [
        IndicatorFact(
            IndicatorCode(code),
            RegionCode(region),
            PERIOD,
            value,
            value * 1000,
            1000.0,
            1,
            "duckdb",
            "h",
        )
        for code, values in VALUES.items()
        for region, value in zip(CODES, values, strict=True)
    ]
    write_facts(ws.facts_path(PERIOD), facts)
    with unit_of_work(ws) as uow:
        evaluate_period(uow, PERIOD, replications=16)
        load_contracts(uow, DEMO_CONTRACT)
        settle_period(uow, CONTRACT_ID, PERIOD)
    return ws.root


def _report(workspace: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["-w", str(workspace), *args, "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _saved_run(workspace: Path, run_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((workspace / "runs" / f"{run_id}.json").read_text("utf-8"))
    return data


def _districts(run: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (r for r in run["regions"] if r["parent_code"] == "970100"), key=lambda r: r["rank"]
    )


@pytest.fixture(scope="module")
def pdf(workspace: Path) -> tuple[dict[str, Any], PdfReader]:
    done = _report(workspace, "--format", "pdf", "--out", str(workspace / "out" / "r.pdf"))
    return done, PdfReader(done["path"])


def test_the_pdf_carries_chinese_text_in_an_embedded_cjk_font(
    pdf: tuple[dict[str, Any], PdfReader],
) -> None:
    _, reader = pdf
    text = "\n".join(page.extract_text() for page in reader.pages)
    for chinese in ("示范市 智慧城市长效运营评价报告", "区县排名", "方法说明", "数据共享率"):
        assert chinese in text
    embedded = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font = reference.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if any(key.startswith("/FontFile") for key in descriptor):
                    embedded.add(str(font["/BaseFont"]).split("+", 1)[-1])
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in embedded)


def test_each_district_row_of_the_pdf_matches_the_run_file(
    pdf: tuple[dict[str, Any], PdfReader],
    workspace: Path,
) -> None:
    done, reader = pdf
    run = _saved_run(workspace, done["run_id"])
    lines = {line.strip() for page in reader.pages for line in page.extract_text().splitlines()}
    districts = _districts(run)
    assert len(districts) == 3
    for region in districts:
        row = (
            f"{region['rank']} / {region['peers']} {region['name']} {region['region_code']} "
            f"{region['score']:.1f} {region['stage_zh']}"
        )
        assert any(line.startswith(row) for line in lines), row
    city = next(r for r in run["regions"] if r["region_code"] == "970100")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert f"综合得分 {city['score']:.1f}，处于{city['stage_zh']}" in text


def test_the_pdf_shows_the_statement_and_page_numbers(
    pdf: tuple[dict[str, Any], PdfReader],
) -> None:
    _, reader = pdf
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert CONTRACT_ID in text
    assert "255,000.00" in text
    pages = len(reader.pages)
    assert f"{pages} / {pages}" in reader.pages[-1].extract_text()


def test_the_workbook_matches_the_run_file_and_the_facts(workspace: Path) -> None:
    done = _report(workspace, "--format", "xlsx")
    assert done["path"] == str(workspace / "reports" / f"report-2025-03-{done['run_id']}.xlsx")
    run = _saved_run(workspace, done["run_id"])
    book = load_workbook(io.BytesIO(Path(done["path"]).read_bytes()))
    header, *rows = book["区县"].iter_rows(values_only=True)
    records = [dict(zip(header, row, strict=True)) for row in rows]
    for record, region in zip(records, _districts(run), strict=True):
        assert record["代码 Code"] == region["region_code"]
        assert record["排名 Rank"] == region["rank"]
        assert record["综合得分 Total score"] == pytest.approx(region["score"], abs=1e-12)
        assert record["发展阶段 Stage"] == region["stage_zh"]
        spread = region["uncertainty"]
        assert record["P(成长期 growing)"] == pytest.approx(
            spread["stage_probability"].get("growing", 0.0)
        )
        assert record["排名区间 Rank interval ↓"] == spread["rank_worst"]
    header, *rows = book["指标"].iter_rows(values_only=True)
    facts = {(row[0], row[4]): dict(zip(header, row, strict=True)) for row in rows}
    assert len(facts) == len(VALUES) * len(CODES)
    for code, values in VALUES.items():
        for region_code, value in zip(CODES, values, strict=True):
            fact = facts[(code, region_code)]
            assert fact["指标值 Value"] == pytest.approx(value)
            assert fact["分子 Numerator"] == pytest.approx(value * 1000)
    header, statement = book["结算"].iter_rows(values_only=True)
    assert Decimal(
        str(dict(zip(header, statement, strict=True))["应付金额 (元) Payable (yuan)"])
    ) == Decimal("255000.00")


def test_the_english_html_report_goes_next_to_the_chinese_one(workspace: Path) -> None:
    chinese = _report(workspace)
    english = _report(workspace, "--lang", "en")
    assert chinese["format"] == english["format"] == "html"
    assert english["path"] == chinese["path"].replace(".html", "-en.html")
    html = Path(english["path"]).read_text("utf-8")
    assert "Smart-city long-term operation evaluation report" in html
    assert "成长期" not in html


def test_the_format_follows_the_out_suffix_and_a_contradiction_is_refused(
    workspace: Path, tmp_path: Path
) -> None:
    done = _report(workspace, "--out", str(tmp_path / "r.xlsx"))
    assert done["format"] == "xlsx"
    refused = CliRunner().invoke(
        app, ["-w", str(workspace), "--format", "pdf", "--out", str(tmp_path / "r.html")]
    )
    assert refused.exit_code == 2
    assert "--format" in refused.output
