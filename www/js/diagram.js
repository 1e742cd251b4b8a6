// The time-space diagram (Castro & Liskov, Figure 1, drawn live): one lane per node,
// one arrow per message from (send time, sender) to (arrival time, receiver),
// dropped messages ending in a cross, refused ones in a badge with a cross at their head (the
// check that caught them told on hover), phases labelled along the top. Auto-scrolls with
// the virtual clock. A renderer: it reads and never changes state.

import { COLORS, FONT, drawGlyph, drawNote, drawRefusedMark, fitCanvas, kindStyle, nearestMark } from "./theme.js";
import { describeRefusal, namer } from "./describe.js";
import { faultIntervals } from "./model.js";
import { formatTime } from "./i18n.js";

const LEFT = 62;
const TOP = 38;
const BOTTOM = 20;
const RIGHT = 10;
const LOOKBACK = 2_000; // longest flight we expect to see (ms); older sends are skipped

/** Kinds whose phase label is per sequence number. */
const PER_SEQ = new Set(["pre-prepare", "prepare", "commit"]);

export class Diagram {
  /** @param {HTMLCanvasElement} canvas @param {(k: string, v?: object) => string} t */
  constructor(canvas, t) {
    this.canvas = canvas;
    this.t = t;
    /** Refusal marks drawn in the last frame: [{ refusal, x, y }], newest first. */
    this.marks = [];
    /** Heads of the messages in flight drawn in the last frame: [id, x, y, ...]. */
    this.heads = [];
  }

  /** The message in flight whose head is nearest (x, y) in CSS pixels, within `reach`, or null. */
  hitMessage(x, y, reach = 9) {
    let best = null;
    let bestD = reach * reach;
    for (let i = 0; i < this.heads.length; i += 3) {
      const d = (this.heads[i + 1] - x) ** 2 + (this.heads[i + 2] - y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = this.heads[i];
      }
    }
    return best;
  }

  /** The refusal mark under (x, y) in CSS pixels (the newest of those there), or null. */
  hitMark(x, y, reach = 9) {
    return nearestMark(this.marks, x, y, reach)[0];
  }

