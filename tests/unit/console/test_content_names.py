"""Every content of the indicator catalogue has an English name for the console."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from cityops.console.i18n import CONTENT_NAMES_EN, Lang, label


def _catalogue_contents() -> set[str]:
    text = files("cityops.indicators").joinpath("catalogue.toml").read_text(encoding="utf-8")
    directions = tomllib.loads(text)["directions"]
    return {name for direction in directions.values() for name in direction["contents"]}


def test_every_catalogue_content_has_an_english_name_and_no_other() -> None:
    assert set(CONTENT_NAMES_EN) == _catalogue_contents()


def test_a_content_label_is_chinese_in_chinese_and_english_in_english() -> None:
    assert label("content.基础设施", Lang.ZH) == "基础设施"
    assert label("content.基础设施", Lang.EN) == "Infrastructure"
