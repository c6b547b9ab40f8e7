"""The report as HTML, rendered with Jinja2 (autoescaped) from ``ReportContent``.

One self-contained document: inline CSS, charts as inline SVG, no scripts, no
external resources, so it can be mailed or archived as is.  The same document,
read with its print rules, is what the PDF is made from.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cityops.reporting.formatting import format_change, format_money, format_score, format_share
from cityops.reporting.model import ReportContent

__all__ = ["format_weight", "render_html"]


def format_weight(weight: float) -> str:
    """A weight with three decimals (weights within a node sum to 1)."""
    return f"{weight:.3f}"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cityops.reporting", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {
        "score": format_score,
        "change": format_change,
        "share": format_share,
        "money": format_money,
        "weight": format_weight,
    }
    return env


def render_html(content: ReportContent) -> str:
    """The report as one HTML document."""
    return _environment().get_template("report.html.j2").render(r=content)