  /**
   * @param {object} o
   * @param {object} o.snapshot
   * @param {import("./model.js").History} o.history
   * @param {object[]} o.actions   the run's recorded actions (crash / behaviour / partition spans)
   * @param {number} o.now          virtual time (fractional)
   * @param {number} o.windowMs     width of the visible window in virtual ms
   * @param {number|null} o.selected
   * @param {object|null} [o.hoverMark]  the refusal (model.js) under the pointer: its check is told
   * @param {number} o.width
   * @param {number} o.height
   * @param {boolean} [o.still]    reduced motion: the window moves by pages instead of scrolling
   */
  render({ snapshot, history, actions, now, windowMs, selected, hoverMark = null, width, height, still = false }) {
    const ctx = fitCanvas(this.canvas, width, height, true);
    if (!ctx || !snapshot) return;
    const t = this.t;
    const n = snapshot.n;
    ctx.clearRect(0, 0, width, height);

    const plotW = Math.max(10, width - LEFT - RIGHT);
    // The window follows the clock; early in a run it starts at 0 and fills from the left.
    // With reduced motion it jumps a page at a time (three quarters of a window) instead.
    const t1 = still
      ? Math.max(windowMs * 0.98, windowMs * 0.98 + Math.ceil((now + windowMs * 0.04 - windowMs * 0.98) / (windowMs * 0.75)) * windowMs * 0.75)
      : Math.max(now + windowMs * 0.04, windowMs * 0.98);
    const t0 = t1 - windowMs;
    const sx = plotW / windowMs;
    const X = (time) => LEFT + (time - t0) * sx;
    const lanes = n + 1;
    const laneGap = (height - TOP - BOTTOM) / lanes;
    const Y = (node) => TOP + laneGap * (Math.max(-1, node) + 1 + 0.5); // clients (< 0) share lane 0
    const compact = laneGap < 22;

    // Time grid and axis.
    const step = niceStep(windowMs / Math.max(2, plotW / 90));
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let g = Math.ceil(Math.max(0, t0) / step) * step; g <= t1; g += step) {
      const x = X(g);
      ctx.strokeStyle = COLORS.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, TOP - 4);
      ctx.lineTo(Math.round(x) + 0.5, height - BOTTOM);
      ctx.stroke();
      ctx.fillStyle = COLORS.muted;
      ctx.fillText(formatTime(g), x, height - BOTTOM + 4);
    }
    // Time before 0 is shaded.
    if (t0 < 0) {
      ctx.fillStyle = COLORS.wash;
      ctx.fillRect(LEFT, TOP - 4, X(0) - LEFT, height - BOTTOM - TOP + 4);
    }

    // Lanes with crash / Byzantine / isolation spans.
    const spans = faultIntervals(actions, n, now);
    const laneLine = (y, a, b, color, widthPx, dash) => {
      const xa = Math.max(LEFT, X(a));
      const xb = Math.min(LEFT + plotW, X(b));
      if (xb <= xa) return;
      ctx.strokeStyle = color;
      ctx.lineWidth = widthPx;
      ctx.setLineDash(dash || []);
      ctx.beginPath();
      ctx.moveTo(xa, y);
      ctx.lineTo(xb, y);
      ctx.stroke();
      ctx.setLineDash([]);
    };
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let node = -1; node < n; node++) {
      const y = Math.round(Y(node)) + 0.5;
      laneLine(y, Math.max(0, t0), now, COLORS.faint, 1);
      let label;
      let color = COLORS.ink;
      if (node < 0) {
        label = t("client");
        color = COLORS.client;
      } else {
        const rep = snapshot.replicas[node];
        label = rep.name;
        for (const [a, b] of spans.isolated[node]) laneLine(y, a, Math.min(b, now), COLORS.isolated, 2, [2, 3]);
        for (const s of spans.byzantine[node]) laneLine(y, s.from, Math.min(s.to, now), COLORS.byzantine, 3);
        for (const [a, b] of spans.crashed[node]) laneLine(y, a, Math.min(b, now), COLORS.crashed, 5, [6, 3]);
        if (!rep.up) color = COLORS.crashed;
        else if (rep.behavior !== "honest") color = COLORS.byzantine;
        else if (rep.isPrimary) color = COLORS.primary;
      }
      ctx.font = `${node >= 0 && snapshot.replicas[node].isPrimary ? "700" : "600"} ${compact ? 10 : 12}px ${FONT}`;
      ctx.fillStyle = color;
      ctx.fillText(truncate(label, 9), LEFT - 8, y);
    }

    // Messages: lines batched per kind; arrowheads, crosses and heads after.
    const first = lowerBound(history.messages, t0 - LOOKBACK);
    const bands = new Map();
    const bandList = [];
    const solid = new Map();
    const dashed = new Map();
    const heads = new Map();
    const crosses = [];
    const flying = [];
    let sel = null;
    const waits = new Map();
    const heads2 = [];
    const one = (m) => {
      const ended = m.endAt !== null && m.endAt <= now;
      const delivered = ended && m.fate === "delivered";
      // A message ends its flight on the receiver's lane at its arrival: at deliverAt, or earlier
      // when you delivered it early; one you delivered late (manual delivery) waited at the
      // door from deliverAt (a dotted stretch along the lane), as one still waiting does.
      const arrive = delivered ? Math.min(m.endAt, m.deliverAt) : ended ? m.endAt : Math.min(now, m.deliverAt);
      const last = ended ? m.endAt : Math.max(arrive, now);
      if (last < t0) return;
      const span = Math.max(1, m.deliverAt - m.sentAt);
      const f = delivered ? 1 : Math.min(1, (arrive - m.sentAt) / span);
      const xa = X(m.sentAt);
      const ya = Y(m.from);
      const yb = Y(m.to);
      const xb = X(arrive);
      const yEnd = ya + (yb - ya) * f;
      const target = ended && m.fate !== "delivered" ? dashed : solid;
      if (!target.has(m.kind)) target.set(m.kind, []);
      target.get(m.kind).push(xa, ya, xb, yEnd);
      const waitedTo = delivered ? m.endAt : ended ? null : now;
      const waited = waitedTo !== null && waitedTo > m.deliverAt;
      if (waited) {
        if (!waits.has(m.kind)) waits.set(m.kind, []);
        waits.get(m.kind).push(xb, yb, X(waitedTo), yb);
      }
      if (ended) {
        if (delivered) {
          if (!heads.has(m.kind)) heads.set(m.kind, []);
          if (waited) heads.get(m.kind).push(xb, yb, X(m.endAt), yb);
          else heads.get(m.kind).push(xa, ya, xb, yEnd);
        }
        else crosses.push(xb, yEnd);
      } else {
        flying.push(m.kind, xb, yEnd);
        heads2.push(m.id, xb, yEnd);
      }
      if (m.id === selected) sel = [xa, ya, xb, yEnd];
      // Phase bands.
      const key = PER_SEQ.has(m.kind) ? `${m.kind}:${m.view}:${m.seq}` : m.kind;
      let b = bands.get(key);
      if (!b || m.sentAt - b.last > 150) {
        b = { kind: m.kind, seq: PER_SEQ.has(m.kind) ? m.seq : null, start: m.sentAt, last: m.sentAt, end: arrive };
        bands.set(key, b);
        bandList.push(b);
      }
      b.last = Math.max(b.last, m.sentAt);
      b.end = Math.max(b.end, arrive);
    };
    for (let i = first; i < history.messages.length; i++) {
      const m = history.messages[i];
      if (m.sentAt > now) break;
      one(m);
    }
    // Messages waiting at their doors for longer than a flight (manual delivery) are drawn too.
    const early = first < history.messages.length ? history.messages[first].sentAt : Infinity;
    for (const m of history.live.values()) if (m.sentAt < early && m.sentAt < t0 - LOOKBACK) one(m);

    ctx.save();
    ctx.beginPath();
    ctx.rect(LEFT, TOP - 6, plotW, height - TOP - BOTTOM + 12);
    ctx.clip();
    const alpha = n > 10 ? 0.45 : n > 4 ? 0.7 : 0.9;
    for (const [map, dash] of [
      [solid, null],
      [dashed, [3, 3]],
    ]) {
      for (const [kind, seg] of map) {
        ctx.strokeStyle = kindStyle(kind).color;
        ctx.globalAlpha = dash ? 0.6 : alpha;
        ctx.lineWidth = n > 10 ? 1 : 1.4;
        ctx.setLineDash(dash || []);
        ctx.beginPath();
        for (let i = 0; i < seg.length; i += 4) {
          ctx.moveTo(seg[i], seg[i + 1]);
          ctx.lineTo(seg[i + 2], seg[i + 3]);
        }
        ctx.stroke();
      }
    }
    // Waits at the door (manual delivery): dotted along the receiver's lane.
    ctx.setLineDash([1.5, 3]);
    ctx.lineWidth = n > 10 ? 1 : 1.6;
    for (const [kind, seg] of waits) {
      ctx.strokeStyle = kindStyle(kind).color;
      ctx.globalAlpha = 0.8;
      ctx.beginPath();
      for (let i = 0; i < seg.length; i += 4) {
        ctx.moveTo(seg[i], seg[i + 1]);
        ctx.lineTo(seg[i + 2], seg[i + 3]);
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    // Arrowheads: an open "V" per delivered message, stroked per kind (filling thousands of
    // tiny triangles in one path is slow in software rasterizers).
    const hs = n > 10 ? 4 : 6;
    ctx.lineWidth = n > 10 ? 1 : 1.4;
    for (const [kind, list] of heads) {
      ctx.strokeStyle = kindStyle(kind).color;
      ctx.globalAlpha = alpha;
      ctx.beginPath();
      for (let i = 0; i < list.length; i += 4) {
        const xb = list[i + 2];
        const yb = list[i + 3];
        const ang = Math.atan2(yb - list[i + 1], xb - list[i]);
        ctx.moveTo(xb - hs * Math.cos(ang - 0.45), yb - hs * Math.sin(ang - 0.45));
        ctx.lineTo(xb, yb);
        ctx.lineTo(xb - hs * Math.cos(ang + 0.45), yb - hs * Math.sin(ang + 0.45));
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    // Drops.
    ctx.strokeStyle = COLORS.byzantine;
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    const cs = n > 10 ? 3 : 4;
    for (let i = 0; i < crosses.length; i += 2) {
      const x = crosses[i];
      const y = crosses[i + 1];
      ctx.moveTo(x - cs, y - cs);
      ctx.lineTo(x + cs, y + cs);
      ctx.moveTo(x + cs, y - cs);
      ctx.lineTo(x - cs, y + cs);
    }
    ctx.stroke();
    // Marks on lanes: phases reached, executions, views, checkpoints.
    this.#marks(ctx, history, t0, now, X, Y, n, compact);
    // Refused messages: a badge at the arrow's head (on the receiver's lane when it was kept aside).
    const hovered = this.#refusals(ctx, history, t0, now, X, Y, n, compact, selected, hoverMark);
    // Heads of messages in flight.
    for (let i = 0; i < flying.length; i += 3) drawGlyph(ctx, flying[i], flying[i + 1], flying[i + 2], n > 10 ? 3 : 4);
    this.heads = heads2;
    if (sel) {
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 3;
      ctx.globalAlpha = 0.35;
      ctx.beginPath();
      ctx.moveTo(sel[0], sel[1]);
      ctx.lineTo(sel[2], sel[3]);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    ctx.restore();

    // "Now" cursor.
    const xn = Math.round(X(now)) + 0.5;
    ctx.strokeStyle = COLORS.primary;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(xn, TOP - 6);
    ctx.lineTo(xn, height - BOTTOM);
    ctx.stroke();

    // Phase labels along the top, in two rows; dashed separators down the lanes.
    this.#bands(ctx, bandList, X, height, plotW);
    if (hovered) drawNote(ctx, hovered.x, hovered.y, describeRefusal(hovered.refusal, t, namer(snapshot, t)), width, height);
  }

  #refusals(ctx, history, t0, now, X, Y, n, compact, selected, hoverMark) {
    const list = history.refusals;
    const marks = [];
    let hovered = null;
    const r = n > 10 ? 3.4 : compact ? 4 : 5;
    for (let i = list.length - 1; i >= 0; i--) {
      const rf = list[i];
      if (rf.time > now) continue;
      if (rf.time < t0) break;
      const x = X(rf.time);
      const y = Y(rf.node);
      marks.push({ refusal: rf, x, y });
      if (rf === hoverMark) hovered = { refusal: rf, x, y };
    }
    // The newest on top.
    for (let i = marks.length - 1; i >= 0; i--) {
      const { refusal: rf, x, y } = marks[i];
      drawRefusedMark(ctx, x, y, r);
      if (rf.msg !== null && rf.msg === selected) {
        ctx.beginPath();
        ctx.arc(x, y, r + 3, 0, Math.PI * 2);
        ctx.strokeStyle = COLORS.ink;
        ctx.lineWidth = 1.6;
        ctx.stroke();
      }
    }
    this.marks = marks;
    return hovered;
  }

  #marks(ctx, history, t0, now, X, Y, n, compact) {
    const t = this.t;
    const marks = history.marks;
    let i = marks.length - 1;
    while (i >= 0 && marks[i].time > now) i--;
    const small = n > 10 ? 2 : 2.6;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.font = `600 ${compact ? 9 : 10}px ${FONT}`;
    const dots = { "pre-prepared": [], prepared: [], committed: [] };
    for (; i >= 0; i--) {
      const e = marks[i];
      if (e.time < t0) break;
      const x = X(e.time);
      const y = Y(e.replica);
      switch (e.type) {
        case "phase": {
          if (e.phase === "executed") break;
          const list = dots[e.phase];
          if (list) list.push(x, y);
          break;
        }
        case "executed": {
          const s = compact ? 3 : 4;
          ctx.fillStyle = COLORS.ink;
          ctx.fillRect(x - s, y - s, s * 2, s * 2);
          if (!compact) {
            ctx.fillStyle = COLORS.ink;
            ctx.fillText(t("mark.exec", { seq: e.seq }), x, y - s - 2);
          }
          break;
        }
        case "view-change-started":
          this.#flag(ctx, x, y, COLORS.viewChange, compact ? "" : t("mark.vc", { view: e.view }), compact);
          break;
        case "view-changed":
          this.#flag(ctx, x, y, COLORS.primary, t("mark.view", { view: e.view }), compact);
          break;
        case "checkpoint-stable":
          this.#flag(ctx, x, y, kindStyle("checkpoint").color, compact ? "" : t("mark.ckpt", { seq: e.seq }), compact);
          break;
        case "state-transferred":
          this.#flag(ctx, x, y, kindStyle("state").color, compact ? "" : t("mark.state", { seq: e.seq }), compact);
          break;
        default:
          break;
      }
    }
    // Phase dots (batched): pre-prepared, prepared, committed.
    const colors = { "pre-prepared": kindStyle("pre-prepare").color, prepared: kindStyle("prepare").color, committed: kindStyle("commit").color };
    for (const [phase, list] of Object.entries(dots)) {
      if (list.length === 0) continue;
      // Small squares-with-halo are much cheaper to fill in bulk than arcs.
      const s2 = small + 1.2;
      ctx.fillStyle = COLORS.paper;
      for (let k = 0; k < list.length; k += 2) ctx.fillRect(list[k] - s2, list[k + 1] - s2, s2 * 2, s2 * 2);
      ctx.fillStyle = colors[phase];
      for (let k = 0; k < list.length; k += 2) ctx.fillRect(list[k] - small, list[k + 1] - small, small * 2, small * 2);
    }
  }

  #flag(ctx, x, y, color, text, compact) {
    const hgt = compact ? 7 : 10;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, y - hgt);
    ctx.lineTo(x, y + hgt);
    ctx.stroke();
    if (text) {
      ctx.fillStyle = color;
      ctx.textAlign = "left";
      ctx.fillText(text, x + 3, y - 3);
      ctx.textAlign = "center";
    }
  }

  #bands(ctx, list, X, height, plotW) {
    const t = this.t;
    list.sort((a, b) => a.start - b.start);
    const rowEnd = [-Infinity, -Infinity];
    ctx.font = `600 10px ${FONT}`;
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    for (const b of list) {
      const xa = Math.max(LEFT, X(b.start));
      const xb = Math.min(LEFT + plotW, Math.max(X(b.end), xa + 2));
      if (xb < LEFT) continue;
      const text = t(`band.${b.kind}`) + (b.seq !== null && b.seq !== undefined ? ` n${b.seq}` : "");
      const w = ctx.measureText(text).width;
      const row = rowEnd[0] < xa - 4 ? 0 : rowEnd[1] < xa - 4 ? 1 : -1;
      if (row < 0) continue;
      const y = row === 0 ? 13 : 27;
      const color = kindStyle(b.kind).color;
      rowEnd[row] = Math.max(xa + w, xb);
      ctx.fillStyle = color;
      ctx.fillText(text, xa + 3, y - 2);
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(xa, y - 10);
      ctx.lineTo(xa, y + 1);
      ctx.lineTo(xb, y + 1);
      ctx.stroke();
      // Separator down the lanes at the start of the phase.
      if (X(b.start) >= LEFT) {
        ctx.globalAlpha = 0.25;
        ctx.setLineDash([2, 4]);
        ctx.beginPath();
        ctx.moveTo(Math.round(xa) + 0.5, y + 2);
        ctx.lineTo(Math.round(xa) + 0.5, height - BOTTOM);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
      }
    }
  }
}

function lowerBound(messages, time) {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (messages[mid].sentAt < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function niceStep(raw) {
  const pow = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

function truncate(s, max) {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

