// 评估: one run's framework tree with the region's scores, a drill-down to an
// indicator (definition, the numbers behind its fact, its history), the run's
// uncertainty when it has one, and a comparison with another run.
"use strict";

(() => {
  const c = window.cityops;
  const HISTORY_MONTHS = 12;
  // The stages in order (from cityops.domain.stages, by the page), and their colours.
  const STAGES = (document.getElementById("evaluation")?.dataset.stages || "").split(" ").filter(Boolean);
  const STAGE_COLOURS = ["#d92d20", "#f79009", "#66c61c", "#079455"];
  const page = { catalogue: {}, run: null, result: null, region: null };

  const runLabel = (run) => `${run.period} · ${run.run_id}`;
  const enc = encodeURIComponent;
  const indicatorName = (code) => {
    const meta = page.catalogue[code];
    if (!meta) return code;
    return c.lang() === "en" ? meta.name_en : meta.name_zh;
  };
  // A content's key is its Chinese name; the page carries its name in the user's language.
  const contentName = (name) => c.labels()[`content.${name}`] ?? name;
  const directionName = (code) => {
    const meta = Object.values(page.catalogue).find((m) => m.direction === code);
    if (!meta) return code;
    return c.lang() === "en" ? meta.direction_en : meta.direction_zh;
  };
  // Red at 0, green at 100: the colour of a node in the framework chart.
  const scoreColour = (score) => (score === null || score === undefined ? "#c0c6cc"
    : `hsl(${Math.round(Math.max(0, Math.min(100, score)) * 1.2)}, 55%, 48%)`);

  function goTo(changes) {
    const query = new URLSearchParams(window.location.search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) query.set(name, value); else query.delete(name);
    }
    window.location.search = query.toString();
  }

  // The framework as a tree: total → directions → contents → indicators, each
  // node with its weight within its parent and the region's score.
  function frameworkTree(run, result) {
    const weights = run.weights;
    return Object.entries(weights.total || {}).map(([direction, weight]) => ({
      code: direction, name: directionName(direction), weight,
      score: result.directions[direction],
      children: Object.entries(weights[direction] || {}).map(([path, contentWeight]) => ({
        code: path, name: contentName(path.split("/").slice(1).join("/")), weight: contentWeight,
        score: result.contents[path],
        children: Object.entries(weights[path] || {}).map(([code, indicatorWeight]) => ({
          code, name: indicatorName(code), weight: indicatorWeight,
          score: result.indicators[code], indicator: true,
        })),
      })),
    }));
  }

  function drawHeadline(result) {
    c.fill("score", c.number(result.score));
    c.fill("stage", c.stage(result.stage));
    c.fill("rank", result.rank ? `${result.rank} / ${result.peers}` : "—");
    c.fill("coverage", c.percent(result.coverage));
    c.fill("change", result.change === null ? "—"
      : `${result.change >= 0 ? "+" : ""}${c.number(result.change)}`);
  }

  function drawFrameworkChart(tree) {
    const node = (item, share) => ({
      name: item.name, value: share * item.weight, score: item.score, code: item.code,
      indicator: Boolean(item.indicator),
      itemStyle: { color: scoreColour(item.score) },
      children: (item.children || []).map((child) => node(child, share * item.weight)),
    });
    const chart = c.chart("framework-chart", {
      tooltip: { formatter: (p) => `${p.data.name}\n${c.t("common.score")}: ${c.number(p.data.score)}` },
      series: [{ type: "sunburst", radius: ["12%", "95%"], sort: null,
                 data: tree.map((item) => node(item, 1)),
                 label: { minAngle: 10, overflow: "truncate", width: 70 },
                 levels: [{}, { label: { rotate: "tangential" } }, {}, { label: { show: false } }] }],
    });
    if (chart) {
      chart.off("click");
      chart.on("click", (event) => { if (event.data && event.data.indicator) openIndicator(event.data.code); });
    }
  }

  function drawFrameworkTable(tree, result) {
    const rows = [{ key: "total", level: 0, name: c.t("common.total_score"), weight: 1, score: result.score }];
    const walk = (items, level) => {
      for (const item of items) {
        rows.push({ ...item, key: item.code, level });
        walk(item.children || [], level + 1);
      }
    };
    walk(tree, 1);
    const badges = (row) => [
      result.imputed.includes(row.code) ? c.el("span", { class: "badge" }, c.t("evaluation.imputed")) : null,
      result.strengths.includes(row.code) ? c.el("span", { class: "badge good" }, c.t("evaluation.strength")) : null,
      result.weaknesses.includes(row.code) ? c.el("span", { class: "badge bad" }, c.t("evaluation.weakness")) : null,
    ];
    const nameCell = (row) => c.el("span", { class: `level-${row.level}` },
      row.indicator
        ? c.el("button", { type: "button", class: "link", "data-indicator": row.code,
                           onclick: () => openIndicator(row.code) }, row.name)
        : row.name,
      badges(row));
    c.fill("framework-table", c.table(c.t("evaluation.framework"), [
      { label: c.t("common.node"), value: nameCell },
      { label: c.t("common.weight"), num: true, value: (row) => c.percent(row.weight) },
      { label: c.t("common.score"), num: true, value: (row) => c.number(row.score) },
    ], rows));
  }

  function definitionList(id, pairs) {
    c.fill(id, pairs.flatMap(([term, value, key]) => [
      c.el("dt", {}, term), c.el("dd", { "data-field": key }, value)]));
  }

  async function openIndicator(code) {
    const panel = document.getElementById("indicator");
    const meta = page.catalogue[code] || { code, unit: "", polarity: "", formula: "" };
    panel.hidden = false;
    history.replaceState(null, "", `?${new URLSearchParams({
      ...Object.fromEntries(new URLSearchParams(window.location.search)), indicator: code })}`);
    c.fill("indicator-title", `${indicatorName(code)} (${code})`);
    c.fill("indicator-formula", meta.formula);
    c.fill("indicator-unit", meta.unit ? c.t(`unit.${meta.unit}`) : "—");
    c.fill("indicator-polarity", meta.polarity ? c.t(`polarity.${meta.polarity}`) : "—");
    c.fill("indicator-score", c.number(page.result.indicators[code]));
    panel.focus();
    const region = enc(page.region);
    const explanation = await c.find(
      `/api/v1/facts/${enc(code)}/explain?region=${region}&period=${page.run.period}`);
    definitionList("indicator-explain", explanation ? [
      [c.t("common.value"), c.byUnit(explanation.value, meta.unit), "value"],
      [c.t("common.numerator"), c.number(explanation.numerator, 2), "numerator"],
      [c.t("common.denominator"), c.number(explanation.denominator, 2), "denominator"],
      [c.t("evaluation.rows_read"), c.integer(explanation.rows_read), "rows_read"],
      [c.t("evaluation.engine"), explanation.engine, "engine"],
      [c.t("common.period"), explanation.period, "period"],
      [c.t("evaluation.definition"), explanation.definition_current
        ? c.t("evaluation.definition_current") : c.t("evaluation.definition_changed"), "definition"],
    ] : [[c.t("common.value"), c.t("common.no_data"), "value"]]);
    c.fill("indicator-sql", explanation ? explanation.sql : "");
    document.getElementById("indicator-sql-box").hidden = !explanation;
    await drawHistory(code, meta);
    panel.dataset.indicator = code;
  }

  async function drawHistory(code, meta) {
    const region = enc(page.region);
    const summary = await c.find(`/api/v1/regions/${region}/summary`);
    const months = summary ? summary.months.slice(-HISTORY_MONTHS) : [];
    const facts = await Promise.all(months.map(async (month) => {
      const found = await c.find(
        `/api/v1/facts?period=${month}&region=${region}&indicator=${enc(code)}`);
      return { key: month, period: month, fact: found && found.items.length ? found.items[0] : null };
    }));
    const scale = meta.unit === "ratio" ? 100 : 1;
    c.chart("history", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", axisLabel: { formatter: meta.unit === "ratio" ? "{value}%" : "{value}" } },
      series: [{ type: "line", name: indicatorName(code), symbolSize: 8,
                 data: facts.map((f) => (f.fact && f.fact.value !== null
                   ? Number((f.fact.value * scale).toFixed(2)) : null)) }],
    });
    c.fill("history-table", c.table(c.t("evaluation.history"), [
      { label: c.t("common.period"), value: (row) => row.period },
      { label: c.t("common.value"), num: true, value: (row) => c.byUnit(row.fact?.value, meta.unit) },
      { label: c.t("common.numerator"), num: true, value: (row) => c.number(row.fact?.numerator, 2) },
      { label: c.t("common.denominator"), num: true, value: (row) => c.number(row.fact?.denominator, 2) },
    ], facts));
  }

  // The region and its scored sub-regions: what the uncertainty and the
  // comparison speak of.
  const focus = (run, region) => run.regions.filter((r) =>
    (r.region_code === region || r.parent_code === region) && r.score !== null);

  function drawUncertainty(run) {
    const rows = focus(run, page.region).filter((r) => r.uncertainty);
    const has = run.replications > 0 && rows.length > 0;
    document.getElementById("no-uncertainty").hidden = has;
    document.getElementById("uncertainty-charts").hidden = !has;
    const replications = document.getElementById("replications");
    replications.hidden = !has;
    if (!has) return;
    replications.textContent = `${c.t("common.replications")}: ${run.replications}`;
    const names = rows.map((r) => r.name);
    const u = (r) => r.uncertainty;
    const worst = Math.max(...rows.map((r) => u(r).rank_worst), ...rows.map((r) => r.peers));
    c.chart("rank-intervals", {
      title: { text: c.t("common.rank_interval"), textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: worst + 1, minInterval: 1 },
      yAxis: { type: "category", data: names },
      series: [
        { type: "bar", stack: "rank", silent: true, itemStyle: { color: "transparent" },
          data: rows.map((r) => u(r).rank_best - 0.4) },
        { type: "bar", stack: "rank", name: c.t("common.rank_interval"),
          data: rows.map((r) => u(r).rank_worst - u(r).rank_best + 0.8) },
        { type: "scatter", name: c.t("common.rank"), symbolSize: 12,
          data: rows.map((r, i) => [r.rank, i]) },
      ],
    });
    c.chart("stage-probability", {
      title: { text: c.t("common.stage_probability"), textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 32, containLabel: true },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: names },
      series: STAGES.map((stage, index) => ({
        type: "bar", stack: "stage", name: c.stage(stage), itemStyle: { color: STAGE_COLOURS[index] },
        data: rows.map((r) => Number(((u(r).stage_probability[stage] || 0) * 100).toFixed(1))),
      })),
    });
    const probabilities = (r) => STAGES.filter((s) => u(r).stage_probability[s] > 0)
      .map((s) => `${c.stage(s)} ${c.percent(u(r).stage_probability[s], 0)}`).join(" · ");
    c.fill("uncertainty-table", c.table(c.t("common.uncertainty"), [
        { label: c.t("common.region"), value: (r) => r.name },
        { label: c.t("common.score"), num: true, value: (r) => c.number(r.score) },
        { label: c.t("common.score_interval"), num: true,
          value: (r) => `${c.number(u(r).score_low)} – ${c.number(u(r).score_high)}` },
        { label: c.t("common.rank"), num: true, value: (r) => r.rank ?? "—" },
        { label: c.t("common.rank_interval"), num: true,
          value: (r) => `${u(r).rank_best} – ${u(r).rank_worst}` },
        { label: c.t("common.stage_probability"), value: probabilities },
      ], rows.map((r) => ({ ...r, key: r.region_code }))));
  }

  function drawComparison(run, other) {
    document.getElementById("no-compare").hidden = Boolean(other);
    document.getElementById("compare-chart").hidden = !other;
    if (!other) return;
    const mine = focus(run, page.region);
    const theirs = new Map(other.regions.map((r) => [r.region_code, r]));
    const difference = (a, b) => (a === null || b === null || b === undefined ? "—"
      : `${a - b >= 0 ? "+" : ""}${c.number(a - b)}`);
    c.chart("compare-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: mine.map((r) => r.name) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { type: "bar", name: runLabel(run), data: mine.map((r) => Number(r.score.toFixed(1))) },
        { type: "bar", name: runLabel(other), data: mine.map((r) => {
          const score = theirs.get(r.region_code)?.score;
          return score === null || score === undefined ? null : Number(score.toFixed(1));
        }) },
      ],
    });
    c.fill("compare-table", c.table(c.t("evaluation.compare"), [
      { label: c.t("common.region"), value: (r) => r.name },
      { label: runLabel(run), num: true, value: (r) => c.number(r.score) },
      { label: runLabel(other), num: true, value: (r) => c.number(theirs.get(r.region_code)?.score) },
      { label: c.t("evaluation.difference"), num: true,
        value: (r) => difference(r.score, theirs.get(r.region_code)?.score) },
      { label: c.t("common.rank"), num: true,
        value: (r) => `${r.rank ?? "—"} / ${theirs.get(r.region_code)?.rank ?? "—"}` },
    ], mine.map((r) => ({ ...r, key: r.region_code }))));
    const before = theirs.get(page.region);
    const directions = Object.keys(page.result.directions).map((code) => ({
      key: code, name: directionName(code), now: page.result.directions[code],
      then: before ? before.directions[code] : null,
    }));
    c.fill("compare-directions", c.table(page.result.name, [
      { label: c.t("common.node"), value: (d) => d.name },
      { label: runLabel(run), num: true, value: (d) => c.number(d.now) },
      { label: runLabel(other), num: true, value: (d) => c.number(d.then) },
      { label: c.t("evaluation.difference"), num: true, value: (d) => difference(d.now, d.then) },
    ], directions));
  }

  function fillSelects(runs, run, compareId, regions) {
    const runSelect = document.getElementById("run");
    runSelect.replaceChildren(...runs.map((r) => c.el("option",
      { value: r.run_id, selected: r.run_id === run.run_id }, runLabel(r))));
    runSelect.addEventListener("change", () => goTo({ run: runSelect.value }));
    const compareSelect = document.getElementById("compare");
    compareSelect.replaceChildren(
      c.el("option", { value: "" }, c.t("evaluation.no_compare")),
      ...runs.filter((r) => r.run_id !== run.run_id).map((r) => c.el("option",
        { value: r.run_id, selected: r.run_id === compareId }, runLabel(r))));
    compareSelect.addEventListener("change", () => goTo({ compare: compareSelect.value }));
    const regionSelect = document.getElementById("region");
    c.regionOptions(regionSelect, regions, page.region);
    regionSelect.addEventListener("change", () => goTo({ region: regionSelect.value, indicator: null }));
  }

  async function main() {
    const section = document.getElementById("evaluation");
    if (section.dataset.canRead !== "true") {
      section.hidden = true;
      document.getElementById("controls").hidden = true;
      document.getElementById("not-allowed").hidden = false;
      c.ready();
      return;
    }
    const [list, catalogue] = await Promise.all([
      c.api("/api/v1/evaluations?limit=1000"), c.api("/api/v1/indicators?limit=1000")]);
    for (const meta of catalogue.items) page.catalogue[meta.code] = meta;
    const runs = list.items;
    if (!runs.length) {
      c.fill("evaluation", c.el("p", { class: "muted" }, c.t("common.no_data")));
      c.ready();
      return;
    }
    const runId = runs.some((r) => r.run_id === c.param("run")) ? c.param("run") : runs[0].run_id;
    const compareId = runs.some((r) => r.run_id === c.param("compare")) ? c.param("compare") : null;
    const [run, other] = await Promise.all([
      c.api(`/api/v1/evaluations/${enc(runId)}`),
      compareId && compareId !== runId ? c.api(`/api/v1/evaluations/${enc(compareId)}`) : null,
    ]);
    page.run = run;
    const regions = run.regions.filter((r) => r.score !== null);
    page.region = c.defaultRegion(regions.length ? regions : run.regions);
    page.result = run.regions.find((r) => r.region_code === page.region);
    fillSelects(runs, run, compareId, regions.length ? regions : run.regions);
    if (!page.result) { c.ready(); return; }
    const tree = frameworkTree(run, page.result);
    drawHeadline(page.result);
    drawFrameworkChart(tree);
    drawFrameworkTable(tree, page.result);
    drawUncertainty(run);
    drawComparison(run, other);
    const asked = c.param("indicator");
    if (asked && page.catalogue[asked]) await openIndicator(asked);
    c.ready();
  }

  document.addEventListener("DOMContentLoaded", () => { main().catch(c.fail); });
})();
