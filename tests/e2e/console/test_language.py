"""Chinese by default, English on request, and no label a page asks for missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from console_site import OpenConsole

from cityops.access.roles import Role
from cityops.messages import Lang, label, messages
from cityops.services.summary import KEY_FIGURES

CONSOLE = Path(__file__).parents[3] / "src" / "cityops" / "console"
LABEL_CALL = re.compile(r"""\bt\(\s*['"]([^'"]+)['"]\s*\)""")
LABEL_LIST = re.compile(r"""{%\s*for key in \[(.*?)\]\s*%}""", re.DOTALL)
QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
SCRIPT_LABEL = re.compile(r"""\bc\.t\("([^"$]+)"\)""")
SCRIPTED_PAGES = ("overview", "evaluation", "contracts")
"""Pages whose script draws text: their template renders the labels it uses."""


def rendered_for_scripts(template: str) -> set[str]:
    """The label keys a template renders into its ``#labels`` block."""
    return {key for listed in LABEL_LIST.findall(template) for key in QUOTED.findall(listed)}


def test_every_label_a_template_asks_for_exists() -> None:
    texts = [path.read_text("utf-8") for path in (CONSOLE / "templates").glob("*.j2")]
    asked = {key for text in texts for key in LABEL_CALL.findall(text)}
    asked |= {key for text in texts for key in rendered_for_scripts(text)}
    assert asked, "the templates ask for labels"
    assert sorted(asked - set(messages())) == []


@pytest.mark.parametrize("page", SCRIPTED_PAGES)
def test_every_label_a_page_script_uses_is_rendered_into_its_page(page: str) -> None:
    script = (CONSOLE / "static" / f"{page}.js").read_text("utf-8")
    used = {*SCRIPT_LABEL.findall(script), "common.error"}  # cityops.fail shows common.error
    template = (CONSOLE / "templates" / f"{page}.html.j2").read_text("utf-8")
    assert len(used) > 1, "the script draws labelled text"
    assert sorted(used - rendered_for_scripts(template)) == []


@pytest.mark.slow
def test_switching_language_changes_the_labels_and_back(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open("/console/overview")
    page = supervisor.page
    current = page.locator("header nav a[aria-current=page]")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert current.inner_text() == label("nav.overview", Lang.ZH)

    page.click("#lang-switch")
    page.wait_for_url("**/console/overview")
    page.wait_for_function("() => document.body.dataset.ready !== undefined")
    assert page.locator("html").get_attribute("lang") == "en"
    assert current.inner_text() == label("nav.overview", Lang.EN)
    response_rate = next(f for f in KEY_FIGURES if f.key == "response_30min_rate")
    figure = page.locator("#figures a[data-figure='response_30min_rate']")
    assert figure.inner_text() == response_rate.label_en

    page.click("#lang-switch")
    page.wait_for_url("**/console/overview")
    assert current.inner_text() == label("nav.overview", Lang.ZH)
    assert supervisor.log.problems() == []
