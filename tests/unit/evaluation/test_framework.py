"""The framework file: the shipped default, its schema, and what is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cityops.errors import ConfigError
from cityops.evaluation.framework import (
    Framework,
    WeightMethod,
    framework_json_schema,
    load_framework,
    parse_framework,
    resolve_framework,
)
from cityops.indicators.catalogue import load_catalogue

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "framework.schema.json"
DEFAULT = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"

MINIMAL = """
name: t
version: 1
weighting: {method: ahp, comparisons: %(root)s}
directions:
  - code: content
    contents:
      - name: 数据资源
        weighting: %(content)s
        indicators:
          - code: data.sharing_rate
          - code: data.open_rate
            weight: 3
            normalisation: minmax
            outliers: coinr
  - code: mechanism
    contents: [{name: 统筹管理机制, indicators: [{code: mechanism.coordination}]}]
  - code: capability
    contents: [{name: 可用性, indicators: [{code: capability.online_availability}]}]
  - code: effectiveness
    contents: [{name: 用户覆盖率, indicators: [{code: effect.resident_coverage}]}]
"""
CONSISTENT = "[[1, 1, 0.5, 0.5], [1, 1, 0.5, 0.5], [2, 2, 1, 1], [2, 2, 1, 1]]"


def _load(root: str = CONSISTENT, content: str = "{method: expert}") -> Framework:
    text = MINIMAL % {"root": root, "content": content}
    return resolve_framework(parse_framework(text, "f.yaml"), load_catalogue())


def test_the_default_framework_covers_every_catalogue_indicator_once() -> None:
    framework = load_framework()
    assert sorted(leaf.code for leaf in framework.indicators) == sorted(load_catalogue().codes)
    assert framework.direction_weights == {
        "content": 0.2,
        "mechanism": 0.2,
        "capability": 0.3,
        "effectiveness": 0.3,
    }
    assert framework.hash == load_framework().hash


def test_the_default_framework_names_every_direction_and_content_in_both_languages() -> None:
    framework = load_framework()
    assert [(d.code, d.name_zh, d.name_en) for d in framework.directions] == [
        ("content", "运营内容", "Operation content"),
        ("mechanism", "运营机制", "Operation mechanism"),
        ("capability", "运营能力", "Operation capability"),
        ("effectiveness", "运营成效", "Operation effectiveness"),
    ]
    assert [(d.short_zh, d.short_en) for d in framework.directions] == [
        ("内容", "content"),
        ("机制", "mechan."),
        ("能力", "capab."),
        ("成效", "effect."),
    ]
    contents = [c for d in framework.directions for c in d.contents]
    assert len(contents) == 22
    assert all(c.name_en and c.name_en != c.name_zh for c in contents)
    assert [c.path for c in contents] == [n.path for n in framework.nodes if "/" in n.path]


def test_names_are_labels_that_do_not_change_the_frameworks_hash() -> None:
    shipped = DEFAULT.read_text("utf-8")
    unnamed = re.sub(r"^ *(name_en|name_zh|short_zh|short_en): .*\n", "", shipped, flags=re.M)
    renamed = shipped.replace("name_en: Operation content", "name_en: Content of operation")
    reweighted = shipped.replace("weight: 0.2", "weight: 0.25", 1)
    hashes = [
        resolve_framework(parse_framework(text, "f.yaml"), load_catalogue()).hash
        for text in (shipped, unnamed, renamed, reweighted)
    ]
    assert "name_zh" not in unnamed
    assert hashes[0] == hashes[1] == hashes[2] == load_framework().hash
    assert hashes[3] != hashes[0]


def test_a_framework_without_names_shows_its_codes_and_chinese_content_names() -> None:
    framework = _load()
    content = framework.direction("content")
    assert (content.name_zh, content.name_en, content.short_zh, content.short_en) == (
        "content",
        "content",
        "content",
        "content",
    )
    assert [(c.path, c.name_en) for c in content.contents] == [("content/数据资源", "数据资源")]


def test_the_schema_in_docs_is_the_models_schema() -> None:
    assert json.loads(SCHEMA.read_text("utf-8")) == framework_json_schema()


def test_ahp_and_expert_weights_resolve_with_leaf_overrides() -> None:
    framework = _load()
    # consistent matrix 1:1:2:2 → 1/6, 1/6, 1/3, 1/3; expert 1 and 3 → ¼, ¾
    assert framework.root.static_weights == pytest.approx((1 / 6, 1 / 6, 1 / 3, 1 / 3))
    content = framework.node("content/数据资源")
    assert content.static_weights == pytest.approx((0.25, 0.75))
    leaf = next(i for i in framework.indicators if i.code == "data.open_rate")
    assert (leaf.normalisation, leaf.outliers) == ("minmax", "coinr")


def test_data_driven_weights_are_left_for_the_data() -> None:
    node = _load(content="{method: critic}").node("content/数据资源")
    assert node.weighting.method is WeightMethod.CRITIC
    assert node.static_weights is None


def test_an_inconsistent_ahp_matrix_is_refused_naming_the_node() -> None:
    cycle = "[[1, 9, 0.1111111, 1], [0.1111111, 1, 9, 1], [9, 0.1111111, 1, 1], [1, 1, 1, 1]]"
    with pytest.raises(ConfigError, match=r"\(root\).*consistency ratio"):
        _load(root=cycle)


def test_an_ahp_matrix_of_the_wrong_order_says_which_children() -> None:
    with pytest.raises(ConfigError, match=r"4×4.*content, mechanism"):
        _load(root="[[1, 2], [0.5, 1]]")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("data.open_rate", "effect.happiness"), r"not in the catalogue.*effect\.happiness"),
        (("data.open_rate", "data.sharing_rate"), r"more than once.*data\.sharing_rate"),
        (("code: effectiveness", "code: content"), r"exactly once"),
        (("weight: 3", "weight: -1"), "weight"),
        (("normalisation: minmax", "normalisation: fancy"), "normalisation"),
        (("data.open_rate", "effect.mau_rate"), "belongs to direction effectiveness"),
        (
            ("code: mechanism", "code: Mechanism"),
            r"f\.yaml:\d+: directions 'Mechanism', field code",
        ),
    ],
)
def test_a_wrong_framework_is_refused_with_a_message_naming_the_problem(
    edit: tuple[str, str], message: str
) -> None:
    text = (MINIMAL % {"root": CONSISTENT, "content": "{method: expert}"}).replace(*edit)
    with pytest.raises(ConfigError, match=message):
        resolve_framework(parse_framework(text, "f.yaml"), load_catalogue())


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "framework.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_framework(path)
