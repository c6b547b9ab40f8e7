"""The published JSON Schemas of the advisor and compliance files are the code's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cityops.advisor.profile import profile_json_schema
from cityops.advisor.rules import advisor_rules_json_schema
from cityops.compliance.rules import compliance_rules_json_schema
from cityops.settlement.files import contract_json_schema

SCHEMAS = Path(__file__).parents[3] / "docs" / "schemas"


@pytest.mark.parametrize(
    ("name", "generate"),
    [
        ("contract", contract_json_schema),
        ("advisor-rules", advisor_rules_json_schema),
        ("project-profile", profile_json_schema),
        ("compliance-rules", compliance_rules_json_schema),
    ],
)
def test_the_published_schema_is_the_one_the_code_validates_with(
    name: str, generate: Callable[[], dict[str, Any]]
) -> None:
    published = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    assert published == generate(), f"docs/schemas/{name}.schema.json is stale"
