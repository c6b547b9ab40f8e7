"""Every fixed word a report shows, in Chinese and English (报告用语).

A Chinese report (the default) shows the Chinese label with the English one
beside it in small type, so an auditor or a vendor reading English follows
along; an English report shows English only.  Prose paragraphs are written in
the templates, in the report's language.  Names that come from data (regions,
framework contents, contract ids) are shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cityops.domain.stages import STAGES
from cityops.evaluation.aggregation import Aggregation
from cityops.evaluation.framework import OutlierTreatment, WeightMethod
from cityops.evaluation.imputation import Imputation
from cityops.evaluation.normalisation import Normalisation
from cityops.indicators.catalogue import Unit
from cityops.settlement.statement import LineStatus, StatementStatus
from cityops.types import Polarity

__all__ = ["LABELS", "METHOD_NAMES", "STAGE_NAMES", "UNIT_NAMES", "Label", "Lang", "Text", "label"]


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Label:
    """A label as one report shows it: ``text``, and ``sub`` beside it (English in a
    Chinese report, empty in an English one)."""

    text: str
    sub: str = ""

    @property
    def full(self) -> str:
        """Both parts on one line, for a spreadsheet header or a plain-text cell."""
        return f"{self.text} {self.sub}" if self.sub else self.text


@dataclass(frozen=True, slots=True)
class Text:
    zh: str
    en: str

    def label(self, lang: Lang) -> Label:
        return Label(self.zh, self.en) if lang is Lang.ZH else Label(self.en)


LABELS: Mapping[str, Text] = {
    "title": Text("智慧城市长效运营评价报告", "Smart-city long-term operation evaluation report"),
    "period": Text("评价期", "Period"),
    "framework": Text("评价框架", "Framework"),
    "run_id": Text("运行编号", "Run id"),
    "framework_hash": Text("框架哈希", "Framework hash"),
    "facts_hash": Text("数据哈希", "Facts hash"),
    "code_version": Text("版本", "Code version"),
    "created_at": Text("评价时间", "Evaluated"),
    "report_date": Text("报告日期", "Report date"),
    "replications": Text("蒙特卡洛次数", "Monte Carlo replications"),
    "summary": Text("总体评价", "Summary"),
    "score": Text("综合得分", "Score"),
    "stage": Text("发展阶段", "Stage"),
    "coverage": Text("指标覆盖率", "Coverage"),
    "change": Text("较上期", "Change"),
    "strengths": Text("优势指标", "Strengths"),
    "weaknesses": Text("短板指标", "Weaknesses"),
    "stages": Text("发展阶段", "Stages"),
    "score_range": Text("得分区间", "Score range"),
    "districts_in_stage": Text("区县数", "Districts"),
    "directions": Text("四个方向", "The four directions"),
    "direction": Text("方向", "Direction"),
    "weight": Text("权重", "Weight"),
    "districts": Text("区县排名", "Districts"),
    "rank": Text("排名", "Rank"),
    "peers": Text("同级参评数", "Peers"),
    "name": Text("名称", "Name"),
    "code": Text("代码", "Code"),
    "level": Text("层级", "Level"),
    "indicators": Text("指标明细", "Indicators"),
    "indicator": Text("指标", "Indicator"),
    "unit": Text("单位", "Unit"),
    "goalposts": Text("目标值", "Goalposts"),
    "goal_lo": Text("门槛", "lo"),
    "goal_hi": Text("目标", "hi"),
    "scaled_hi": Text("目标值随常住人口", "hi scales with population"),
    "polarity": Text("方向性", "Polarity"),
    "not_computed": Text("未计算", "not computed"),
    "value": Text("指标值", "Value"),
    "numerator": Text("分子", "Numerator"),
    "denominator": Text("分母", "Denominator"),
    "normalised": Text("归一化得分", "Normalised score"),
    "uncertainty": Text("不确定性分析", "Uncertainty"),
    "score_interval": Text("得分90%区间", "Score 90% interval"),
    "rank_interval": Text("排名区间", "Rank interval"),
    "stage_probability": Text("阶段概率", "Stage probability"),
    "settlement": Text("结算情况", "Settlement"),
    "statement": Text("结算单", "Statement"),
    "contract": Text("合同", "Contract"),
    "version": Text("版本", "Version"),
    "status": Text("状态", "Status"),
    "complete": Text("完整", "Complete"),
    "base_amount": Text("本期基数", "Base"),
    "fixed_amount": Text("固定部分", "Fixed"),
    "total_points": Text("得分点数", "Points"),
    "deductions": Text("扣减", "Deductions"),
    "bonuses": Text("奖励", "Bonuses"),
    "total_payable": Text("应付金额", "Payable"),
    "withheld": Text("暂扣", "Withheld"),
    "clause": Text("条款", "Clause"),
    "region": Text("区域", "Region"),
    "completion": Text("完成度", "Completion"),
    "amount": Text("金额", "Amount"),
    "note": Text("说明", "Note"),
    "yes": Text("是", "yes"),
    "no": Text("否", "no"),
    "methodology": Text("方法说明", "Methodology"),
    "normalisation": Text("归一化", "Normalisation"),
    "target": Text("目标", "Target"),
    "imputation": Text("缺失值处理", "Missing values"),
    "outliers": Text("异常值处理", "Outliers"),
    "weights_aggregation": Text("权重与汇总", "Weights and aggregation"),
    "node": Text("节点", "Node"),
    "weighting": Text("赋权方法", "Weighting"),
    "aggregation": Text("汇总方式", "Aggregation"),
    "children": Text("下级权重", "Weights of the children"),
    "weight_in_content": Text("内容内权重", "Weight in content"),
    "weight_in_total": Text("名义总权重", "Nominal weight in total"),
    "total": Text("综合得分", "total score"),
    "ranking": Text("排名", "Ranking"),
    "uncertainty_settings": Text("不确定性设置", "Uncertainty settings"),
    "weight_noise": Text("权重扰动", "Weight noise"),
    "sheet_summary": Text("概要", "summary"),
    "sheet_districts": Text("区县", "districts"),
    "sheet_indicators": Text("指标", "indicators"),
    "sheet_settlement": Text("结算", "settlement"),
    "sheet_settlement_lines": Text("结算明细", "settlement lines"),
    "item": Text("项目", "Item"),
    "entry": Text("内容", "Entry"),
    "city": Text("城市", "City"),
}

STAGE_NAMES: Mapping[str, Text] = {s.code: Text(s.name_zh, s.name_en) for s in STAGES}

UNIT_NAMES: Mapping[Unit, Text] = {
    Unit.RATIO: Text("比率", "share"),
    Unit.COUNT: Text("个", "count"),
    Unit.MS: Text("毫秒", "ms"),
    Unit.PERCENT: Text("百分数", "percent"),
    Unit.POINTS: Text("分", "points"),
}

METHOD_NAMES: Mapping[str, Text] = {
    Normalisation.GOALPOSTS: Text("目标值法", "goalposts"),
    Normalisation.DISTANCE_TO_TARGET: Text("距目标法", "distance to target"),
    Normalisation.MINMAX: Text("极差法", "min–max"),
    Normalisation.ZSCORE: Text("标准分数法", "z-score"),
    Normalisation.RANK: Text("排序法", "rank"),
    Normalisation.PERCENTILE: Text("百分位法", "percentile"),
    Normalisation.DISTANCE_TO_BEST: Text("距最优法", "distance to best"),
    WeightMethod.EXPERT: Text("专家赋权", "expert"),
    WeightMethod.EQUAL: Text("等权", "equal"),
    WeightMethod.AHP: Text("层次分析法", "AHP"),
    WeightMethod.ENTROPY: Text("熵权法", "entropy"),
    WeightMethod.CRITIC: Text("CRITIC法", "CRITIC"),
    Aggregation.ARITHMETIC: Text("加权算术平均", "weighted arithmetic mean"),
    Aggregation.GEOMETRIC: Text("加权几何平均", "weighted geometric mean"),
    Imputation.RENORMALISE: Text("剔除并重新归一权重", "left out, weights renormalised"),
    Imputation.MEAN: Text("同级均值填补", "peer mean"),
    Imputation.MEDIAN: Text("同级中位数填补", "peer median"),
    OutlierTreatment.NONE: Text("不处理", "none"),
    OutlierTreatment.COINR: Text("COINr 缩尾/对数", "COINr winsorising/log"),
    Polarity.HIGHER: Text("越高越好", "higher is better"),
    Polarity.LOWER: Text("越低越好", "lower is better"),
    StatementStatus.DRAFT: Text("草稿", "draft"),
    StatementStatus.REVIEWED: Text("已复核", "reviewed"),
    StatementStatus.APPROVED: Text("已批准", "approved"),
    LineStatus.SCORED: Text("已计分", "scored"),
    LineStatus.MISSING: Text("指标缺失", "missing"),
}
"""Names of the methods, polarities and statuses a report mentions, by enum value."""


def label(key: str, lang: Lang) -> Label:
    """The fixed label ``key`` in ``lang``; an unknown key is a programming error."""
    return LABELS[key].label(lang)
