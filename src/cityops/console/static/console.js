// Shared helpers of the console pages: JSON from the API with the session
// cookie, and charts that follow the page's language and size.
"use strict";

window.cityops = {
  lang: () => document.body.dataset.lang || "zh",
  async api(path) {
    const response = await fetch(path, { credentials: "same-origin",
                                         headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  },
  chart(id, option) {
    const element = document.getElementById(id);
    if (!element || !window.echarts) return null;
    const chart = echarts.getInstanceByDom(element) || echarts.init(element);
    // Tooltips are drawn on the canvas ("richText"), not as HTML: the page's
    // Content-Security-Policy refuses the inline styles of ECharts' HTML tooltips,
    // and no data (a region's name) is ever parsed as markup.
    const tooltip = option.tooltip && { ...option.tooltip, renderMode: "richText" };
    chart.setOption(tooltip ? { ...option, tooltip } : option, true);
    window.addEventListener("resize", () => chart.resize());
    element.dataset.rendered = "true";
    return chart;
  },
  number(value, digits = 1) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
  },
};

// Page helpers shared by the overview, evaluation and contracts pages.  Labels
// come from the page itself (<script type="application/json" id="labels">,
// rendered by the server in the user's language), so scripts hold no text.
Object.assign(window.cityops, {
  labels() {
    if (!this._labels) {
      const element = document.getElementById("labels");
      this._labels = element ? JSON.parse(element.textContent) : {};
    }
    return this._labels;
  },
  t(key) {
    const value = this.labels()[key];
    return value === undefined ? key : value;
  },
  // A change through the API with the session cookie: the console header
  // proves the request comes from a console page (the API refuses it otherwise).
  async post(path) {
    const response = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { Accept: "application/json", "X-Cityops-Console": "1" },
    });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    return { ok: response.ok, status: response.status, body };
  },
  // JSON from the API, or null when the API answers 404 (nothing there for this user).
  async find(path) {
    const response = await fetch(path, { credentials: "same-origin",
                                         headers: { Accept: "application/json" } });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  },
  param(name) {
    return new URLSearchParams(window.location.search).get(name);
  },
  // An element with attributes and children (strings become text, never HTML).
  el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  },
  // A table with a caption, header cells with scope and numeric columns aligned.
  table(caption, columns, rows) {
    const { el } = window.cityops;
    return el("table", { class: "data" },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, columns.map((c) =>
        el("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      el("tbody", {}, rows.map((row) => el("tr", { "data-key": row.key },
        columns.map((c, i) => {
          const value = c.value(row);
          return i === 0 ? el("th", { scope: "row" }, value)
            : el("td", { class: c.num ? "num" : null }, value);
        })))));
  },
  fill(id, ...children) {
    const element = document.getElementById(id);
    if (element) element.replaceChildren(...children.flat());
    return element;
  },
  percent(ratio, digits = 1) {
    return ratio === null || ratio === undefined ? "—" : `${(Number(ratio) * 100).toFixed(digits)}%`;
  },
  integer(value) {
    return value === null || value === undefined ? "—"
      : Math.round(Number(value)).toLocaleString(window.cityops.locale());
  },
  money(text) {
    if (text === null || text === undefined) return "—";
    const [whole, fraction = "00"] = String(text).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${grouped}.${fraction.padEnd(2, "0")}`;
  },
  // A fact's value as its unit reads: a ratio as a percentage, a count whole.
  byUnit(value, unit) {
    const c = window.cityops;
    if (value === null || value === undefined) return "—";
    if (unit === "ratio") return c.percent(value);
    if (unit === "count") return c.integer(value);
    return c.number(value, 2);
  },
  locale() {
    return window.cityops.lang() === "en" ? "en-GB" : "zh-CN";
  },
  stage(code) {
    return code ? window.cityops.t(`stage.${code}`) : "—";
  },
  // The region a page opens on: ?region=, else the user's own, else the
  // highest level in scope (an administrator has no region of their own).
  defaultRegion(regions) {
    const asked = window.cityops.param("region");
    if (asked && regions.some((r) => r.region_code === asked)) return asked;
    const own = document.getElementById("who")?.dataset.region;
    if (own && regions.some((r) => r.region_code === own)) return own;
    const order = ["province", "city", "district", "street"];
    const sorted = [...regions].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
    const city = regions.find((r) => r.level === "city");
    return (city || sorted[0] || {}).region_code || null;
  },
  regionOptions(select, regions, chosen) {
    const { el } = window.cityops;
    select.replaceChildren(...regions.map((r) => el("option",
      { value: r.region_code, selected: r.region_code === chosen }, `${r.name} (${r.region_code})`)));
  },
  // Marks the page drawn: tests and the load-time report wait for this.
  ready(state = "ok") {
    performance.mark("cityops-ready");
    document.body.dataset.ready = state;
  },
  fail(error) {
    console.warn(error);
    const message = document.getElementById("page-error");
    if (message) {
      message.hidden = false;
      message.textContent = `${window.cityops.t("common.error")}: ${error.message}`;
    }
    window.cityops.ready("error");
  },
});

// Operations pages (portal, hotline, infrastructure): the region and month they
// show (?region= and ?period=, else the user's region and its latest month with
// facts), and their figures from /api/v1/operations/{region}/{page}.
Object.assign(window.cityops, {
  async operations(page, draw) {
    const c = window.cityops;
    try {
      const regions = await c.api("/api/v1/regions");
      const region = c.defaultRegion(regions);
      c.regionOptions(document.getElementById("region"), regions, region);
      if (!region) { c.ready("empty"); return; }
      const code = encodeURIComponent(region);
      const summary = await c.find(`/api/v1/regions/${code}/summary`);
      const months = summary ? summary.months : [];
      const period = c.param("period") || (summary && summary.period)
        || new Date().toISOString().slice(0, 7);
      const periods = months.includes(period) ? [...months] : [...months, period].sort();
      const select = document.getElementById("period");
      select.replaceChildren(...periods.reverse().map((month) =>
        c.el("option", { value: month, selected: month === period }, month)));
      document.getElementById("controls").addEventListener("change", () => {
        const query = new URLSearchParams({ region: document.getElementById("region").value,
                                            period: select.value });
        window.location.search = `?${query}`;
      });
      const data = await c.api(
        `/api/v1/operations/${code}/${page}?period=${encodeURIComponent(period)}`);
      const computedNow = (value) => Boolean(value) && typeof value === "object"
        && (value.stored === false || Object.values(value).some(computedNow));
      document.getElementById("live-facts").hidden = !computedNow(data);
      draw(data);
      c.ready();
    } catch (error) {
      c.fail(error);
    }
  },
  // A fact's value as a percentage (or a count), starred when computed now.
  fact(figure, asCount = false) {
    const c = window.cityops;
    const text = asCount ? c.integer(figure.value) : c.percent(figure.value);
    return figure.stored ? text : `${text} *`;
  },
  // The page's headline figures, [[label key, text], ...], into <dl id="figures">.
  figures(items) {
    const c = window.cityops;
    c.fill("figures", items.flatMap(([key, text]) => [
      c.el("dt", {}, c.t(key)), c.el("dd", { "data-figure": key }, text)]));
  },
  // A chart with its data table under it (columns as for cityops.table); a chart
  // without rows says so.
  chartWithTable(id, option, columns, rows) {
    const c = window.cityops;
    const empty = [{ type: "text", left: "center", top: "middle",
                     style: { text: c.t("common.no_data") } }];
    c.chart(id, rows.length ? option : { ...option, graphic: empty });
    const title = document.getElementById(`${id}-title`);
    c.fill(`${id}-table`, c.table(title ? title.textContent : "", columns, rows));
  },
});
