"""A profile's yes/no conditions are booleans as written: the published schema says
``boolean``, so ``0``, ``1`` or ``"yes"`` is refused rather than read as one."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from cityops.advisor.profile import CONDITION_FIELDS, UNKNOWN, ProjectProfile

YES_NO = [
    name
    for name in CONDITION_FIELDS
    if bool in get_args(ProjectProfile.model_fields[name].annotation)
]
FACTS = {
    "name": "p",
    "scope": UNKNOWN,
    "investment_size": UNKNOWN,
    "revenue_potential": UNKNOWN,
    "security_sensitivity": UNKNOWN,
    "boundary_clear": UNKNOWN,
    "government_capacity": UNKNOWN,
    "fiscal_room": UNKNOWN,
    "wants_local_team": UNKNOWN,
    "time_critical": UNKNOWN,
    "long_term_stable_demand": UNKNOWN,
    "construction_heavy": UNKNOWN,
    "data_operation_need": UNKNOWN,
    "local_state_company": UNKNOWN,
}


def test_every_yes_no_condition_is_checked() -> None:
    assert len(YES_NO) == 8


@pytest.mark.parametrize("name", YES_NO)
@pytest.mark.parametrize("value", [0, 1, "yes", "true", 0.0])
def test_a_yes_no_condition_refuses_what_is_not_a_boolean(name: str, value: object) -> None:
    with pytest.raises(ValidationError, match="must be true, false or unknown"):
        ProjectProfile.model_validate(FACTS | {name: value})


@pytest.mark.parametrize("name", YES_NO)
@pytest.mark.parametrize("value", [True, False, UNKNOWN])
def test_a_yes_no_condition_takes_a_boolean_or_unknown(name: str, value: object) -> None:
    assert getattr(ProjectProfile.model_validate(FACTS | {name: value}), name) == value
