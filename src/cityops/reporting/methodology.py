"""The methodology appendix (方法说明) from the framework the run used: each node's
weighting and aggregation with the weights the run actually applied (data-driven
weights as computed), and each indicator's normalisation, goalposts and
treatment of missing values and outliers."""

from __future__ import annotations

from cityops.evaluation.engine import ROOT
from cityops.evaluation.framework import Framework, FrameworkNode
from cityops.evaluation.model import EvaluationRun
from cityops.indicators.catalogue import Catalogue
from cityops.messages import Lang
from cityops.reporting.formatting import format_goalposts
from cityops.reporting.labels import label, named
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
                name=named(meta.name_zh, meta.name_en, lang),
                normalisation=label(f"normalisation.{leaf.normalisation}", lang),
                goalposts=format_goalposts(leaf.goalposts, meta.unit, lang),
                target=leaf.target,
                polarity=label(f"polarity.{leaf.polarity}", lang),
                imputation=label(f"imputation.{leaf.imputation}", lang),
                outliers=label(f"outliers.{leaf.outliers}", lang),
                weight_in_content=in_content,
                weight_in_total=in_total,
            )
        )
    settings = framework.uncertainty
    varied = (
        *(f"normalisation.{method}" for method in settings.normalisations),
        *(f"aggregation.{method}" for method in settings.aggregations),
        *(f"imputation.{method}" for method in settings.imputations),
    )
    return Methodology(
        framework_name=framework.name,
        framework_version=framework.version,
        coverage_threshold=framework.coverage_threshold,
        nodes=nodes,
        indicators=tuple(indicators),
        weight_noise=settings.weight_noise,
        uncertainty_methods=tuple(label(key, lang) for key in varied),
    )


def _node_names(framework: Framework, catalogue: Catalogue, lang: Lang) -> dict[str, str]:
    """Display names of every node and leaf in ``lang``: the total, the directions and
    contents as the framework names them, and the indicators."""
    names = {"": label("common.total_score", lang).text}
    for direction in framework.directions:
        names[direction.code] = named(direction.name_zh, direction.name_en, lang).text
        for content in direction.contents:
            names[content.path] = named(content.name_zh, content.name_en, lang).text
    for leaf in framework.indicators:
        meta = catalogue.get(leaf.code)
        names[leaf.code] = named(meta.name_zh, meta.name_en, lang).text
    return names


def _node(node: FrameworkNode, names: dict[str, str], run: EvaluationRun, lang: Lang) -> NodeMethod:
    used = run.weights[node.path or ROOT]
    return NodeMethod(
        path=node.path or ROOT,
        name=names[node.path],
        weighting=label(f"weighting.{node.weighting.method}", lang),
        aggregation=label(f"aggregation.{node.aggregation}", lang),
        children=tuple((names[child], used[child]) for child in node.children),
    )
