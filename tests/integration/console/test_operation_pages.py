"""The operations pages as the server renders them (FastAPI's TestClient): chart
containers, headings in Chinese and English, and every label their scripts ask for;
and the evaluation page's names of the framework's contents.

The charts themselves are drawn in the browser from ``/api/v1/operations``; the
API's figures are tested in ``tests/integration/api/test_operations*.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_writable import WritableApi, writable
from ingest_workspace import make_workspace

from cityops.api.deps import TOKEN_COOKIE
from cityops.console.routes import LANG_COOKIE

STATIC = Path(__file__).parents[3] / "src" / "cityops" / "console" / "static"

CHARTS = {
    "portal": ("portal-daily", "portal-cohorts", "portal-services", "portal-funnel",
               "portal-ratings"),
    "hotline": ("hotline-status", "hotline-response", "hotline-closure", "hotline-sla",
                "hotline-hours", "hotline-scores"),
    "infrastructure": ("infra-catalogue", "infra-quality", "infra-sharing", "infra-cameras",
                       "infra-cloud", "infra-incidents", "infra-timelines"),
}  # fmt: skip

HEADINGS = {
    ("portal", "zh"): ("门户运营", "留存分析 (按注册月份)", "一件事办理漏斗", "好差评"),
    ("portal", "en"): ("Portal operations", "Retention by registration month", "Ratings"),
    ("hotline", "zh"): ("12345 热线", "响应时长分布 (分钟)", "按部门超期情况", "回访满意度分布"),
    ("hotline", "en"): ("Hotline", "Time to respond (minutes)", "Deadlines by department"),
    ("infrastructure", "zh"): ("数据资源目录", "数据质量 (按维度)", "安全事件处置时间线"),
    ("infrastructure", "en"): ("Data catalogue", "Camera availability", "Incident timelines"),
}
"""Headings as the pages must read them (written here, not looked up in the labels)."""

ENUMERATED = {
    "portal": [
        *(f"rating.{n}" for n in range(1, 6)),
        *(f"portal.{stage}" for stage in ("started", "succeeded", "completed")),
    ],
    "hotline": [f"ticket_status.{s}" for s in ("created", "dispatched", "responded", "resolved",
                                               "closed", "reopened", "callback")],
    "infrastructure": [
        *(f"classification.{k}" for k in ("core", "important", "general")),
        *(f"share_type.{k}" for k in ("unconditional", "conditional", "none")),
        *(f"open_type.{k}" for k in ("open", "conditional", "none")),
        *(f"dimension.{k}" for k in ("completeness", "validity", "timeliness", "consistency")),
        *(f"grade.{n}" for n in range(1, 5)),
        *(f"infra.{k}" for k in ("classification", "share_type", "open_type", "vcpu", "memory",
                                 "storage", "to_respond", "to_contain", "to_recover")),
    ],
}  # fmt: skip
"""Labels the scripts build from a value (of the data contract, DATA-CONTRACT.md, or of
a list in the script) rather than name literally."""

_LITERAL_KEY = re.compile(r"""\bc\.t\("([a-z_]+\.[a-z_0-9]+)"\)""")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WritableApi]:
    with writable(make_workspace(tmp_path_factory.mktemp("console"))) as api:
        api.headers("supervisor")  # creates the user and its token
        yield api


def _page(console: WritableApi, page: str, lang: str) -> str:
    console.client.cookies.set(TOKEN_COOKIE, console.tokens["supervisor"])
    console.client.cookies.set(LANG_COOKIE, lang)
    answer = console.client.get(f"/console/{page}")
    assert answer.status_code == 200, answer.text
    return answer.text


def _labels(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="labels">(.*?)</script>', html, re.S)
    assert found, "the page carries its labels"
    labels: dict[str, str] = json.loads(found.group(1))
    return labels


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", sorted(CHARTS))
def test_a_page_has_its_chart_containers_and_headings_in_the_language(
    console: WritableApi, page: str, lang: str
) -> None:
    html = _page(console, page, lang)
    assert f'data-lang="{lang}"' in html
    for chart in CHARTS[page]:
        assert f'<div class="chart" id="{chart}"' in html
        assert f'id="{chart}-table"' in html
    for heading in HEADINGS[(page, lang)]:
        assert heading in html
    assert f'<script src="/static/{page}.js" defer></script>' in html
    assert 'id="region"' in html
    assert 'id="period"' in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("page", sorted(CHARTS))
def test_every_label_a_script_asks_for_is_on_its_page_in_both_languages(
    console: WritableApi, page: str
) -> None:
    script = (STATIC / f"{page}.js").read_text(encoding="utf-8")
    shared = (STATIC / "console.js").read_text(encoding="utf-8")
    operations_part = shared[shared.index("// Operations pages") :]
    asked = set(_LITERAL_KEY.findall(script + operations_part)) | set(ENUMERATED[page])
    assert len(asked) > 10
    zh, en = _labels(_page(console, page, "zh")), _labels(_page(console, page, "en"))
    assert asked <= set(zh)
    assert set(zh) == set(en)
    for key in zh:
        assert zh[key] != key, f"{key} has a label"
        assert zh[key] != en[key] or zh[key].isascii(), f"{key} is translated"


@pytest.mark.parametrize(("lang", "name"), [("zh", "基础设施"), ("en", "Infrastructure")])
def test_the_evaluation_page_names_the_frameworks_contents_in_the_language(
    console: WritableApi, lang: str, name: str
) -> None:
    labels = _labels(_page(console, "evaluation", lang))
    contents = {key: value for key, value in labels.items() if key.startswith("content.")}
    assert len(contents) == 22, "every content of the shipped framework"
    assert contents["content.基础设施"] == name
