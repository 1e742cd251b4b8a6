// Message statistics (loaded when its panel is first opened): the messages of the run so far by
// kind, in total and per accepted request, counted from the run's events (History.sentByKind);
// and how they grow with n: real headless runs of one request for n = 4, 7, 10, 13, 16, their
// PREPARE and COMMIT counts drawn as a small SVG chart beside the paper's formulas ((n − 1)² and
// n(n − 1): O(n²)), with a table that is the chart's accessible alternative.

import { h } from "./dom.js";
import { KINDS, kindStyle, useTheme } from "./theme.js";

export const GROWTH_NS = [4, 7, 10, 13, 16];
const SVG_NS = "http://www.w3.org/2000/svg";

/** The run's counts: [{ kind, count, perRequest }] for each kind sent, the total, the requests accepted. */
export function runCounts(history) {
  const accepted = history.accepted;
  const per = (c) => (accepted > 0 ? c / accepted : null);
  const rows = KINDS.filter((k) => history.sentByKind[k]).map((k) => ({ kind: k, count: history.sentByKind[k], perRequest: per(history.sentByKind[k]) }));
  const total = Object.values(history.sentByKind).reduce((a, b) => a + b, 0);
  return { rows, total, totalPerRequest: per(total), accepted };
}

/**
 * Messages of one request for each n (real runs: a fresh Simulation, one request, run until idle).
 * @returns {{ n: number, byKind: Record<string, number>, total: number }[]}
 */
export function growth(Simulation, ns = GROWTH_NS, seed = 1) {
  return ns.map((n) => {
    const sim = new Simulation({ n, seed });
    try {
      sim.request("x=1");
      const ran = sim.runUntilIdle(60_000);
      const events = [...(Array.isArray(ran) ? ran : []), ...sim.takeEvents()];
      const byKind = {};
      for (const e of events) if (e.type === "sent") byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
      return { n, byKind, total: Object.values(byKind).reduce((a, b) => a + b, 0) };
    } finally {
      sim.free();
    }
  });
}

/** The paper's counts for one request with every replica honest. */
export const formula = {
  prepare: (n) => (n - 1) * (n - 1),
  commit: (n) => n * (n - 1),
};

const fmt = (x) => (x === null ? "—" : Number.isInteger(x) ? String(x) : x.toFixed(1));

