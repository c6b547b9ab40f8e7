"""The advice as plain data: what ``cityops advise --json`` prints and
``POST /api/v1/advisor`` returns (one function serves both).

The keys of the first version (``profile``, ``recommended``,
``return_mechanisms``, ``mechanism_reason``, ``ppp_sub_mode``,
``sub_mode_reason``, ``ranking``) keep their meaning; ``investor_mode``,
``operation_type``, ``gates`` and ``unknowns`` are added, and each ranking
entry names the gates that ruled its model out.
"""

from __future__ import annotations

from typing import Any

from cityops.advisor.advise import Advice, Choice, GateResult, Outcome, Reason

__all__ = ["advice_record"]


def advice_record(advice: Advice) -> dict[str, Any]:
    return {
        "profile": advice.profile,
        "recommended": advice.recommended.value,
        "return_mechanisms": [m.value for m in advice.mechanisms],
        "mechanism_reason": _reason(advice.mechanism_reason),
        "ppp_sub_mode": None if advice.ppp_sub_mode is None else advice.ppp_sub_mode.value,
        "sub_mode_reason": _reason(advice.sub_mode_reason),
        "investor_mode": _choice(advice.investor_mode),
        "operation_type": _choice(advice.operation_type),
        "gates": [_gate(gate) for gate in advice.gates],
        "risks": [_reason(risk) for risk in advice.risks],
        "unknowns": {
            "fields": list(advice.unknown_fields),
            "certain": advice.certain,
            "possible_models": [m.value for m in advice.possible_models],
            "deciding_fields": list(advice.deciding_fields),
            "alternatives": [
                {"field": a.field, "value": a.value} | _outcome(a.outcome)
                for a in advice.alternatives
            ],
        },
        "ranking": [
            {
                "model": s.model.value,
                "score": s.score,
                "ruled_out": s.ruled_out,
                "ruled_out_by": [_gate(g) for g in s.ruled_out_by],
                "reasons": [
                    {"points": r.points, "reason": r.reason, "source": r.source} for r in s.reasons
                ],
            }
            for s in advice.ranking
        ],
    }


def _reason(reason: Reason | None) -> dict[str, Any] | None:
    if reason is None:
        return None
    return {"points": reason.points, "reason": reason.reason, "source": reason.source}


def _choice(choice: Choice[Any] | None) -> dict[str, Any] | None:
    if choice is None:
        return None
    return {
        "value": choice.value.value,
        "implementation": choice.implementation,
        "reason": choice.reason,
        "source": choice.source,
    }


def _gate(gate: GateResult) -> dict[str, Any]:
    return {
        "rules_out": [m.value for m in gate.models],
        "investor_modes_ruled_out": [m.value for m in gate.investor_modes],
        "status": "holds" if gate.holds else "unknown",
        "fields": list(gate.fields),
        "reason": gate.reason,
        "source": gate.source,
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "recommended": outcome.recommended.value,
        "investor_mode": None if outcome.investor_mode is None else outcome.investor_mode.value,
        "operation_type": None if outcome.operation_type is None else outcome.operation_type.value,
    }
