// 一屏通览: a region's stage and score, its directions, its sub-regions
// ranked, the key figures of the month and, when several months have facts,
// their trend.  Everything comes from /api/v1 with the session cookie.
"use strict";

(() => {
  const c = window.cityops;
  const TREND_MONTHS = 12;
  const TREND_FIGURES = ["response_30min_rate", "camera_intact_rate"];

  function evaluationLink(region, indicator) {
    const query = new URLSearchParams({ region, indicator });
    return `/console/evaluation?${query}`;
  }

  function figureLabel(figure) {
    return c.lang() === "en" ? figure.label_en : figure.label_zh;
  }

  function drawHeadline(summary) {
    const evaluation = summary.evaluation;
    document.getElementById("period").textContent = summary.period || "";
    document.getElementById("no-run").hidden = Boolean(evaluation);
    c.fill("stage", evaluation ? c.stage(evaluation.stage) : "—");
    c.fill("score", evaluation ? c.number(evaluation.score) : "—");
    c.fill("rank", evaluation && evaluation.rank ? `${evaluation.rank} / ${evaluation.peers}` : "—");
    const change = evaluation ? evaluation.change : null;
    c.fill("change", change === null ? "—" : `${change >= 0 ? "+" : ""}${c.number(change)}`);
  }

  function drawDirections(summary, directionNames) {
    const card = document.getElementById("directions-card");
    const evaluation = summary.evaluation;
    card.hidden = !evaluation;
    if (!evaluation) return;
    const codes = Object.keys(evaluation.directions);
    c.chart("radar", {
      tooltip: {},
      radar: { radius: "58%", axisName: { fontSize: 11 }, indicator: codes.map((code) => ({ name: directionNames[code] || code, max: 100 })) },
      series: [{ type: "radar", name: c.t("common.total_score"),
                 data: [{ value: codes.map((code) => evaluation.directions[code] ?? 0),
                          name: c.t("common.total_score"), areaStyle: { opacity: 0.25 } }] }],
    });
    c.fill("directions-table", c.table(c.t("common.directions"), [
      { label: c.t("common.directions"), value: (code) => directionNames[code] || code },
      { label: c.t("common.score"), num: true, value: (code) => c.number(evaluation.directions[code]) },
    ], codes));
  }

  function drawRanking(run, region) {
    const card = document.getElementById("ranking-card");
    const children = run ? run.regions.filter((r) => r.parent_code === region && r.score !== null) : [];
    card.hidden = !run;
    if (!run) return;
    children.sort((a, b) => b.score - a.score);
    const ascending = [...children].reverse();  // ECharts draws a category axis bottom-up
    const chart = c.chart("ranking", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: ascending.map((r) => r.name) },
      series: [{ type: "bar", name: c.t("common.total_score"),
                 data: ascending.map((r) => Number(r.score.toFixed(1))),
                 label: { show: true, position: "right" } }],
      graphic: children.length ? [] : [{ type: "text", left: "center", top: "middle",
                                          style: { text: c.t("common.no_data") } }],
    });
    if (chart) {
      chart.off("click");
      chart.on("click", (event) => {
        const target = ascending[event.dataIndex];
        if (target) window.location.search = `?region=${encodeURIComponent(target.region_code)}`;
      });
    }
    c.fill("ranking-table", c.table(c.t("common.districts_ranked"), [
      { label: c.t("common.rank"), value: (r) => r.rank ?? "—" },
      { label: c.t("common.region"), value: (r) => r.name },
      { label: c.t("common.score"), num: true, value: (r) => c.number(r.score) },
      { label: c.t("common.stage"), value: (r) => c.stage(r.stage) },
    ], children.map((r) => ({ ...r, key: r.region_code }))));
  }

  function drawFigures(summary) {
    const items = summary.figures.flatMap((figure) => [
      c.el("dt", {}, c.el("a", { href: evaluationLink(summary.region_code, figure.indicator),
                                 title: c.t("overview.open_indicator"),
                                 "data-figure": figure.key }, figureLabel(figure))),
      c.el("dd", { "data-figure": figure.key }, c.byUnit(figure.value, figure.unit)),
    ]);
    c.fill("figures", items);
  }

  async function drawTrend(summary) {
    const months = summary.months.slice(-TREND_MONTHS);
    const card = document.getElementById("trend-card");
    card.hidden = months.length < 2;
    if (months.length < 2) return;
    const region = encodeURIComponent(summary.region_code);
    const monthly = await Promise.all(months.map((month) =>
      c.api(`/api/v1/regions/${region}/summary?period=${month}`)));
    const figure = (s, key) => s.figures.find((f) => f.key === key) || {};
    const percentSeries = TREND_FIGURES.map((key) => ({
      type: "line", name: figureLabel(figure(summary, key)), yAxisIndex: 0,
      data: monthly.map((s) => (figure(s, key).value === null ? null
        : Number((figure(s, key).value * 100).toFixed(1)))),
    }));
    c.chart("trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months },
      yAxis: [{ type: "value", min: 0, max: 100 }, { type: "value", splitLine: { show: false } }],
      series: [
        { type: "line", name: c.t("common.total_score"), yAxisIndex: 0,
          data: monthly.map((s) => (s.evaluation && s.evaluation.score !== null
            ? Number(s.evaluation.score.toFixed(1)) : null)) },
        ...percentSeries,
        { type: "bar", name: figureLabel(figure(summary, "dau")), yAxisIndex: 1,
          data: monthly.map((s) => figure(s, "dau").value), barMaxWidth: 24,
          itemStyle: { opacity: 0.35 } },
      ],
    });
    const keys = ["dau", ...TREND_FIGURES];
    c.fill("trend-table", c.table(c.t("overview.trend"), [
      { label: c.t("common.period"), value: (s) => s.period },
      { label: c.t("common.total_score"), num: true, value: (s) => c.number(s.evaluation?.score) },
      ...keys.map((key) => ({ label: figureLabel(figure(summary, key)), num: true,
                              value: (s) => c.byUnit(figure(s, key).value, figure(s, key).unit) })),
    ], monthly.map((s) => ({ ...s, key: s.period }))));
  }

  async function main() {
    const regions = (await c.api("/api/v1/regions")).filter((r) => r.level !== "street");
    const region = c.defaultRegion(regions);
    const select = document.getElementById("region");
    c.regionOptions(select, regions, region);
    select.addEventListener("change", () => {
      window.location.search = `?region=${encodeURIComponent(select.value)}`;
    });
    if (!region) { c.ready(); return; }
    const [summary, catalogue] = await Promise.all([
      c.api(`/api/v1/regions/${encodeURIComponent(region)}/summary`),
      c.api("/api/v1/indicators?limit=1000"),
    ]);
    const directionNames = {};
    for (const meta of catalogue.items) {
      directionNames[meta.direction] = c.lang() === "en" ? meta.direction_en : meta.direction_zh;
    }
    const run = summary.evaluation
      ? await c.api(`/api/v1/evaluations/${encodeURIComponent(summary.evaluation.run_id)}`) : null;
    drawHeadline(summary);
    drawDirections(summary, directionNames);
    drawRanking(run, region);
    drawFigures(summary);
    await drawTrend(summary);
    c.ready();
  }

  document.addEventListener("DOMContentLoaded", () => { main().catch(c.fail); });
})();
