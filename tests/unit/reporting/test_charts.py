"""The SVG bar chart: geometry worked out by hand, and well-formed for any labels."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.reporting.charts import Bar, ChartScale, ReferenceLine, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _rects(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}rect")


def _texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_the_scale_maps_values_linearly_between_its_ends() -> None:
    scale = ChartScale(lo=0.0, hi=200.0, left=100.0, width=400.0)
    # x(v) = 100 + 400·v/200
    assert scale.x(0.0) == 100.0
    assert scale.x(50.0) == 200.0
    assert scale.x(200.0) == 500.0


def test_bars_start_at_zero_and_their_lengths_follow_the_values() -> None:
    root = _parse(bar_chart_svg([Bar("a", 25.0, "25"), Bar("b", 100.0, "100")], width=500))
    first, second = _rects(root)
    assert float(first.get("x", "")) == pytest.approx(float(second.get("x", "")))
    assert float(second.get("width", "")) == pytest.approx(4 * float(first.get("width", "")))


def test_a_reference_line_sits_where_its_value_falls_between_the_bars() -> None:
    # domain [0, 100]; the line at 50 must be half-way along the 100-long bar
    svg = bar_chart_svg([Bar("a", 100.0, "100")], lines=[ReferenceLine(50.0, "目标 50")])
    root = _parse(svg)
    (rect,) = _rects(root)
    (line,) = root.findall(f"{SVG}line")
    start, length = float(rect.get("x", "")), float(rect.get("width", ""))
    assert float(line.get("x1", "")) == pytest.approx(start + length / 2, abs=0.01)
    assert "目标 50" in _texts(root)


def test_the_extent_keeps_scores_on_the_whole_scale() -> None:
    narrow = _parse(bar_chart_svg([Bar("a", 50.0, "50")]))
    full = _parse(bar_chart_svg([Bar("a", 50.0, "50")], extent=(0.0, 100.0)))
    assert float(_rects(full)[0].get("width", "")) == pytest.approx(
        float(_rects(narrow)[0].get("width", "")) / 2
    )


def test_a_negative_value_is_drawn_left_of_zero() -> None:
    root = _parse(bar_chart_svg([Bar("gain", 10.0, "+10"), Bar("loss", -10.0, "-10")]))
    gain, loss = _rects(root)
    assert float(loss.get("x", "")) + float(loss.get("width", "")) == pytest.approx(
        float(gain.get("x", "")), abs=0.01
    )
    assert float(loss.get("width", "")) == pytest.approx(float(gain.get("width", "")))


def test_a_missing_value_draws_no_bar_but_keeps_its_row_and_text() -> None:
    root = _parse(bar_chart_svg([Bar("有值", 1.0, "1"), Bar("缺失区", None, "—")]))
    assert len(_rects(root)) == 1
    assert {"有值", "缺失区", "—"} <= set(_texts(root))


def test_labels_from_data_are_escaped() -> None:
    svg = bar_chart_svg([Bar('<script>alert("x")</script>&', 1.0, "<b>")], title="<t>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = _parse(svg)
    assert '<script>alert("x")</script>&' in _texts(root)


def test_a_label_too_long_for_its_column_is_cut_with_an_ellipsis() -> None:
    long_name = "很长的区域名称" * 10
    texts = _texts(_parse(bar_chart_svg([Bar(long_name, 1.0, "1")], width=300)))
    cut = [t for t in texts if t.endswith("…")]
    assert cut
    assert long_name.startswith(cut[0][:-1])


labels = st.text(max_size=40)
values = st.one_of(
    st.none(),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.just(math.nan),
    st.just(math.inf),
)


@given(st.lists(st.tuples(labels, values, labels), max_size=12), labels)
def test_any_labels_and_values_give_well_formed_svg(
    rows: list[tuple[str, float | None, str]], title: str
) -> None:
    bars = [Bar(label, value, text) for label, value, text in rows]
    root = _parse(bar_chart_svg(bars, title=title))
    drawn = [v for _, v, _ in rows if v is not None and math.isfinite(v)]
    assert len(_rects(root)) == len(drawn)
    width = float(root.get("width", ""))
    for rect in _rects(root):
        x, w = float(rect.get("x", "")), float(rect.get("width", ""))
        assert w >= 0
        assert 0 <= x <= width + 0.01


@given(st.lists(st.floats(min_value=0.001, max_value=1e6), min_size=2, max_size=10))
def test_positive_bars_are_proportional_to_their_values(numbers: list[float]) -> None:
    root = _parse(bar_chart_svg([Bar(str(i), v, "") for i, v in enumerate(numbers)]))
    widths = [float(rect.get("width", "")) for rect in _rects(root)]
    longest = max(numbers)
    # the longest bar spans the plot; the others are scaled by value/longest
    for value, width in zip(numbers, widths, strict=True):
        assert width == pytest.approx(max(widths) * value / longest, abs=0.02)
