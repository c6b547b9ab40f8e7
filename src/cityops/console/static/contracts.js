// 合同与结算: contracts grouped by operating model, settlement statements with
// their per-KPI lines, the review → approve workflow through the API, and the
// compliance findings with the rule and its source.
"use strict";

(() => {
  const c = window.cityops;
  const enc = encodeURIComponent;
  const OUTCOME_ORDER = { fail: 0, unknown: 1, pass: 2 };
  const page = { findings: [], statementRows: new Map() };

  const section = () => document.getElementById("contracts");
  const can = (name) => section().dataset[name] === "true";
  const modelLabel = (model) => (c.labels().models || {})[model] || model;
  const statusLabel = (status) => c.t(`status.${status}`);
  const outcomeBadge = (outcome) => c.el("span",
    { class: `badge outcome-${outcome}`, "data-outcome": outcome }, c.t(`outcome.${outcome}`));

  function groupByModel(contracts) {
    const groups = new Map();
    for (const contract of contracts) {
      if (!groups.has(contract.model)) groups.set(contract.model, []);
      groups.get(contract.model).push(contract);
    }
    return groups;
  }

  function drawModels(groups) {
    const models = [...groups.keys()];
    const annual = (list) => list.reduce((sum, k) => sum + Number(k.annual_amount || 0), 0);
    c.chart("models-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: models.map(modelLabel) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
      series: [
        { type: "bar", name: c.t("contracts.count"), data: models.map((m) => groups.get(m).length) },
        { type: "bar", name: c.t("contracts.annual_amount"), yAxisIndex: 1,
          data: models.map((m) => annual(groups.get(m))) },
      ],
    });
  }

  function flagsOf(contractId) {
    return page.findings.filter((f) => f.subject === contractId && f.outcome !== "pass")
      .map((f) => c.el("span", { class: `badge outcome-${f.outcome}`, title: f.detail,
                                 "data-rule": f.rule_id }, f.rule_id));
  }

  function drawContracts(groups) {
    const blocks = [...groups.entries()].map(([model, list]) => c.el("section",
      { class: "model-group", "data-model": model },
      c.el("h3", {}, `${modelLabel(model)} (${list.length})`),
      c.table(modelLabel(model), [
        { label: c.t("contracts.contract"), value: (k) => k.contract_id },
        { label: c.t("common.name"), value: (k) => k.name },
        { label: c.t("common.region"), value: (k) => k.region_code },
        { label: c.t("contracts.operator"), value: (k) => k.operator_id },
        { label: c.t("contracts.term"), value: (k) => `${k.start} – ${k.end}` },
        { label: c.t("contracts.annual_amount"), num: true, value: (k) => c.money(k.annual_amount) },
        { label: c.t("contracts.kpis"), value: (k) => k.kpis.map((kpi) => kpi.indicator).join(", ") },
        { label: c.t("contracts.flags"), value: (k) => flagsOf(k.contract_id) },
      ], list.map((k) => ({ ...k, key: k.contract_id })))));
    c.fill("contracts-by-model", blocks.length ? blocks : c.t("common.no_data"));
  }

  function drawStatements(items) {
    const rows = items.map((s) => ({ ...s, key: s.statement_id }));
    c.fill("statements-table", c.table(c.t("contracts.statements"), [
      { label: c.t("contracts.statement"), value: (s) => c.el("button", {
          type: "button", class: "link", "data-statement": s.statement_id,
          onclick: () => openStatement(s.statement_id) }, s.statement_id) },
      { label: c.t("contracts.contract"), value: (s) => s.contract_id },
      { label: c.t("common.period"), value: (s) => s.period },
      { label: c.t("contracts.version"), num: true, value: (s) => s.version },
      { label: c.t("common.status"), value: (s) => c.el("span",
          { class: `status status-${s.status}`, "data-status-of": s.statement_id }, statusLabel(s.status)) },
      { label: c.t("contracts.total_payable"), num: true, value: (s) => c.money(s.total_payable) },
    ], rows));
    if (!rows.length) c.fill("statements-table", c.t("common.no_data"));
  }

  function definitionList(id, pairs) {
    c.fill(id, pairs.flatMap(([term, value, key]) => [
      c.el("dt", {}, term), c.el("dd", { "data-field": key }, value)]));
  }

  function drawStatement(statement) {
    document.getElementById("no-statement").hidden = true;
    document.getElementById("statement-body").hidden = false;
    c.fill("statement-title", `${c.t("contracts.lines")} · ${statement.statement_id}`);
    const who = (by, at) => (by ? `${by} (${at})` : "—");
    definitionList("statement-totals", [
      [c.t("common.status"), statusLabel(statement.status), "status"],
      [c.t("contracts.base"), c.money(statement.base_amount), "base"],
      [c.t("contracts.fixed"), c.money(statement.fixed_amount), "fixed"],
      [c.t("contracts.total_points"), statement.total_points, "points"],
      [c.t("contracts.deductions"), c.money(statement.total_deductions), "deductions"],
      [c.t("contracts.bonuses"), c.money(statement.total_bonuses), "bonuses"],
      [c.t("contracts.withheld"), c.money(statement.withheld), "withheld"],
      [c.t("contracts.total_payable"), c.money(statement.total_payable), "payable"],
      [c.t("contracts.created_by"), who(statement.created_by, statement.created_at), "created"],
      [c.t("contracts.reviewed_by"), who(statement.reviewed_by, statement.reviewed_at), "reviewed"],
      [c.t("contracts.approved_by"), who(statement.approved_by, statement.approved_at), "approved"],
    ]);
    const lines = statement.lines.map((line) => ({ ...line, key: line.clause_id }));
    c.chart("completion-chart", {
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${v}%`) },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: lines.map((l) => l.clause_id) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", name: c.t("contracts.completion"), label: { show: true, position: "top" },
                 data: lines.map((l) => (l.completion === null ? null
                   : Number((Number(l.completion) * 100).toFixed(1)))) }],
    });
    c.fill("statement-lines", c.table(c.t("contracts.lines"), [
      { label: c.t("contracts.clause"), value: (l) => l.clause_id },
      { label: c.t("common.indicator"), value: (l) => l.evidence.indicator },
      { label: c.t("common.status"), value: (l) => c.t(`line.${l.status}`) },
      { label: c.t("common.value"), num: true, value: (l) => c.number(l.value, 4) },
      { label: c.t("contracts.completion"), num: true,
        value: (l) => (l.completion === null ? "—" : c.percent(Number(l.completion))) },
      { label: c.t("contracts.points"), num: true, value: (l) => l.points ?? "—" },
      { label: c.t("contracts.share_amount"), num: true, value: (l) => c.money(l.share_amount) },
      { label: c.t("contracts.amount"), num: true, value: (l) => c.money(l.amount) },
      { label: c.t("contracts.deductions"), num: true, value: (l) => c.money(l.deductions) },
      { label: c.t("contracts.bonuses"), num: true, value: (l) => c.money(l.bonuses) },
      { label: c.t("contracts.note"), value: (l) => l.note },
    ], lines));
    drawActions(statement);
  }

  // The buttons the user's role may use on the statement in its state; the API
  // checks both again.
  function drawActions(statement) {
    const buttons = [];
    if (can("canReview") && statement.status === "draft") {
      buttons.push(c.el("button", { type: "button", id: "review-button",
        onclick: () => act(statement, "review") }, c.t("contracts.review")));
    }
    if (can("canApprove") && statement.status === "reviewed") {
      buttons.push(c.el("button", { type: "button", id: "approve-button",
        disabled: !statement.complete, title: statement.complete ? null : c.t("contracts.incomplete"),
        onclick: () => act(statement, "approve") }, c.t("contracts.approve")));
    }
    c.fill("statement-actions", buttons);
  }

  async function act(statement, step) {
    const result = document.getElementById("action-result");
    const answer = await c.post(`/api/v1/statements/${enc(statement.statement_id)}/${step}`);
    if (answer.ok) {
      result.className = "";
      result.setAttribute("role", "status");
      result.textContent = statusLabel(answer.body.status);
      drawStatement(answer.body);
      const cell = document.querySelector(`[data-status-of="${CSS.escape(statement.statement_id)}"]`);
      if (cell) {
        cell.textContent = statusLabel(answer.body.status);
        cell.className = `status status-${answer.body.status}`;
      }
    } else {
      result.className = "error";
      result.setAttribute("role", "alert");
      const detail = answer.body && answer.body.detail ? `: ${answer.body.detail}` : "";
      result.textContent = `${c.t("contracts.refused")} (${answer.status})${detail}`;
    }
    result.dataset.status = String(answer.status);
  }

  async function openStatement(statementId) {
    const statement = await c.api(`/api/v1/statements/${enc(statementId)}`);
    document.getElementById("action-result").textContent = "";
    drawStatement(statement);
    history.replaceState(null, "", `?${new URLSearchParams({ statement: statementId })}`);
    document.getElementById("statement").focus();
  }

  function drawCompliance(report) {
    if (!report) {
      c.fill("compliance-table", c.t("common.not_allowed"));
      return;
    }
    const findings = [...report.findings].sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome]);
    c.fill("compliance-table", c.table(c.t("contracts.compliance"), [
      { label: c.t("contracts.rule"), value: (f) => f.rule_id },
      { label: c.t("contracts.subject"), value: (f) => f.subject },
      { label: c.t("contracts.outcome"), value: (f) => outcomeBadge(f.outcome) },
      { label: c.t("contracts.detail"), value: (f) => f.detail },
      { label: c.t("contracts.source"), value: (f) => c.el("details", {},
          c.el("summary", {}, f.source), c.el("p", {}, f.explanation)) },
    ], findings.map((f, i) => ({ ...f, key: `${f.rule_id}:${f.subject}:${i}` }))));
  }

  async function main() {
    if (!can("canReadContracts")) {
      document.getElementById("not-allowed").hidden = false;
      for (const card of section().querySelectorAll(".card")) card.hidden = true;
      c.ready();
      return;
    }
    const [contracts, statements, compliance] = await Promise.all([
      c.api("/api/v1/contracts?limit=1000"),
      c.api("/api/v1/statements?limit=1000"),
      can("canReadCompliance") ? c.api("/api/v1/compliance") : Promise.resolve(null),
    ]);
    page.findings = compliance ? compliance.findings : [];
    const groups = groupByModel(contracts.items);
    drawModels(groups);
    drawContracts(groups);
    drawStatements(statements.items);
    drawCompliance(compliance);
    const asked = c.param("statement");
    if (asked && statements.items.some((s) => s.statement_id === asked)) await openStatement(asked);
    c.ready();
  }

  document.addEventListener("DOMContentLoaded", () => { main().catch(c.fail); });
})();
