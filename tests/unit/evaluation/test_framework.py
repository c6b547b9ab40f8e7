"""The framework file: the shipped default, its schema, and what is refused."""

from __future__ import annotations

import json
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
from cityops.indicators.catalogue import Direction, load_catalogue

SCHEMA = Path(__file__).parents[3] / "docs" / "schemas" / "framework.schema.json"

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
        Direction.CONTENT: 0.2,
        Direction.MECHANISM: 0.2,
        Direction.CAPABILITY: 0.3,
        Direction.EFFECTIVENESS: 0.3,
    }
    assert framework.hash == load_framework().hash


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
