"""A city changes what it measures by editing files alone: its own indicator catalogue
and evaluation framework, named in ``cityops.toml`` (``[definitions]``), are used by
every command, with no Python and no option on the command line.

The rows are those of ``tests/integration/indicators/test_catalogue_indicator.py``,
whose hand counts hold here: of the March calls, east has c1 and c3 of c1–c3
succeeding (2 of 3), west c5 (1 of 1), and the city adds its own r3's failed c6,
3 of 5.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from city_catalogue import EXAMPLE_CATALOGUE
from ingest_workspace import make_workspace, write_text

from cityops.ingestion.batch import ingest_file
from cityops.workspace.config import CONFIG_FILE
from cityops.workspace.workspace import Workspace

CITY, EAST, WEST = "330100", "330102", "330103"
CODE = "data.sharing_call_success_rate"
FRAMEWORK = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"

RESOURCES = (
    "resource_id,department,region_code,name,classification,share_type,open_type,"
    "update_frequency,record_count\n"
    f"r1,数据局,{EAST},人口库,core,conditional,none,daily,100\n"
    f"r2,数据局,{WEST},法人库,important,unconditional,open,daily,50\n"
    f"r3,数据局,{CITY},电子证照库,general,conditional,none,daily,10\n"
)
CALLS = "event_id,ts,resource_id,provider_department,consumer_department,rows,success\n" + (
    "c1,2025-03-01 00:00:00,r1,数据局,公安局,10,true\n"
    "c2,2025-03-15 12:00:00,r1,数据局,民政局,10,false\n"
    "c3,2025-03-31 23:59:59,r1,数据局,公安局,10,true\n"
    "c4,2025-04-01 00:00:00,r1,数据局,公安局,10,true\n"
    "c5,2025-03-10 10:00:00,r2,数据局,税务局,5,true\n"
    "c6,2025-03-11 10:00:00,r3,数据局,公安局,0,false\n"
)

DATA_DIRECTION = f"""  - code: data_value
    name_zh: 数据价值
    name_en: Data value
    weight: 0.2
    contents:
      - name: 共享调用
        name_en: Sharing calls
        indicators:
          - code: {CODE}
"""
"""A sixth direction of the city's own, made of the indicator its catalogue adds."""


def _cityops(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cityops", *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _name_in_config(workspace: Workspace, definitions: str) -> None:
    """Fill in the ``[definitions]`` table that ``cityops init`` wrote, as a city would."""
    config = workspace.root / CONFIG_FILE
    text = config.read_text("utf-8")
    assert "[definitions]\n" in text
    config.write_text(text.replace("[definitions]\n", f"[definitions]\n{definitions}"), "utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path)
    ingest_file(ws, "data_resources", write_text(tmp_path / "resources.csv", RESOURCES))
    ingest_file(ws, "data_sharing_calls", write_text(tmp_path / "calls.csv", CALLS))
    shutil.copy(EXAMPLE_CATALOGUE, ws.root / "catalogue.toml")
    return ws


def test_a_city_adds_an_indicator_by_editing_its_catalogue_file_alone(
    workspace: Workspace,
) -> None:
    root = str(workspace.root)
    before = _cityops("indicators", "-w", root, "--period", "2025-03")
    assert all(fact["indicator"] != CODE for fact in before["facts"])

    _name_in_config(workspace, 'catalogue = "catalogue.toml"\n')
    after = _cityops("indicators", "-w", root, "--period", "2025-03")
    added = {
        fact["region_code"]: (fact["numerator"], fact["denominator"])
        for fact in after["facts"]
        if fact["indicator"] == CODE
    }
    assert added == {"330000": (3, 5), CITY: (3, 5), EAST: (2, 3), WEST: (1, 1)}
    explained = _cityops(
        "indicators", "explain", CODE, "-w", root, "--region", EAST, "--period", "2025-03"
    )
    assert explained["value"] == pytest.approx(2 / 3)
    assert explained["definition_current"] is True


def test_a_city_adds_a_direction_by_editing_its_framework_file_alone(
    workspace: Workspace,
) -> None:
    framework = FRAMEWORK.read_text("utf-8")
    (workspace.root / "framework.yaml").write_text(framework + DATA_DIRECTION, "utf-8")
    _name_in_config(workspace, 'catalogue = "catalogue.toml"\nframework = "framework.yaml"\n')
    root = str(workspace.root)
    _cityops("indicators", "-w", root, "--period", "2025-03")
    run = _cityops("evaluate", "-w", root, "--period", "2025-03")
    east = next(r for r in run["regions"] if r["region_code"] == EAST)
    # one indicator in the direction: its normalised score, 100 · (2/3 − 0.90) ÷ (0.999 − 0.90)
    # clipped at 0, the example catalogue's goalposts
    assert list(east["directions"])[-1] == "data_value"
    assert east["directions"]["data_value"] == pytest.approx(0.0)
    west = next(r for r in run["regions"] if r["region_code"] == WEST)
    assert west["directions"]["data_value"] == pytest.approx(100.0)
