// 门户运营: users and coverage, daily actives, retention cohorts, the most used
// services, 一件事 funnels and ratings of a region's month.
"use strict";

(() => {
  const c = window.cityops;

  function drawFigures(data) {
    const users = data.users;
    c.figures([
      ["portal.registered", c.integer(users.registered)],
      ["portal.real_name", c.integer(users.real_name)],
      ["portal.registered_in_month", c.integer(users.registered_in_month)],
      ["portal.coverage", c.fact(users.coverage)],
      ["portal.dau", c.integer(data.dau_mau.numerator)],
      ["portal.mau", c.integer(data.dau_mau.denominator)],
      ["portal.dau_mau", c.fact(data.dau_mau)],
      ["portal.mau_rate", c.fact(data.mau_rate)],
      ["portal.service_success", c.fact(data.service_success)],
      ["portal.rating_good_rate", c.fact(data.rating_good_rate)],
    ]);
  }

  function drawDaily(days) {
    c.chartWithTable("portal-daily", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: days.map((d) => d.day.slice(5)) },
      yAxis: { type: "value", name: c.t("portal.users") },
      series: [{ type: "line", name: c.t("portal.daily_active"), data: days.map((d) => d.users),
                 areaStyle: { opacity: 0.15 } }],
    }, [
      { label: c.t("portal.day"), value: (d) => d.day },
      { label: c.t("portal.users"), num: true, value: (d) => c.integer(d.users) },
    ], days.map((d) => ({ ...d, key: d.day })));
  }

  function drawCohorts(cohorts) {
    const offsets = cohorts.length ? cohorts[0].retention.map((_, k) => String(k)) : [];
    const cells = cohorts.flatMap((cohort, y) => cohort.retention.map((share, x) =>
      [x, y, share === null ? null : Number((share * 100).toFixed(1))]));
    c.chartWithTable("portal-cohorts", {
      tooltip: { formatter: (p) => `${cohorts[p.value[1]].cohort} +${p.value[0]}: ${p.value[2]}%` },
      grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: offsets, name: c.t("portal.months_after"),
               nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "category", data: cohorts.map((k) => `${k.cohort} (${k.users})`) },
      visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center",
                   bottom: 0, show: false },
      series: [{ type: "heatmap", name: c.t("portal.retention"), data: cells,
                 label: { show: true, formatter: (p) => `${p.value[2]}%` } }],
    }, [
      { label: c.t("portal.cohort"), value: (k) => k.cohort },
      { label: c.t("portal.users"), num: true, value: (k) => c.integer(k.users) },
      ...offsets.map((k) => ({ label: `+${k}`, num: true,
                                value: (row) => c.percent(row.retention[Number(k)]) })),
    ], cohorts.map((k) => ({ ...k, key: k.cohort })));
  }

  function drawServices(services) {
    const ascending = [...services].reverse();  // a category axis is drawn bottom-up
    c.chartWithTable("portal-services", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: ascending.map((s) => s.name || s.service_id) },
      series: [{ type: "bar", name: c.t("portal.calls"), data: ascending.map((s) => s.calls),
                 label: { show: true, position: "right" } }],
    }, [
      { label: c.t("portal.service"), value: (s) => s.name || s.service_id },
      { label: c.t("common.department"), value: (s) => s.department || "—" },
      { label: c.t("portal.calls"), num: true, value: (s) => c.integer(s.calls) },
      { label: c.t("portal.success_rate"), num: true, value: (s) => c.percent(s.success_rate) },
    ], services.map((s) => ({ ...s, key: s.service_id })));
  }

  function drawFunnel(funnels) {
    const select = document.getElementById("one-thing");
    select.replaceChildren(...funnels.map((f) =>
      c.el("option", { value: f.one_thing_id }, `${f.one_thing_id} (${f.services})`)));
    const stages = ["started", "succeeded", "completed"];
    const show = () => {
      const funnel = funnels.find((f) => f.one_thing_id === select.value);
      c.chart("portal-funnel", {
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", name: c.t("portal.one_thing"), sort: "none", minSize: "10%",
                   label: { formatter: "{b}: {c}" },
                   data: funnel ? stages.map((s) => ({ name: c.t(`portal.${s}`), value: funnel[s] }))
                     : [] }],
      });
    };
    select.addEventListener("change", show);
    show();
    c.fill("portal-funnel-table", c.table(c.t("portal.one_things"), [
      { label: c.t("portal.one_thing"), value: (f) => f.one_thing_id },
      { label: c.t("portal.services"), num: true, value: (f) => f.services },
      ...stages.map((s) => ({ label: c.t(`portal.${s}`), num: true, value: (f) => c.integer(f[s]) })),
    ], funnels.map((f) => ({ ...f, key: f.one_thing_id }))));
  }

  function drawRatings(ratings) {
    c.chartWithTable("portal-ratings", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "70%"], name: c.t("portal.ratings"),
                 data: ratings.map((r) => ({ name: c.t(`rating.${r.rating}`), value: r.ratings })) }],
    }, [
      { label: c.t("portal.rating"), value: (r) => `${r.rating} ${c.t(`rating.${r.rating}`)}` },
      { label: c.t("portal.ratings"), num: true, value: (r) => c.integer(r.ratings) },
    ], ratings.map((r) => ({ ...r, key: String(r.rating) })));
  }

  function draw(data) {
    drawFigures(data);
    drawDaily(data.daily_active);
    drawCohorts(data.cohorts);
    drawServices(data.top_services);
    drawFunnel(data.one_things);
    drawRatings(data.ratings);
  }

  document.addEventListener("DOMContentLoaded", () => { c.operations("portal", draw); });
})();
