"""``cityops advise PROJECT.yaml``: which operating model, investor mode, operation
type and return mechanism fit a project, with the gates, reasons and sources, and
the answer under each value of an unknown fact that would change it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["advise"]


def advise(
    profile: Annotated[Path, typer.Argument(help="Project profile (YAML).")],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="A rules file of your own [default: the shipped rules]."),
    ] = None,
    as_json: JsonOption = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Rank the five typical models (政府购买服务, PPP, EPC, 平台公司, 联合公司) for the
    project in PROFILE by the report's applicability rules, after ruling out those whose
    necessary conditions fail; name the investor mode, the operation type, the return
    mechanism(s), and what unknown facts would change the answer.  When the profile
    names a region, the workspace's budgets and operators for it are read."""
    from cityops.advisor.profile import load_profile
    from cityops.advisor.rules import DEFAULT_RULES
    from cityops.messages import text
    from cityops.services.advisor import advise_in_city, answer_record

    project = load_profile(profile)
    if project.region is None:
        advice, facts = advise_in_city(None, project, rules or DEFAULT_RULES)
    else:
        with unit_of_work(workspace) as uow:
            advice, facts = advise_in_city(uow, project, rules or DEFAULT_RULES)
    record = answer_record(advice, facts)

    def words(key: str) -> str:
        found = text(key)
        return f"{found.zh} {found.en}"

    def describe(console: Console) -> None:
        def say(line: str) -> None:
            """One line as written: profile and rule texts are never read as markup."""
            console.print(line, markup=False, highlight=False)

        say(f"{advice.profile}: {words('advisor.recommended')} {advice.recommended}")
        if advice.investor_mode is not None:
            mode = advice.investor_mode
            say(
                f"{words('advisor.investor_mode')}: {mode.value.value} ({mode.implementation})"
                f" — {mode.reason}  ({mode.source})",
            )
        if advice.operation_type is not None:
            kind = advice.operation_type
            say(
                f"{words('advisor.operation_type')}: {kind.value.value} — {kind.reason}"
                f"  ({kind.source})",
            )
        if advice.mechanisms:
            names = " + ".join(m.value for m in advice.mechanisms)
            say(f"{words('advisor.return_mechanism')}: {names}")
        if advice.ppp_sub_mode is not None and advice.sub_mode_reason is not None:
            say(
                f"{words('advisor.ppp_sub_mode')}: {advice.ppp_sub_mode.value} — "
                f"{advice.sub_mode_reason.reason}  ({advice.sub_mode_reason.source})",
            )
        for rank, score in enumerate(advice.ranking, start=1):
            say(f"{rank}. {score.model.value}  {score.score:+d}")
            for gate in score.ruled_out_by:
                say(
                    f"   {words('advisor.ruled_out')}: {gate.reason}  ({gate.source})",
                )
            for reason in score.reasons:
                say(
                    f"   {reason.points:+d}  {reason.reason}  ({reason.source})",
                )
        for gate in advice.gates:
            if gate.holds is None:
                models = "、".join(m.value for m in gate.models)
                say(
                    f"{words('advisor.gate_unknown')}: {models} ← {', '.join(gate.fields)}"
                    f" — {gate.reason}",
                )
        if facts is not None:
            share = "—" if facts.ppp_share is None else f"{facts.ppp_share * 100:.2f} %"
            say(
                f"{words('advisor.city')} {facts.region_code} ({facts.year or '—'}): "
                f"{words('advisor.ppp_budget_share')} {share}; "
                f"{words('advisor.joint_companies')}: {'、'.join(facts.joint_companies) or '—'}",
            )
        for risk in advice.risks:
            say(
                f"{words('advisor.risk')}: {risk.reason}  ({risk.source})",
            )
        if advice.unknown_fields:
            say(f"{words('advisor.unknown_fields')}: {', '.join(advice.unknown_fields)}")
            if advice.certain:
                say(f"  {words('advisor.certain')}")
            for alt in advice.alternatives:
                outcome = alt.outcome
                say(
                    f"  {words('advisor.alternatives')} {alt.field}={alt.value}: "
                    f"{outcome.recommended.value} · {outcome.investor_mode or '—'} · "
                    f"{outcome.operation_type or '—'}",
                )

    emit(record, as_json, describe)
