// Exports of a run, all made in the page (offline): the time-space diagram as a standalone SVG
// (a chosen time range, light or dark, real <text>, the message kinds named in a legend), the
// ring as a PNG, the run as JSON (config, actions and events, with a format version) and as a
// text sequence diagram (Mermaid `sequenceDiagram`). Loaded on demand (the Share dialog's export
// buttons); the pure makers (svgDiagram, mermaid, runJson) need no DOM and are tested in Node.

import { History } from "./model.js";
import { COLORS, FONT, KINDS, kindStyle, useTheme } from "./theme.js";
import { advanceAll } from "./run.js";

/** The JSON export's format name and version (bumped when its shape changes). */
export const JSON_FORMAT = "pbft-playground-run";
export const JSON_VERSION = 1;
/** At most this many arrows in a Mermaid export (a note says how many were left out). */
export const MERMAID_MAX = 1500;

/**
 * Replays a run in a fresh Simulation from time 0 to `until`: every event, in order.
 * @param {Function} Simulation  the engine's class
 * @param {object} options       `new Simulation` options, with the run's actions
 */
export function replay(Simulation, options, until) {
  const sim = new Simulation(options);
  try {
    return until > 0 ? advanceAll(sim, until) : sim.takeEvents();
  } finally {
    sim.free();
  }
}

/** The messages (model.js records) of `events`, as the page's History derives them. */
export function messagesOf(events) {
  const history = new History();
  // One pass, no trimming concerns for a blog-sized range: History keeps the newest 60,000.
  history.ingest(events);
  return history.messages;
}

/** Messages sent within [t0, t1]. */
export function inRange(messages, t0, t1) {
  return messages.filter((m) => m.sentAt >= t0 && m.sentAt <= t1);
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const r1 = (x) => Math.round(x * 10) / 10;

/**
 * The time-space diagram of [t0, t1] as a standalone SVG document (a string).
 * @param {object} o
 * @param {object[]} o.messages  message records (messagesOf), any range: those sent in [t0, t1] are drawn
 * @param {number} o.n
 * @param {string[]} o.names     replica names
 * @param {number} o.t0
 * @param {number} o.t1
 * @param {"light" | "dark"} o.theme
 * @param {(k: string, v?: object) => string} o.t
 * @param {string} [o.lang]
 * @param {(ms: number) => string} [o.formatTime]  the page's time format (i18n.js formatTime)
 * @returns {{ svg: string, kinds: string[], count: number }}
 */
export function svgDiagram({ messages, n, names, t0, t1, theme, t, lang = "en", formatTime = (ms) => `${ms} ms` }) {
  useTheme(theme);
  const shown = inRange(messages, t0, t1);
  const kinds = KINDS.filter((k) => shown.some((m) => m.kind === k));
  const LEFT = 80;
  const TOP = 44;
  const lane = n >= 10 ? 22 : 40;
  const plotW = 880;
  const width = LEFT + plotW + 20;
  const lanesH = lane * (n + 1);
  const legendTop = TOP + lanesH + 34;
  const perRow = 5;
  const height = legendTop + Math.ceil((kinds.length + 1) / perRow) * 20 + 12;
  const span = Math.max(1, t1 - t0);
  const X = (time) => LEFT + ((Math.min(Math.max(time, t0), t1) - t0) / span) * plotW;
  const Y = (node) => TOP + lane * (Math.max(-1, node) + 1 + 0.5);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}" lang="${esc(lang)}">`);
  const title = t("export.svg.heading", { n, from: formatTime(t0), to: formatTime(t1) });
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<desc>${esc(t("export.svg.desc", { count: shown.length, kinds: kinds.map((k) => t(`band.${k}`)).join(", ") }))}</desc>`);
  out.push("<defs>");
  for (const k of kinds) out.push(`<marker id="a-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${kindStyle(k).color}"/></marker>`);
  out.push("</defs>");
  out.push(`<rect width="100%" height="100%" fill="${COLORS.paper}"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="13" font-weight="600" fill="${COLORS.ink}">${esc(title)}</text>`);
  // Time axis: a tick every nice step.
  const step = niceStep(span / 8);
  out.push(`<g class="axis" font-size="10" fill="${COLORS.muted}" text-anchor="middle">`);
  for (let g = Math.ceil(t0 / step) * step; g <= t1; g += step) {
    const x = r1(X(g));
    out.push(`<line x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${TOP + lanesH}" stroke="${COLORS.grid}"/><text x="${x}" y="${TOP + lanesH + 14}">${esc(formatTime(g))}</text>`);
  }
  out.push("</g>");
  // Lanes and their names.
  out.push(`<g class="lanes" font-size="12" font-weight="600" text-anchor="end">`);
  for (let node = -1; node < n; node++) {
    const y = r1(Y(node));
    const label = node < 0 ? t("client") : names[node] ?? `R${node}`;
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + plotW}" y2="${y}" stroke="${COLORS.faint}"/><text x="${LEFT - 8}" y="${y + 4}" fill="${node < 0 ? COLORS.client : COLORS.ink}">${esc(label)}</text>`);
  }
  out.push("</g>");
  // Messages, one group per kind.
  for (const k of kinds) {
    const color = kindStyle(k).color;
    out.push(`<g class="messages" data-kind="${k}" stroke="${color}" stroke-width="1.4" fill="none">`);
    out.push(`<title>${esc(t(`band.${k}`))}</title>`);
    for (const m of shown) {
      if (m.kind !== k) continue;
      const delivered = m.fate === "delivered";
      const end = m.endAt === null ? m.deliverAt : delivered ? Math.min(m.endAt, m.deliverAt) : m.endAt;
      const f = delivered ? 1 : Math.min(1, (end - m.sentAt) / Math.max(1, m.deliverAt - m.sentAt));
      let xb = X(end);
      let yb = Y(m.from) + (Y(m.to) - Y(m.from)) * f;
      // Cut at the range's end.
      if (end > t1) {
        const g = (t1 - m.sentAt) / Math.max(1, end - m.sentAt);
        xb = X(t1);
        yb = Y(m.from) + (yb - Y(m.from)) * g;
      }
      const xa = r1(X(m.sentAt));
      const ya = r1(Y(m.from));
      const dropped = m.fate !== null && !delivered;
      const head = delivered && end <= t1 ? ` marker-end="url(#a-${k})"` : "";
      out.push(`<line x1="${xa}" y1="${ya}" x2="${r1(xb)}" y2="${r1(yb)}"${dropped ? ` stroke-dasharray="3 3"` : ""}${head}><title>${esc(`${m.label} ${label(m.from, names, t)} → ${label(m.to, names, t)}`)}</title></line>`);
      if (dropped && end <= t1) {
        const x = r1(xb);
        const y = r1(yb);
        out.push(`<path d="M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}" stroke="${COLORS.byzantine}" stroke-width="1.8"/>`);
      }
    }
    out.push("</g>");
  }
  // The legend: every kind shown, and the dropped mark.
  out.push(`<g class="legend" font-size="11" fill="${COLORS.ink}">`);
  const items = [...kinds.map((k) => [kindStyle(k).color, t(`band.${k}`), false]), [COLORS.byzantine, t("legend.lost"), true]];
  items.forEach(([color, text, dashed], i) => {
    const x = LEFT + (i % perRow) * 170;
    const y = legendTop + Math.floor(i / perRow) * 20;
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${color}" stroke-width="2"${dashed ? ` stroke-dasharray="3 3"` : ""}/><text x="${x + 28}" y="${y}">${esc(text)}</text>`);
  });
  out.push("</g>");
  out.push("</svg>");
  return { svg: out.join("\n"), kinds, count: shown.length };
}

