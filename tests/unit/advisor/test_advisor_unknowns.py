"""Unknown facts are first-class: the advisor never claims a certainty it does not
have.  When a field is ``unknown`` the answer lists every value of it that would
change the model, investor mode or operation type, and calls itself certain only
when no value would."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.advisor.advise import advise
from cityops.advisor.profile import CONDITION_FIELDS, UNKNOWN, ProjectProfile, field_values
from cityops.advisor.rules import load_rules

RULES = load_rules()


@st.composite
def profiles(draw: st.DrawFn, unknown_share: float = 0.2) -> ProjectProfile:
    """Any profile, some of its facts unknown."""
    facts: dict[str, Any] = {"name": "p"}
    for name in CONDITION_FIELDS:
        if draw(st.floats(0, 1)) < unknown_share:
            facts[name] = UNKNOWN
        else:
            facts[name] = draw(st.sampled_from(field_values(name)))
    return ProjectProfile.model_validate(facts)


@settings(max_examples=150, deadline=None)
@given(profile=profiles(), field=st.sampled_from(CONDITION_FIELDS))
def test_making_a_fact_unknown_never_makes_the_advice_more_certain(
    profile: ProjectProfile, field: str
) -> None:
    known = getattr(profile, field)
    hidden = profile.model_copy(update={field: UNKNOWN})
    advice = advise(hidden, RULES)
    assert field in advice.unknown_fields
    # the answer with the fact known is among the answers the advice lists
    if known != UNKNOWN:
        before = advise(profile, RULES).outcome
        listed = {advice.outcome} | {
            a.outcome for a in advice.alternatives if a.field == field and a.value == known
        }
        assert before in listed
        assert before.recommended in advice.possible_models
    # certain only when no value of the hidden fact changes anything
    for value in field_values(field):
        outcome = advise(hidden.model_copy(update={field: value}), RULES).outcome
        if outcome != advice.outcome:
            assert not advice.certain
            assert field in advice.deciding_fields
            assert any(
                a.field == field and a.value == value and a.outcome == outcome
                for a in advice.alternatives
            )


@settings(max_examples=60, deadline=None)
@given(profile=profiles(unknown_share=0.4))
def test_a_gate_on_an_unknown_fact_never_rules_a_model_out(profile: ProjectProfile) -> None:
    advice = advise(profile, RULES)
    unknown = set(profile.unknown_fields())
    for score in advice.ranking:
        for gate in score.ruled_out_by:
            assert gate.holds is True
    for gate in advice.gates:
        if gate.holds is None:
            assert set(gate.fields) & unknown


def test_a_profile_with_every_fact_known_is_certain() -> None:
    facts: dict[str, Any] = {name: field_values(name)[0] for name in CONDITION_FIELDS}
    advice = advise(ProjectProfile.model_validate({"name": "p"} | facts), RULES)
    assert advice.unknown_fields == ()
    assert advice.certain
    assert advice.possible_models == (advice.recommended,)
