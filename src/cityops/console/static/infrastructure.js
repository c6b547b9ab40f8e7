// 数据、设施与安全: the data catalogue and its quality, data sharing, camera
// availability, cloud utilisation, and security incidents with their timelines.
"use strict";

(() => {
  const c = window.cityops;

  function drawFigures(data) {
    const { catalogue, quality, sharing, cameras, cloud, security } = data;
    c.figures([
      ["infra.resources", c.fact(catalogue.resources, true)],
      ["infra.records", c.integer(catalogue.records)],
      ["infra.sharing_rate", c.fact(catalogue.sharing_rate)],
      ["infra.open_rate", c.fact(catalogue.open_rate)],
      ["infra.quality_pass", c.fact(quality.pass_rate)],
      ["infra.usage_rate", c.fact(sharing.usage_rate)],
      ["infra.camera_count", c.integer(cameras.cameras)],
      ["infra.intact_rate", c.fact(cameras.intact_rate)],
      ["infra.camera_sharing", c.fact(cameras.sharing_rate)],
      ["infra.cloud_utilisation", c.fact(cloud.utilisation)],
      ["infra.incident_count", c.integer(security.incidents)],
      ["infra.leaks", c.fact(security.leaks, true)],
    ]);
  }

  function drawCatalogue(catalogue) {
    const groups = [["classification", catalogue.by_classification],
                    ["share_type", catalogue.by_share_type],
                    ["open_type", catalogue.by_open_type]];
    const rows = groups.flatMap(([group, counts]) => counts.map((k) =>
      ({ key: `${group}.${k.key}`, group, label: c.t(`${group}.${k.key}`), count: k.count })));
    c.chartWithTable("infra-catalogue", {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: groups.map(([group, counts], i) => ({
        type: "pie", name: c.t(`infra.${group}`), radius: ["18%", "30%"],
        center: [`${18 + i * 32}%`, "55%"], label: { show: false },
        data: counts.map((k) => ({ name: c.t(`${group}.${k.key}`), value: k.count })),
      })),
      title: groups.map(([group], i) => ({ text: c.t(`infra.${group}`), left: `${18 + i * 32}%`,
                                           top: "15%", textAlign: "center",
                                           textStyle: { fontSize: 12, fontWeight: "normal" } })),
    }, [
      { label: c.t("infra.classification"), value: (r) => `${c.t(`infra.${r.group}`)} · ${r.label}` },
      { label: c.t("infra.resources"), num: true, value: (r) => c.integer(r.count) },
    ], rows);
  }

  function drawQuality(dimensions) {
    const name = (d) => c.t(`dimension.${d.dimension}`);
    c.chartWithTable("infra-quality", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: dimensions.map(name) },
      yAxis: { type: "value", scale: true, name: "%", max: 100 },
      series: [{ type: "bar", name: c.t("infra.quality_pass"),
                 data: dimensions.map((d) => (d.pass_rate === null ? null
                   : Number((d.pass_rate * 100).toFixed(2)))),
                 label: { show: true, position: "top" } }],
    }, [
      { label: c.t("infra.dimension"), value: name },
      { label: c.t("infra.checks"), num: true, value: (d) => c.integer(d.checks) },
      { label: c.t("infra.rows_checked"), num: true, value: (d) => c.integer(d.rows_checked) },
      { label: c.t("infra.rows_failed"), num: true, value: (d) => c.integer(d.rows_failed) },
      { label: c.t("infra.quality_pass"), num: true, value: (d) => c.percent(d.pass_rate, 2) },
    ], dimensions.map((d) => ({ ...d, key: d.dimension })));
  }

  function drawSharing(consumers) {
    const ascending = [...consumers].reverse();
    c.chartWithTable("infra-sharing", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: ascending.map((d) => d.department) },
      series: [{ type: "bar", name: c.t("infra.calls"), data: ascending.map((d) => d.calls),
                 label: { show: true, position: "right" } }],
    }, [
      { label: c.t("infra.consumer"), value: (d) => d.department },
      { label: c.t("infra.calls"), num: true, value: (d) => c.integer(d.calls) },
      { label: c.t("infra.successful"), num: true, value: (d) => c.integer(d.successful) },
      { label: c.t("infra.rows"), num: true, value: (d) => c.integer(d.rows) },
    ], consumers.map((d) => ({ ...d, key: d.department })));
  }

  function drawCameras(bins) {
    const label = (b) => {
      const pct = (v) => `${Math.round(v * 100)}%`;
      if (b.lower === null) return `< ${pct(b.upper)}`;
      if (b.upper === null) return `≥ ${pct(b.lower)}`;
      return `${pct(b.lower)}–${pct(b.upper)}`;
    };
    c.chartWithTable("infra-cameras", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: bins.map(label), name: c.t("infra.availability") },
      yAxis: { type: "value", name: c.t("infra.camera_count"), minInterval: 1 },
      series: [{ type: "bar", name: c.t("infra.camera_count"), data: bins.map((b) => b.count) }],
    }, [
      { label: c.t("infra.availability"), value: label },
      { label: c.t("infra.camera_count"), num: true, value: (b) => c.integer(b.count) },
    ], bins.map((b) => ({ ...b, key: label(b) })));
  }

  function drawCloud(departments) {
    const parts = [["vcpu", "vcpu_utilisation"], ["memory", "mem_utilisation"],
                   ["storage", "storage_utilisation"]];
    const pct = (v) => (v === null ? null : Number((v * 100).toFixed(1)));
    c.chartWithTable("infra-cloud", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: departments.map((d) => d.department) },
      yAxis: { type: "value", name: "%", min: 0, max: 100 },
      series: parts.map(([key, field]) => ({ type: "bar", name: c.t(`infra.${key}`),
                                             data: departments.map((d) => pct(d[field])) })),
    }, [
      { label: c.t("common.department"), value: (d) => d.department },
      { label: c.t("infra.cloud_resources"), num: true, value: (d) => c.integer(d.resources) },
      { label: c.t("infra.vcpu_alloc"), num: true, value: (d) => c.number(d.vcpu_alloc, 0) },
      ...parts.map(([key, field]) => ({ label: c.t(`infra.${key}`), num: true,
                                        value: (d) => c.percent(d[field]) })),
    ], departments.map((d) => ({ ...d, key: d.department })));
  }

  function drawIncidents(grades) {
    const name = (g) => `${g.grade} ${c.t(`grade.${g.grade}`)}`;
    c.chartWithTable("infra-incidents", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: grades.map(name) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: c.t("infra.incident_count"), data: grades.map((g) => g.incidents) },
        { type: "bar", name: c.t("infra.leaks"), data: grades.map((g) => g.leaks),
          itemStyle: { color: "#d92d20" } },
      ],
    }, [
      { label: c.t("infra.grade"), value: name },
      { label: c.t("infra.incident_count"), num: true, value: (g) => c.integer(g.incidents) },
      { label: c.t("infra.leaks"), num: true, value: (g) => c.integer(g.leaks) },
      { label: c.t("infra.mean_response"), num: true, value: (g) => c.number(g.mean_response_minutes) },
      { label: c.t("infra.mean_recovery"), num: true, value: (g) => c.number(g.mean_recovery_minutes) },
    ], grades.map((g) => ({ ...g, key: String(g.grade) })));
  }

  // Each incident as a bar from its detection: time to respond, then to contain,
  // then to recover (minutes), stacked; a phase not reached yet is left out.
  function drawTimelines(incidents) {
    const minutes = (from, to) => (from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 60000)
      : null);
    const steps = [["to_respond", "detected_at", "responded_at"],
                   ["to_contain", "responded_at", "contained_at"],
                   ["to_recover", "contained_at", "recovered_at"]];
    const ascending = [...incidents].reverse();
    c.chartWithTable("infra-timelines", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: c.t("infra.minutes") },
      yAxis: { type: "category", data: ascending.map((i) => `${i.incident_id} (${i.grade})`) },
      series: steps.map(([key, from, to]) => ({
        type: "bar", stack: "timeline", name: c.t(`infra.${key}`),
        data: ascending.map((i) => minutes(i[from], i[to])),
      })),
    }, [
      { label: c.t("infra.incident"), value: (i) => i.incident_id },
      { label: c.t("infra.grade"), value: (i) => `${i.grade} ${c.t(`grade.${i.grade}`)}` },
      { label: c.t("infra.system"), value: (i) => i.system_id || "—" },
      { label: c.t("infra.detected"), value: (i) => i.detected_at.replace("T", " ").slice(0, 16) },
      ...steps.map(([key, from, to]) => ({ label: c.t(`infra.${key}`), num: true,
                                           value: (i) => c.number(minutes(i[from], i[to]), 0) })),
      { label: c.t("infra.leaks"), value: (i) => (i.leak ? "✔" : "") },
    ], incidents.map((i) => ({ ...i, key: i.incident_id })));
  }

  function draw(data) {
    drawFigures(data);
    drawCatalogue(data.catalogue);
    drawQuality(data.quality.by_dimension);
    drawSharing(data.sharing.by_consumer);
    drawCameras(data.cameras.availability);
    drawCloud(data.cloud.by_department);
    drawIncidents(data.security.by_grade);
    drawTimelines(data.security.timelines);
  }

  document.addEventListener("DOMContentLoaded", () => { c.operations("infrastructure", draw); });
})();