function label(node, names, t) {
  return node < 0 ? t("client") : names[node] ?? `R${node}`;
}

function niceStep(raw) {
  const pow = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * The messages sent within [t0, t1] as a Mermaid sequence diagram: participants R0..Rn-1 (with
 * their names) and the client, one arrow per message (`-x` for one dropped), at most `max`
 * arrows and then a note of how many were left out.
 * @returns {{ text: string, arrows: number, left: number }}
 */
export function mermaid({ messages, n, names, t0, t1, t, max = MERMAID_MAX }) {
  const shown = inRange(messages, t0, t1);
  const clean = (s) => String(s).replace(/[;#:\n\r]/g, " ").replace(/\s+/g, " ").trim();
  const lines = ["sequenceDiagram"];
  lines.push(`  participant client as ${clean(t("client"))}`);
  for (let i = 0; i < n; i++) lines.push(names[i] && names[i] !== `R${i}` ? `  participant R${i} as ${clean(names[i])}` : `  participant R${i}`);
  const id = (node) => (node < 0 ? "client" : `R${node}`);
  const kept = shown.slice(0, max);
  for (const m of kept) {
    const dropped = m.fate !== null && m.fate !== "delivered";
    lines.push(`  ${id(m.from)}${dropped ? "-x" : "->>"}${id(m.to)}: ${clean(m.label || m.kind)}`);
  }
  const left = shown.length - kept.length;
  if (left > 0) lines.push(`  Note over R0,R${n - 1}: ${clean(t("export.mermaid.more", { count: left }))}`);
  return { text: lines.join("\n") + "\n", arrows: kept.length, left };
}

/**
 * The run as JSON: its settings, the options and actions that rebuild it in a fresh Simulation,
 * the time it covers and every event up to there.
 */
export function runJson({ config, options, until, events }) {
  return JSON.stringify({ format: JSON_FORMAT, version: JSON_VERSION, config, options, until, events }, null, 1);
}

/** The ring at this instant as a PNG Blob, drawn again at `scale` device pixels per CSS pixel. */
export async function ringPng({ RingView, view, width, height, t, scale = 2 }) {
  const canvas = new OffscreenCanvas(1, 1);
  const ring = new RingView(canvas, t, null);
  useTheme(view.theme);
  const ctx = canvas.getContext("2d");
  ring.render({ snapshot: view.snapshot, history: view.history, now: view.now, lost: view.lost, selected: null, hover: null, width, height, still: true, hint: "", compact: view.snapshot.n > 4 || width < 420, theme: view.theme, ratio: scale });
  // The ring leaves its background transparent: a paper-coloured one under it.
  const out = new OffscreenCanvas(canvas.width, canvas.height);
  const c = out.getContext("2d");
  c.fillStyle = COLORS.paper;
  c.fillRect(0, 0, out.width, out.height);
  c.drawImage(canvas, 0, 0);
  void ctx;
  return out.convertToBlob({ type: "image/png" });
}

/** Saves `data` (a string or a Blob) as a file named `name`, through an object URL. */
export function download(data, name, type = "text/plain") {
  const blob = data instanceof Blob ? data : new Blob([data], { type: `${type};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name for the run: pbft-n4-seed1[-preset]-0-2400ms.ext */
export function fileName({ n, seed, preset }, t0, t1, ext) {
  const base = `pbft-n${n}-seed${seed}${preset ? `-${preset}` : ""}`;
  return t0 === null ? `${base}.${ext}` : `${base}-${Math.round(t0)}-${Math.round(t1)}ms.${ext}`;
}
