"""Region names of the synthetic city read like real ones and never repeat."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cityops.synth.regions import build_regions
from cityops.synth.scales import SCALES

# two syllables (optionally 新 before them), a second character, then 街道 or 镇
STREET_NAME = re.compile(r"^新?\w{2}\w(街道|镇)$")


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_street_names_are_well_formed_and_distinct(scale: str) -> None:
    tree = build_regions(SCALES[scale], np.random.default_rng(1))
    table = tree.to_table().to_pylist()
    streets = [row["name"] for row in table if row["level"] == "street"]
    assert streets, "every scale has streets"
    assert all(STREET_NAME.match(name) for name in streets), streets
    assert len(set(streets)) == len(streets)
