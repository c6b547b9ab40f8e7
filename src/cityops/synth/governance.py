"""The people and the paperwork: operator staff, mechanism evidence and surveys.

Mechanism evidence (五个一 and the other items of INDICATORS.md) is
assessed each month for the city and every district; a weak district lacks
some items and scores lower on those it has.  Satisfaction surveys of the
public, government staff and enterprises are run per district and month.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cityops.domain.contract import RESPONDENTS

from .columns import categorical, contract_table, prefixed_ids
from .context import Batch, SynthContext
from .window import Day

__all__ = ["MECHANISM_ITEMS", "GovernanceStream", "staff_table"]

MECHANISM_ITEMS = (
    "leading_group", "lead_department", "data_center", "operating_company", "operation_measures",
    "revenue_sharing_agreement", "data_revenue_rules", "cost_sharing_rules",
    "kpi_agreement", "periodic_evaluation", "third_party_evaluation", "public_disclosure",
    "payment_linked_to_kpi", "penalty_clauses", "bonus_clauses",
    "plan_exists", "plan_covers_five_objects", "plan_has_targets", "plan_reviewed_yearly",
)  # fmt: skip
_ROLES = ("项目经理", "运维工程师", "数据分析师", "安全工程师", "客服专员", "系统架构师")
_ASSESSORS = ("市数据局", "第三方评估机构")
_SURVEY_OFFSET = np.array([0.0, 3.0, -2.0])  # public, government, enterprise
_SURVEY_SAMPLES = ((300, 1_200), (30, 120), (50, 300))


def _assessed_regions(ctx: SynthContext) -> np.ndarray:
    return np.concatenate([[ctx.regions.city_index], ctx.regions.district_index])


def staff_table(ctx: SynthContext, rng: np.random.Generator) -> pa.Table:
    """The operators' teams: required posts are certified more often in strong districts."""
    n = ctx.scale.staff
    assessed = _assessed_regions(ctx)
    region = assessed[rng.integers(0, len(assessed), n)]
    operators = [
        "示范市智慧城市运营有限公司" if d < 0 else f"{ctx.regions.names[r]}数字科技有限公司"
        for r, d in zip(assessed, ctx.district_of(assessed), strict=True)
    ]
    operator = np.searchsorted(assessed, region)  # ``assessed`` is in ascending region order
    return contract_table(
        "staff",
        {
            "staff_id": prefixed_ids("ST", np.arange(1, n + 1), 5),
            "operator": categorical(operators, operator),
            "region_code": categorical(ctx.regions.codes, region),
            "role": categorical(_ROLES, rng.integers(0, len(_ROLES), n)),
            "required": rng.random(n) < 0.8,
            "certified": rng.random(n) < ctx.level_of(region, 0.5, 0.98),
        },
    )


class GovernanceStream:
    """Mechanism evidence and surveys, written on the first day of each month."""

    tables = ("mechanism_evidence", "surveys")

    def __init__(self, ctx: SynthContext) -> None:
        self._ctx = ctx
        self._assessed = _assessed_regions(ctx)

    def day(self, day: Day) -> Iterator[Batch]:
        if day.date.day != 1:
            return
        yield self._evidence(day)
        yield self._surveys(day)

    def _evidence(self, day: Day) -> Batch:
        ctx = self._ctx
        rng = ctx.rng("mechanism_evidence", day.month_index)
        period = ctx.window.periods[day.month_index]
        items = len(MECHANISM_ITEMS)
        region = np.repeat(self._assessed, items)
        item = np.tile(np.arange(items), len(self._assessed))
        present = rng.random(len(region)) >= ctx.level_of(region, 0.45, 0.0)
        mean = ctx.level_of(region, 0.35, 0.95)
        score = np.round(np.clip(rng.normal(mean, 0.08), 0.0, 1.0), 2)
        region, item, score = region[present], item[present], score[present]
        codes = categorical(ctx.regions.codes, region)
        item_codes = categorical(MECHANISM_ITEMS, item)
        for code, item_code, value in zip(
            codes.to_pylist(), item_codes.to_pylist(), score.tolist(), strict=True
        ):
            ctx.truth.mechanism_score(period, code, item_code, value)
        evidence = pc.binary_join_element_wise(
            "https://evidence.example.gov.cn/", codes, f"/{period}/", item_codes, ".pdf", ""
        )
        return "mechanism_evidence", contract_table(
            "mechanism_evidence",
            {
                "region_code": codes,
                "period": pa.array(np.full(len(region), str(period))),
                "item_code": item_codes,
                "score": score,
                "evidence": evidence,
                "assessor": categorical(_ASSESSORS, rng.integers(0, 2, len(region))),
            },
        )

    def _surveys(self, day: Day) -> Batch:
        ctx = self._ctx
        rng = ctx.rng("surveys", day.month_index)
        period = ctx.window.periods[day.month_index]
        districts = ctx.regions.district_index
        region = np.repeat(districts, 3)
        respondent = np.tile(np.arange(3), len(districts))
        mean = ctx.level_of(region, 62.0, 92.0) + _SURVEY_OFFSET[respondent]
        score = np.round(np.clip(rng.normal(mean, 2.0), 0.0, 100.0), 1)
        low = np.array([s[0] for s in _SURVEY_SAMPLES])[respondent]
        high = np.array([s[1] for s in _SURVEY_SAMPLES])[respondent]
        samples = rng.integers(low, high)
        for index, name in enumerate(RESPONDENTS):
            rows = respondent == index
            ctx.truth.add(f"survey_{name}_samples", day.month_index, region[rows], samples[rows])
            ctx.truth.add(
                f"survey_{name}_score_x_samples",
                day.month_index,
                region[rows],
                score[rows] * samples[rows],
            )
        return "surveys", contract_table(
            "surveys",
            {
                "region_code": categorical(ctx.regions.codes, region),
                "period": pa.array(np.full(len(region), str(period))),
                "respondent": categorical(RESPONDENTS, respondent),
                "score": score,
                "sample_size": samples.astype(np.int64),
            },
        )

    def month_end(self, month: int) -> None:
        """Evidence and surveys are counted as they are generated."""
