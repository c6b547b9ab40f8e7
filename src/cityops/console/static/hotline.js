// 12345 热线: tickets by status, response and closure times, deadlines missed by
// department, the hours of the day (the city's night shaded) and callback satisfaction.
"use strict";

(() => {
  const c = window.cityops;

  const hour = (h) => `${String(h).padStart(2, "0")}:00`;
  const nightText = (data) => `${hour(data.night_start)}–${hour(data.night_end)}`;

  // The night's hours as spans [first, last] of the hour axis: two across midnight.
  function nightSpans(start, end) {
    if (start < end) return [[start, end - 1]];
    return end > 0 ? [[0, end - 1], [start, 23]] : [[start, 23]];
  }

  function drawFigures(data) {
    c.figures([
      ["hotline.created", c.integer(data.created)],
      ["hotline.response_30min", c.fact(data.response_30min)],
      ["hotline.on_time_closure", c.fact(data.on_time_closure)],
      ["hotline.sla_missed", c.integer(data.sla_missed)],
      ["hotline.night_created", `${c.integer(data.night_created)} (${nightText(data)})`],
      ["hotline.night_response", c.fact(data.night_response)],
      ["hotline.satisfaction", c.fact(data.satisfaction)],
    ]);
  }

  function drawStatus(statuses) {
    c.chartWithTable("hotline-status", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "70%"], name: c.t("common.status"),
                 data: statuses.filter((s) => s.tickets > 0)
                   .map((s) => ({ name: c.t(`ticket_status.${s.status}`), value: s.tickets })) }],
    }, [
      { label: c.t("common.status"), value: (s) => c.t(`ticket_status.${s.status}`) },
      { label: c.t("hotline.tickets"), num: true, value: (s) => c.integer(s.tickets) },
    ], statuses.map((s) => ({ ...s, key: s.status })));
  }

  function binLabel(bin) {
    if (bin.lower === null) return `< ${bin.upper}`;
    if (bin.upper === null) return `≥ ${bin.lower}`;
    return `${bin.lower}–${bin.upper}`;
  }

  // A histogram of times, with the tickets still waiting as a last, grey bar.
  function drawTimes(id, times, missingKey) {
    const rows = [...times.bins.map((b) => ({ key: binLabel(b), count: b.count })),
                  { key: c.t(missingKey), count: times.missing, missing: true }];
    c.chartWithTable(id, {
      tooltip: { trigger: "axis" },
      title: { text: `${c.t("hotline.median")} ${c.number(times.median)} · `
                     + `${c.t("hotline.p90")} ${c.number(times.p90)}`,
               right: 8, top: 0, textStyle: { fontSize: 12, fontWeight: "normal" } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map((r) => r.key) },
      yAxis: { type: "value", name: c.t("hotline.tickets") },
      series: [{ type: "bar", name: c.t("hotline.tickets"),
                 data: rows.map((r) => (r.missing ? { value: r.count, itemStyle: { color: "#98a2b3" } }
                   : r.count)) }],
    }, [
      { label: c.t("hotline.interval"), value: (r) => r.key },
      { label: c.t("hotline.tickets"), num: true, value: (r) => c.integer(r.count) },
    ], rows);
  }

  function drawSla(departments) {
    const ascending = [...departments].reverse();
    const name = (d) => d.department || "—";
    c.chartWithTable("hotline-sla", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: ascending.map(name) },
      series: [
        { type: "bar", stack: "due", name: c.t("hotline.on_time"),
          data: ascending.map((d) => d.due - d.missed) },
        { type: "bar", stack: "due", name: c.t("hotline.sla_missed"),
          data: ascending.map((d) => d.missed), itemStyle: { color: "#d92d20" } },
      ],
    }, [
      { label: c.t("hotline.department"), value: name },
      { label: c.t("hotline.due"), num: true, value: (d) => c.integer(d.due) },
      { label: c.t("hotline.sla_missed"), num: true, value: (d) => c.integer(d.missed) },
    ], departments.map((d) => ({ ...d, key: name(d) })));
  }

  function drawHours(hours, night) {
    const spans = nightSpans(night.night_start, night.night_end).map(([first, last], i) => [
      { ...(i === 0 ? { name: c.t("hotline.night") } : {}), xAxis: `${first}:00` },
      { xAxis: `${last}:00` }]);
    const rate = (h) => (h.created ? Number(((h.responded_30min / h.created) * 100).toFixed(1)) : null);
    c.chartWithTable("hotline-hours", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: hours.map((h) => `${h.hour}:00`) },
      yAxis: [{ type: "value", name: c.t("hotline.tickets") },
              { type: "value", name: "%", min: 0, max: 100 }],
      series: [
        { type: "bar", name: c.t("hotline.tickets"), data: hours.map((h) => h.created),
          markArea: { silent: true, itemStyle: { color: "rgba(15, 37, 64, 0.08)" },
                      data: spans } },
        { type: "line", yAxisIndex: 1, name: c.t("hotline.response_30min"), data: hours.map(rate) },
      ],
    }, [
      { label: c.t("hotline.hour"), value: (h) => `${h.hour}:00` },
      { label: c.t("hotline.tickets"), num: true, value: (h) => c.integer(h.created) },
      { label: c.t("hotline.responded_30min"), num: true, value: (h) => c.integer(h.responded_30min) },
    ], hours.map((h) => ({ ...h, key: String(h.hour) })));
  }

  function drawScores(scores) {
    c.chartWithTable("hotline-scores", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: scores.map((s) => String(s.score)), name: c.t("hotline.score") },
      yAxis: { type: "value", name: c.t("hotline.callbacks") },
      series: [{ type: "bar", name: c.t("hotline.callbacks"), data: scores.map((s) => s.callbacks) }],
    }, [
      { label: c.t("hotline.score"), value: (s) => s.score },
      { label: c.t("hotline.callbacks"), num: true, value: (s) => c.integer(s.callbacks) },
    ], scores.map((s) => ({ ...s, key: String(s.score) })));
  }

  function draw(data) {
    drawFigures(data);
    drawStatus(data.by_status);
    drawTimes("hotline-response", data.response_time, "hotline.not_responded");
    drawTimes("hotline-closure", data.closure_time, "hotline.not_closed");
    drawSla(data.sla_by_department);
    drawHours(data.by_hour, data);
    drawScores(data.satisfaction_scores);
  }

  document.addEventListener("DOMContentLoaded", () => { c.operations("hotline", draw); });
})();
