"""The methodology appendix (方法说明) from the framework the run used: each node's
weighting and aggregation with the weights the run actually applied (data-driven
weights as computed), and each indicator's normalisation, goalposts and
treatment of missing values and outliers."""

from __future__ import annotations

from cityops.evaluation.engine import ROOT
from cityops.evaluation.framework import Framework, FrameworkNode
from cityops.evaluation.model import EvaluationRun
from cityops.indicators.catalogue import Catalogue
from cityops.reporting.formatting import format_goalposts
from cityops.reporting.labels import METHOD_NAMES, Lang, Text, label
from cityops.reporting.model import IndicatorMethod, Methodology, NodeMethod

__all__ = ["methodology"]


def methodology(
    run: EvaluationRun, framework: Framework, catalogue: Catalogue, lang: Lang
) -> Methodology:
    """The appendix of ``run``, which must have been made with ``framework``."""
    names = _node_names(framework, catalogue, lang)
    ordered = [framework.root]
    for direction in framework.root.children:
        ordered.append(framework.node(direction))
        ordered.extend(framework.node(content) for content in framework.node(direction).children)
    nodes = tuple(_node(node, names, run, lang) for node in ordered)
    indicators = []
    for leaf in framework.indicators:
        meta = catalogue.get(leaf.code)
        content_path = f"{leaf.direction}/{leaf.content}"
        in_content = run.weights[content_path][leaf.code]
        in_total = (
            run.weights[ROOT][leaf.direction]
            * run.weights[leaf.direction][content_path]
            * in_content
        )
        indicators.append(
            IndicatorMethod(
                code=leaf.code,
                name=Text(meta.name_zh, meta.name_en).label(lang),
                normalisation=METHOD_NAMES[leaf.normalisation].label(lang),
                goalposts=format_goalposts(leaf.goalposts, meta.unit, lang),
                target=leaf.target,
                polarity=METHOD_NAMES[leaf.polarity].label(lang),
                imputation=METHOD_NAMES[leaf.imputation].label(lang),
                outliers=METHOD_NAMES[leaf.outliers].label(lang),
                weight_in_content=in_content,
                weight_in_total=in_total,
            )
        )
    settings = framework.uncertainty
    varied = (*settings.normalisations, *settings.aggregations, *settings.imputations)
    return Methodology(
        framework_name=framework.name,
        framework_version=framework.version,
        coverage_threshold=framework.coverage_threshold,
        nodes=nodes,
        indicators=tuple(indicators),
        weight_noise=settings.weight_noise,
        uncertainty_methods=tuple(METHOD_NAMES[method].label(lang) for method in varied),
    )


def _node_names(framework: Framework, catalogue: Catalogue, lang: Lang) -> dict[str, str]:
    """Display names of every node and leaf: the total, directions, contents (as the
    framework names them) and indicators."""
    names = {"": label("total", lang).text}
    for direction in framework.directions:
        names[direction.code] = Text(direction.name_zh, direction.name_en).label(lang).text
    for node in framework.nodes:
        if "/" in node.path:
            names[node.path] = node.path.split("/", 1)[1]
    for leaf in framework.indicators:
        meta = catalogue.get(leaf.code)
        names[leaf.code] = Text(meta.name_zh, meta.name_en).label(lang).text
    return names


def _node(node: FrameworkNode, names: dict[str, str], run: EvaluationRun, lang: Lang) -> NodeMethod:
    used = run.weights[node.path or ROOT]
    return NodeMethod(
        path=node.path or ROOT,
        name=names[node.path],
        weighting=METHOD_NAMES[node.weighting.method].label(lang),
        aggregation=METHOD_NAMES[node.aggregation].label(lang),
        children=tuple((names[child], used[child]) for child in node.children),
    )
