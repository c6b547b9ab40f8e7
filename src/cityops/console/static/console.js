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
    chart.setOption(option, true);
    window.addEventListener("resize", () => chart.resize());
    element.dataset.rendered = "true";
    return chart;
  },
  number(value, digits = 1) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
  },
};
