"""The message catalogue: every term in both languages, every key the code asks for
present, and no term that nothing shows.

Keys are found in the sources as they are written: quoted literals in Python,
templates and scripts (``"common.rank"``), and families built from a value
(``f"unit.{meta.unit}"``, ``'rating.' ~ n``, ``` `stage.${code}` ```), whose members
must be exactly the values of the enum or contract field they name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import pytest

from cityops.compliance.checks import Outcome
from cityops.domain.contract import table
from cityops.domain.stages import STAGES
from cityops.errors import ConfigError
from cityops.evaluation.aggregation import Aggregation
from cityops.evaluation.framework import OutlierTreatment, WeightMethod
from cityops.evaluation.imputation import Imputation
from cityops.evaluation.normalisation import Normalisation
from cityops.indicators.catalogue import Unit, load_catalogue
from cityops.messages import Lang, Text, label, messages, parse_messages, text
from cityops.settlement.statement import LineStatus, StatementStatus
from cityops.types import Polarity

SRC = Path(__file__).parents[2] / "src" / "cityops"
SOURCES = sorted(
    path
    for pattern in ("**/*.py", "**/*.j2", "console/static/*.js")
    for path in SRC.glob(pattern)
    if "vendor" not in path.parts
)
QUOTED = re.compile(r"""["'`]([a-z_]+\.[a-z0-9_]+)["'`]""")
BUILT = re.compile(r"""(?:f["']|["']|`)([a-z_]+)\.(?:\{|\$\{|["']\s*~)""")
"""The family of a key built from a value: f"unit.{…}", `stage.${…}`, 'rating.' ~ …"""

FAMILIES: dict[str, Iterable[object]] = {
    "stage": (stage.code for stage in STAGES),
    "polarity": Polarity,
    "unit": Unit,
    "normalisation": Normalisation,
    "weighting": WeightMethod,
    "aggregation": Aggregation,
    "imputation": Imputation,
    "outliers": OutlierTreatment,
    "status": StatementStatus,
    "line": LineStatus,
    "outcome": Outcome,
    "ingest": ("received", "stored", "quarantined", "duplicates", "rejected"),
    "rating": range(1, 6),  # portal_ratings.rating, 1 … 5
    "ticket_status": table("ticket_events").field("status").allowed,
    "dimension": table("data_quality_checks").field("dimension").allowed,
    "grade": table("security_events").field("grade").allowed,
    "classification": table("data_resources").field("classification").allowed,
    "share_type": table("data_resources").field("share_type").allowed,
    "open_type": table("data_resources").field("open_type").allowed,
}
"""Families of keys built from a value, and the values they must name, each once."""
BUILT_IN_SCRIPT = {"classification", "share_type", "open_type"}
"""Families the infrastructure page names by a variable (`${group}.${key}`)."""
BUILT_IN_PART = {
    "portal": ("started", "succeeded", "completed"),
    "infra": ("classification", "share_type", "open_type", "vcpu", "memory", "storage",
              "to_respond", "to_contain", "to_recover"),
}  # fmt: skip
"""Keys a page script builds from a list of its own, in a group whose other keys are
named as they are."""
PART_KEYS = {f"{group}.{name}" for group, names in BUILT_IN_PART.items() for name in names}


def _value(member: object) -> str:
    return member.value if isinstance(member, StrEnum) else str(member)


def _sources() -> str:
    return "\n".join(_without_docstrings(path) for path in SOURCES)


def _without_docstrings(path: Path) -> str:
    """The file's text; for Python, without its docstrings (any string standing alone as
    a statement), whose examples (a file's ``indicator 'infra.test'``) are prose."""
    text = path.read_text("utf-8")
    if path.suffix != ".py":
        return text
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for number in range(node.lineno - 1, node.end_lineno or node.lineno):
                lines[number] = ""
    return "\n".join(lines)


def test_every_message_has_both_languages_and_a_translation() -> None:
    untranslated = [
        key for key, words in messages().items() if words.zh == words.en and not words.zh.isascii()
    ]
    assert untranslated == []
    assert all(words.zh and words.en for words in messages().values())


def test_a_message_reads_in_the_language_asked_for() -> None:
    assert label("common.rank", Lang.ZH) == "排名"
    assert label("common.rank", Lang.EN) == "Rank"
    assert text("polarity.lower") == Text("越低越好", "lower is better")


def test_stage_names_are_the_domains() -> None:
    assert [text(f"stage.{stage.code}") for stage in STAGES] == [
        Text(stage.name_zh, stage.name_en) for stage in STAGES
    ]
    assert label("stage.growing", Lang.ZH) == "成长期"


def test_a_message_file_is_read_as_groups_of_entries() -> None:
    found = parse_messages('[common]\nrank = { zh = "排名", en = "Rank" }\n', "m.toml")
    assert found == {"common.rank": Text("排名", "Rank")}


@pytest.mark.parametrize(
    "entry",
    [
        'rank = { zh = "排名" }',
        'rank = { zh = "排名", en = "" }',
        'rank = { zh = "排名", en = "Rank", fr = "Rang" }',
        'rank = "排名"',
    ],
)
def test_an_entry_without_exactly_both_languages_is_refused(entry: str) -> None:
    with pytest.raises(ConfigError, match=r"m\.toml: common\.rank: needs exactly zh and en"):
        parse_messages(f"[common]\n{entry}\n", "m.toml")


def test_a_message_outside_a_group_is_refused() -> None:
    with pytest.raises(ConfigError, match="'rank' is not a table of messages"):
        parse_messages('rank = "排名"\n', "m.toml")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_family_built_from_values_names_each_value_once(family: str) -> None:
    keys = {key for key in messages() if key.split(".")[0] == family}
    assert keys == {f"{family}.{_value(member)}" for member in FAMILIES[family]}


def test_every_key_the_sources_name_is_a_message() -> None:
    sources = _sources()
    namespaces = {key.split(".")[0] for key in messages()}
    indicators = set(load_catalogue().codes)
    named = {
        key
        for key in QUOTED.findall(sources)
        if key.split(".")[0] in namespaces and key not in indicators
    }
    assert len(named) > 200
    assert sorted(named - set(messages())) == []
    built = set(BUILT.findall(sources)) & namespaces
    assert sorted(built - set(FAMILIES) - set(BUILT_IN_PART)) == []
    assert sorted(PART_KEYS - set(messages())) == []


def test_every_message_is_shown_somewhere() -> None:
    sources = _sources()
    built = (set(BUILT.findall(sources)) | BUILT_IN_SCRIPT) & set(FAMILIES)
    unused = [
        key
        for key in messages()
        if key.split(".")[0] not in built
        and key not in PART_KEYS
        and not re.search(rf"""["'`]{re.escape(key)}["'`]""", sources)
    ]
    assert unused == []