export class StatsView {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {Function} Simulation  the engine's class (for the growth runs)
   * @param {string} theme  the page's theme (the chart's colours)
   */
  constructor(t, Simulation, theme = "light") {
    this.t = t;
    useTheme(theme);
    this.body = h("tbody");
    this.foot = h("tfoot");
    const th = (text) => h("th", { scope: "col", text });
    this.table = h("table", { class: "stats-table" }, h("caption", { text: t("stats.run.caption") }), h("thead", {}, h("tr", {}, th(t("stats.kind")), th(t("stats.count")), th(t("stats.perRequest")))), this.body, this.foot);
    this.rows = growth(Simulation);
    const chartId = `stats-chart-desc-${Math.random().toString(36).slice(2, 8)}`;
    this.chart = this.#chart(chartId);
    const gth = (text) => h("th", { scope: "col", text });
    const growthTable = h(
      "table",
      { class: "stats-table growth", id: chartId },
      h("caption", { text: t("stats.growth.caption") }),
      h("thead", {}, h("tr", {}, gth("n"), gth(t("band.prepare")), gth("(n − 1)²"), gth(t("band.commit")), gth("n(n − 1)"), gth(t("stats.total")))),
      h(
        "tbody",
        {},
        this.rows.map((r) =>
          h(
            "tr",
            { dataset: { n: String(r.n) } },
            h("th", { scope: "row", text: String(r.n) }),
            h("td", { class: "prepare", text: String(r.byKind.prepare ?? 0) }),
            h("td", { text: String(formula.prepare(r.n)) }),
            h("td", { class: "commit", text: String(r.byKind.commit ?? 0) }),
            h("td", { text: String(formula.commit(r.n)) }),
            h("td", { class: "total", text: String(r.total) }),
          ),
        ),
      ),
    );
    this.root = h("div", { class: "stats-body" }, this.table, h("div", { class: "stats-growth" }, h("p", { class: "stats-note", text: t("stats.growth.note") }), this.chart, growthTable));
  }

  /** The run's counts now. */
  update(history) {
    const { rows, total, totalPerRequest, accepted } = runCounts(history);
    const key = JSON.stringify([rows, accepted]);
    if (key === this.key) return;
    this.key = key;
    this.body.replaceChildren(...rows.map((r) => h("tr", { dataset: { kind: r.kind } }, h("th", { scope: "row", text: this.t(`band.${r.kind}`) }), h("td", { class: "count", text: String(r.count) }), h("td", { text: fmt(r.perRequest) }))));
    this.foot.replaceChildren(
      h("tr", { class: "total" }, h("th", { scope: "row", text: this.t("stats.total") }), h("td", { class: "count", text: String(total) }), h("td", { text: fmt(totalPerRequest) })),
      h("tr", {}, h("th", { scope: "row", text: this.t("stats.accepted") }), h("td", { class: "accepted", text: String(accepted) }), h("td", {})),
    );
  }

  /** A line chart of PREPARE, COMMIT (measured: dots; formula: a thin line) and the total against n. */
  #chart(descId) {
    const W = 360;
    const H = 180;
    const L = 40;
    const B = 26;
    const max = Math.max(...this.rows.map((r) => r.total));
    const ns = this.rows.map((r) => r.n);
    const X = (n) => L + ((n - ns[0]) / (ns.at(-1) - ns[0])) * (W - L - 64);
    const Y = (v) => H - B - (v / max) * (H - B - 14);
    const el = (tag, attrs, ...kids) => {
      const e = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      for (const k of kids) e.append(k);
      return e;
    };
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "stats-chart", role: "img", "aria-label": this.t("stats.chart.label"), "aria-describedby": descId });
    svg.append(el("line", { x1: L, y1: H - B, x2: W - 8, y2: H - B, class: "axis" }), el("line", { x1: L, y1: 8, x2: L, y2: H - B, class: "axis" }));
    for (const n of ns) svg.append(el("text", { x: X(n), y: H - B + 14, "text-anchor": "middle", class: "tick" }, `n=${n}`));
    for (const v of [0, Math.round(max / 2), max]) svg.append(el("text", { x: L - 4, y: Y(v) + 3, "text-anchor": "end", class: "tick" }, String(v)));
    // Each series named right of its last point (prepare a little below commit: they are close).
    const series = [
      ["prepare", kindStyle("prepare").color, (r) => r.byKind.prepare ?? 0, formula.prepare, 10],
      ["commit", kindStyle("commit").color, (r) => r.byKind.commit ?? 0, formula.commit, -3],
      ["total", "currentColor", (r) => r.total, null, 4],
    ];
    for (const [name, color, get, f, dy] of series) {
      if (f) svg.append(el("polyline", { points: ns.map((n) => `${X(n)},${Y(f(n))}`).join(" "), fill: "none", stroke: color, "stroke-width": 1, "stroke-dasharray": "3 3" }));
      svg.append(el("polyline", { points: this.rows.map((r) => `${X(r.n)},${Y(get(r))}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
      for (const r of this.rows) svg.append(el("circle", { cx: X(r.n), cy: Y(get(r)), r: 3, fill: color }));
      const last = this.rows.at(-1);
      svg.append(el("text", { x: X(last.n) + 7, y: Y(get(last)) + dy, "text-anchor": "start", fill: color, class: "series" }, name === "total" ? this.t("stats.total") : this.t(`band.${name}`)));
    }
    return svg;
  }
}


