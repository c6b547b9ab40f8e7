"""``cityops advise PROJECT.yaml``: which operating model and return mechanism fit a
project, ranked, with the reasons and their sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, emit

__all__ = ["advise"]


def advise(
    profile: Annotated[Path, typer.Argument(help="Project profile (YAML).")],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="A rules file of your own [default: the shipped rules]."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rank the five typical models (政府购买服务, PPP, EPC, 平台公司, 联合公司) for the
    project in PROFILE by the report's applicability rules, and name a return mechanism."""
    from cityops.advisor.advise import advise as rank_models
    from cityops.advisor.profile import load_profile
    from cityops.advisor.rules import DEFAULT_RULES, load_rules

    advice = rank_models(load_profile(profile), load_rules(rules or DEFAULT_RULES))
    result = {
        "profile": advice.profile,
        "recommended": advice.recommended.value,
        "return_mechanisms": [m.value for m in advice.mechanisms],
        "mechanism_reason": None
        if advice.mechanism_reason is None
        else {"reason": advice.mechanism_reason.reason, "source": advice.mechanism_reason.source},
        "ppp_sub_mode": None if advice.ppp_sub_mode is None else advice.ppp_sub_mode.value,
        "sub_mode_reason": None
        if advice.sub_mode_reason is None
        else {"reason": advice.sub_mode_reason.reason, "source": advice.sub_mode_reason.source},
        "ranking": [
            {
                "model": s.model.value,
                "score": s.score,
                "reasons": [
                    {"points": r.points, "reason": r.reason, "source": r.source} for r in s.reasons
                ],
            }
            for s in advice.ranking
        ],
    }

    def describe(console: Console) -> None:
        console.print(f"[bold]{advice.profile}[/]: recommended [bold]{advice.recommended}[/]")
        if advice.mechanisms:
            names = " + ".join(m.value for m in advice.mechanisms)
            console.print(f"return mechanism: {names}")
        if advice.ppp_sub_mode is not None and advice.sub_mode_reason is not None:
            console.print(
                f"PPP sub-mode: {advice.ppp_sub_mode.value} — {advice.sub_mode_reason.reason}"
                f"  [dim]({advice.sub_mode_reason.source})[/]",
                highlight=False,
            )
        for rank, score in enumerate(advice.ranking, start=1):
            console.print(f"{rank}. {score.model.value}  {score.score:+d}")
            for reason in score.reasons:
                console.print(
                    f"   {reason.points:+d}  {reason.reason}  [dim]({reason.source})[/]",
                    highlight=False,
                )

    emit(result, as_json, describe)
