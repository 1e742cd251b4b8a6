// The time-space diagram (Castro & Liskov, Figure 1, drawn live): one lane per node,
// one arrow per message from (send time, sender) to (arrival time, receiver),
// dropped messages ending in a cross, refused ones in a badge with a cross at their head (the
// check that caught them told on hover), phases labelled along the top. Auto-scrolls with
// the virtual clock. A renderer: it reads and never changes state.
//
// What is over does not change: a message that arrived (or was dropped), a phase mark, a lane's
// past. Those are drawn once into a strip (a canvas a few windows wide, in virtual time) under
// what still moves: messages in flight, the lanes since the strip's last update, the refusals,
// the phase labels and the clock. The strip is an offscreen canvas copied, shifted, each frame
// (one copy is cheaper than the drawing it saves; shifting a canvas of its own by CSS instead
// costs a commit of the page's layers every frame), and so are the lane names. The strip, the
// names and the canvas are opaque (painted in the paper's colour): the copies need no blending.
// The strip is drawn again from the history when the window leaves it, or when the history, the
// size, the zoom, the theme or the language change.
//
// You are the network (manual delivery): a message waiting at its receiver's door is drawn as a
// dotted stretch along the receiver's lane (in this frame while it waits, in the strip once it is
// over), one you delivered early ends on the receiver's lane at that time, and the heads of the
// messages in flight drawn in a frame are kept for hitMessage (to click one in the diagram).
//
// From CROWD replicas on (flows.js), a multicast is one fan: from the sender to every copy's
// arrival (or, in flight, its current place), filled faintly, the arrivals joined by a line
// with a tick at each, so that a phase of n² messages stays a readable band; lanes are thinner
// and, when they are too thin for every name, only some are named.

import { COLORS, FONT, drawGlyphs, drawNote, drawRefusedMark, fitCanvas, kindStyle, nearestMark } from "./theme.js";
import { describeRefusal, namer } from "./describe.js";
import { CROWD, MIN_FLOW } from "./flows.js";
import { faultIntervals } from "./model.js";
import { formatTime } from "./i18n.js";

/** The plot's margins (CSS px): the lane names on the left, the phase labels on top, the time axis below. */
const LEFT = 62;
const TOP = 38;
const BOTTOM = 20;
const RIGHT = 10;
const LABEL_GAP = 6; // CSS px at least between a phase label's words and the next label in its row
const LOOKBACK = 2_000; // longest flight we expect to see (ms); older sends are skipped
const STRIP_WINDOWS = 2.5; // the strip's width, in windows
const MAX_STRIP_PX = 8192; // ... and at most this many device pixels
const STRIP_FLUSH_MS = 250; // wall ms between updates of the strip (each copies it) ...
const STRIP_PENDING = 600; // ... unless this many messages wait to go into it

/** Kinds whose phase label is per sequence number. */
const PER_SEQ = new Set(["pre-prepare", "prepare", "commit"]);

export class Diagram {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {(k: string, v?: object) => string} t
   */
  constructor(canvas, t) {
    this.canvas = canvas;
    this.t = t;
    /** Refusal marks drawn in the last frame: [{ refusal, x, y }], newest first. */
    this.marks = [];
    /** The strip of what is over (see above), or null. */
    this.strip = null;
    /** The lane names (a small canvas, drawn again when they change). */
    this.gutter = null;
    /** How many times the strip was drawn from scratch (for tests and benchmarks). */
    this.stripBuilds = 0;
    /** The phase labels' words and widths (in the labels' font), by kind and sequence number. */
    this.bandLabels = new Map();
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
   * @param {number} [o.engineNow]  the engine's time (whole ms): what happened before it is over
   * @param {number} o.windowMs     width of the visible window in virtual ms
   * @param {number|null} o.selected
   * @param {object|null} [o.hoverMark]  the refusal (model.js) under the pointer: its check is told
   * @param {number} o.width
   * @param {number} o.height
   * @param {boolean} [o.still]    reduced motion: the window moves by pages instead of scrolling
   * @param {string} [o.theme]     the theme in use (the strip is drawn again for another)
   */
  render({ snapshot, history, actions, now, engineNow = Math.floor(now), windowMs, selected, hoverMark = null, width, height, still = false, theme = "" }) {
    const ctx = fitCanvas(this.canvas, width, height, true, true);
    if (!ctx) return;
    if (!snapshot) {
      ctx.fillStyle = COLORS.paper;
      ctx.fillRect(0, 0, width, height);
      return;
    }
    const t = this.t;
    const n = snapshot.n;
    const dpr = Math.max(1, Math.min(4, globalThis.devicePixelRatio || 1));

    const plotW = Math.max(10, width - LEFT - RIGHT);
    // The window follows the clock; early in a run it starts at 0 and fills from the left.
    // With reduced motion it jumps a page at a time (three quarters of a window) instead.
    const t1 = still
      ? Math.max(windowMs * 0.98, windowMs * 0.98 + Math.ceil((now + windowMs * 0.04 - windowMs * 0.98) / (windowMs * 0.75)) * windowMs * 0.75)
      : Math.max(now + windowMs * 0.04, windowMs * 0.98);
    const t0 = t1 - windowMs;
    const sx = plotW / windowMs;
    const lanes = n + 1;
    const laneGap = (height - TOP - BOTTOM) / lanes;
    const Y = (node) => TOP + laneGap * (Math.max(-1, node) + 1 + 0.5); // clients (< 0) share lane 0
    const crowd = n >= CROWD;
    const compact = laneGap < 22;
    const g = { n, crowd, compact, laneGap, Y, height, sx, still };

    // The strip: what is over, up to `upto` (the engine may still add events at its own time).
    const upto = Math.min(now, engineNow - 1);
    const strip = this.#ensureStrip({ history, width, height, dpr, sx, t0, t1, theme, n, still, windowMs });
    const XS = (time) => (time - strip.t0) * sx;
    const X = (time) => LEFT + (time - t0) * sx;
    const spans = faultIntervals(actions, n, now);

    // Messages: a pass over the multicasts (model.js runs) that may show in the window; one
    // whose copies all ended is drawn once into the strip, the others on this frame. The strip
    // takes what became past at most every STRIP_FLUSH_MS (each update costs a copy of it), and
    // this frame draws what is past but not in it yet.
    const wall = performance.now();
    const flush = strip.upto === -Infinity || wall - strip.flushedAt >= STRIP_FLUSH_MS || strip.pending >= STRIP_PENDING;
    const frame = new Batch();
    const into = flush ? new Batch() : frame;
    const XI = flush ? XS : X;
    const bands = [];
    const bandAt = new Map();
    const runs = history.runs;
    let pending = 0;
    for (let i = lowerBound(runs, t0 - LOOKBACK); i < runs.length; i++) {
      const run = runs[i];
      if (run.sentAt > now) break;
      const members = run.members;
      const m0 = members[0];
      // Over when every copy ended by `upto`.
      const over = run.ended === members.length && run.lastEnd <= upto;
      // The last time a copy shows (one waiting at its door, in manual delivery, until now) and
      // the phase's end (the copies' arrivals).
      let last = run.lastEnd;
      let arrived = run.lastEnd;
      if (!over) {
        for (const m of members) {
          const ended = m.endAt !== null && m.endAt <= now;
          const end = ended ? m.endAt : now;
          if (end > last) last = end;
          const at = ended ? (m.fate === "delivered" ? Math.min(m.endAt, m.deliverAt) : m.endAt) : Math.min(now, m.deliverAt);
          if (at > arrived) arrived = at;
        }
      }
      if (last >= t0) {
        // Phase bands (per run: its copies share the kind, the view, the sequence number, the send time).
        const key = PER_SEQ.has(m0.kind) ? `${m0.kind}:${m0.view}:${m0.seq}` : m0.kind;
        let b = bandAt.get(key);
        if (!b || m0.sentAt - b.last > 150) {
          b = { kind: m0.kind, seq: PER_SEQ.has(m0.kind) ? m0.seq : null, start: m0.sentAt, last: m0.sentAt, end: arrived };
          bandAt.set(key, b);
          bands.push(b);
        }
        b.last = Math.max(b.last, m0.sentAt);
        b.end = Math.max(b.end, arrived);
      }
      if (over) {
        // In the strip already, unless it ended since the strip was last brought up to date.
        if (last > strip.upto && last >= (flush ? strip.t0 : t0)) {
          this.#run(into, members, now, XI, g);
          pending += members.length;
        }
      } else if (last >= t0) {
        this.#run(frame, members, now, X, g);
      }
    }
    // Messages waiting at their doors for longer than a flight (manual delivery) are drawn too.
    for (const m of history.live.values()) if (m.sentAt < t0 - LOOKBACK) this.#run(frame, [m], now, X, g);
    strip.pending = flush ? 0 : pending;
    const sel = selected === null ? null : history.record(selected) ?? null;
    if (flush && upto > strip.upto) {
      // What became past since the strip was last brought up to date: the lanes and their fault
      // spans, the messages, then the marks over them.
      const c = strip.ctx;
      this.#lanes(c, XS, g, spans, Math.max(strip.upto, strip.t0, 0), upto, strip.t0, strip.t0 + strip.cw / sx);
      into.draw(c, g);
      this.#marks(c, history, Math.max(strip.upto, strip.t0 - 50), upto, XS, g);
      // The dotted separators at the start of the phases that began since.
      const dots = new Map();
      for (const b of bands) {
        if (b.start <= strip.sepUpto || b.start > upto || b.start < strip.t0) continue;
        const color = kindStyle(b.kind).color;
        let p = dots.get(color);
        if (!p) dots.set(color, (p = new Path2D()));
        separator(p, XS(b.start), TOP - 4, height - BOTTOM);
      }
      c.globalAlpha = 0.25;
      c.lineWidth = 1;
      c.setLineDash([2, 4]);
      for (const [color, p] of dots) {
        c.strokeStyle = color;
        c.stroke(p);
      }
      c.setLineDash([]);
      c.globalAlpha = 1;
      strip.sepUpto = upto;
      strip.upto = upto;
      strip.flushedAt = wall;
    }

    // The strip, shifted to the window (it holds the grid, the time axis, the lanes' past and
    // every message and mark that is over), by whole device pixels so that it stays sharp.
    const srcX = Math.round((t0 - strip.t0) * sx * dpr);
    ctx.drawImage(strip.canvas, srcX, 0, Math.round(plotW * dpr), Math.round(height * dpr), LEFT, 0, plotW, height);
    ctx.fillStyle = COLORS.paper;
    ctx.fillRect(LEFT + plotW, 0, width - LEFT - plotW, height);
    // A time label the window's edge cuts is hidden whole (not shown in part, "s" for "2.00 s").
    for (const [gt, half] of strip.axis) {
      const x = X(gt);
      if (x - half < LEFT && x + half > LEFT) ctx.fillRect(LEFT, height - BOTTOM + 3, x + half + 1 - LEFT, BOTTOM - 3);
      if (x - half < LEFT + plotW && x + half > LEFT + plotW) ctx.fillRect(x - half - 1, height - BOTTOM + 3, LEFT + plotW - (x - half - 1), BOTTOM - 3);
    }

    // Lane names.
    this.#gutter(ctx, snapshot, g, dpr, theme);

    ctx.save();
    ctx.beginPath();
    ctx.rect(LEFT, TOP - 6, plotW, height - TOP - BOTTOM + 12);
    ctx.clip();
    // The lanes since the strip's last update, then what still moves.
    this.#lanes(ctx, X, g, spans, Math.max(strip.upto, t0, 0), now, t0, t1);
    frame.draw(ctx, g);
    this.#marks(ctx, history, Math.max(strip.upto, t0 - 50), now, X, g);
    // Refused messages: a badge at the arrow's head (on the receiver's lane when it was kept aside).
    const hovered = this.#refusals(ctx, history, t0, now, X, Y, n, compact, selected, hoverMark);
    frame.heads(ctx, g);
    this.heads = frame.hits;
    if (sel && sel.sentAt <= now && (sel.endAt === null || sel.endAt >= t0)) {
      const { end, f } = arrival(sel, now);
      const ya = Y(sel.from);
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 3;
      ctx.globalAlpha = 0.35;
      ctx.beginPath();
      ctx.moveTo(X(sel.sentAt), ya);
      ctx.lineTo(X(end), ya + (Y(sel.to) - ya) * f);
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
    this.#bands(ctx, bands, X, height, plotW, strip.sepUpto);
    if (hovered) drawNote(ctx, hovered.x, hovered.y, describeRefusal(hovered.refusal, t, namer(snapshot, t)), width, height);
  }

  /**
   * The strip for this window: kept while it covers [t0, t1] and nothing it depends on changed;
   * else a new one starting at t0, with the grid and the time axis (it then fills from the history).
   */
  #ensureStrip({ history, width, height, dpr, sx, t0, t1, theme, n, still, windowMs }) {
    const key = `${history.epoch}|${width}|${height}|${dpr}|${sx}|${theme}|${n}|${this.t.lang ?? ""}|${still}`;
    const s = this.strip;
    if (s && s.key === key && t0 >= s.t0 && (t1 - s.t0) * sx <= s.cw) return s;
    const plotW = Math.max(10, width - LEFT - RIGHT);
    const cw = Math.max(plotW + 1, Math.min(Math.ceil(plotW * STRIP_WINDOWS), Math.floor(MAX_STRIP_PX / dpr)));
    const w = Math.round(cw * dpr);
    const h = Math.round(height * dpr);
    let canvas = s?.canvas;
    if (!canvas || canvas.width !== w || canvas.height !== h) {
      canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(w, h) : Object.assign(document.createElement("canvas"), { width: w, height: h });
    }
    const ctx = canvas.getContext("2d", { alpha: false });
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = COLORS.paper;
    ctx.fillRect(0, 0, cw, height);
    // axis: each time label's [time, half its width], to hide one the window's edge cuts.
    const strip = { key, canvas, ctx, t0, cw, upto: -Infinity, sepUpto: -Infinity, flushedAt: -Infinity, pending: 0, axis: [] };
    this.strip = strip;
    this.stripBuilds++;
    // The grid and the time axis over the whole strip; the time before 0 shaded.
    const XS = (time) => (time - t0) * sx;
    const end = t0 + cw / sx;
    const step = niceStep(windowMs / Math.max(2, plotW / 90));
    ctx.font = `10px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let gt = Math.ceil(Math.max(0, t0) / step) * step; gt <= end; gt += step) {
      const x = Math.round(XS(gt)) + 0.5;
      ctx.moveTo(x, TOP - 4);
      ctx.lineTo(x, height - BOTTOM);
    }
    ctx.stroke();
    ctx.fillStyle = COLORS.muted;
    for (let gt = Math.ceil(Math.max(0, t0) / step) * step; gt <= end; gt += step) {
      const label = formatTime(gt);
      ctx.fillText(label, XS(gt), height - BOTTOM + 4);
      strip.axis.push([gt, ctx.measureText(label).width / 2]);
    }
    if (t0 < 0) {
      ctx.fillStyle = COLORS.wash;
      ctx.fillRect(0, TOP - 4, XS(0), height - BOTTOM - TOP + 4);
    }
    return strip;
  }

  /** Lanes (faint) with crash / Byzantine / isolation spans, over virtual time [from, to]. */
  #lanes(ctx, X, g, spans, from, to, lo, hi) {
    if (to <= from) return;
    const a0 = Math.max(from, lo);
    const b0 = Math.min(to, hi);
    if (b0 <= a0) return;
    const { n, Y } = g;
    // The faint lines of every lane in one path.
    ctx.strokeStyle = COLORS.faint;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let node = -1; node < n; node++) {
      const y = Math.round(Y(node)) + 0.5;
      ctx.moveTo(X(a0), y);
      ctx.lineTo(X(b0), y);
    }
    ctx.stroke();
    const piece = (y, s, e, color, widthPx, dash, round = false) => {
      const a = Math.max(a0, s);
      const b = Math.min(b0, e);
      if (b <= a) return;
      ctx.strokeStyle = color;
      ctx.lineWidth = widthPx;
      if (dash) {
        ctx.setLineDash(dash);
        // Pieces drawn at different times join into one dash pattern.
        ctx.lineDashOffset = X(a) - X(s);
      }
      if (round) ctx.lineCap = "round";
      ctx.beginPath();
      ctx.moveTo(X(a), y);
      ctx.lineTo(X(b), y);
      ctx.stroke();
      ctx.lineCap = "butt";
      if (dash) {
        ctx.setLineDash([]);
        ctx.lineDashOffset = 0;
      }
    };
    for (let node = 0; node < n; node++) {
      const y = Math.round(Y(node)) + 0.5;
      for (const [s, e] of spans.isolated[node]) piece(y, s, e, COLORS.isolated, 2.2, [0.1, 3.5], true);
      for (const s of spans.byzantine[node]) piece(y, s.from, s.to, COLORS.byzantine, g.crowd ? 2 : 3);
      for (const [s, e] of spans.crashed[node]) piece(y, s, e, COLORS.crashed, g.crowd ? 3 : 5, [6, 3]);
    }
  }

  /** The lane names at the left, from a small canvas drawn again only when they change. */
  #gutter(ctx, snapshot, g, dpr, theme) {
    const { n, Y, laneGap, compact, height } = g;
    const t = this.t;
    // Too thin a lane for every name: every k-th, the primary and the faulty ones.
    const every = Math.max(1, Math.ceil(9 / laneGap));
    const size = g.crowd ? Math.max(8, Math.min(10, laneGap - 1.5)) : compact ? 10 : 12;
    const labels = [];
    for (let node = -1; node < n; node++) {
      let label;
      let color = COLORS.ink;
      let bold = false;
      if (node < 0) {
        label = t("client");
        color = COLORS.client;
      } else {
        const rep = snapshot.replicas[node];
        label = rep.name;
        bold = rep.isPrimary;
        if (!rep.up) color = COLORS.crashed;
        else if (rep.behavior !== "honest") color = COLORS.byzantine;
        else if (rep.isPrimary) color = COLORS.primary;
        if (node % every !== 0 && !rep.isPrimary && rep.up && rep.behavior === "honest") continue;
      }
      labels.push([node, truncate(label, 9), color, bold]);
    }
    const key = JSON.stringify([labels, size, height, laneGap, dpr, theme]);
    let gut = this.gutter;
    if (!gut || gut.key !== key) {
      const w = Math.round(LEFT * dpr);
      const h = Math.round(height * dpr);
      const canvas = gut && gut.canvas.width === w && gut.canvas.height === h ? gut.canvas : typeof OffscreenCanvas === "function" ? new OffscreenCanvas(w, h) : Object.assign(document.createElement("canvas"), { width: w, height: h });
      const c = canvas.getContext("2d", { alpha: false });
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      c.fillStyle = COLORS.paper;
      c.fillRect(0, 0, LEFT, height);
      c.textAlign = "right";
      c.textBaseline = "middle";
      for (const [node, label, color, bold] of labels) {
        c.font = `${bold ? "700" : "600"} ${size}px ${FONT}`;
        c.fillStyle = color;
        c.fillText(label, LEFT - 8, Math.round(Y(node)) + 0.5);
      }
      gut = this.gutter = { key, canvas };
    }
    ctx.drawImage(gut.canvas, 0, 0, gut.canvas.width, gut.canvas.height, 0, 0, LEFT, height);
  }

  /** Adds `members` (the copies of one multicast, or a single message) to `batch`, at `X`. */
  #run(batch, members, now, X, g) {
    const { Y } = g;
    const m0 = members[0];
    const fan = g.crowd && members.length >= MIN_FLOW && m0.from >= 0;
    let pts = null;
    for (const m of members) {
      const { ended, end, f, waitedTo } = arrival(m, now);
      const xa = X(m.sentAt);
      const ya = Y(m.from);
      const yb = Y(m.to);
      const xb = X(end);
      const yEnd = ya + (yb - ya) * f;
      const dropped = ended && m.fate !== "delivered";
      // Waited at the door (manual delivery): a dotted stretch along the receiver's lane, and,
      // once delivered, the arrowhead at its end.
      const waited = waitedTo !== null && waitedTo > m.deliverAt;
      if (waited) batch.wait(m.kind, xb, yb, X(waitedTo));
      if (!ended) batch.hits.push(m.id, xb, yEnd);
      if (fan && !dropped) {
        pts ??= [];
        pts.push(yEnd, xb, ended ? 1 : 0);
        if (ended && waited) batch.head(m.kind, xb, yb, X(waitedTo), yb);
        continue;
      }
      batch.line(dropped ? "dashed" : "solid", m.kind, xa, ya, xb, yEnd);
      if (ended) {
        if (dropped) batch.crosses.push(xb, yEnd);
        else if (waited) batch.head(m.kind, xb, yb, X(waitedTo), yb);
        else batch.head(m.kind, xa, ya, xb, yEnd);
      } else batch.flying.push(m.kind, xb, yEnd);
    }
    if (pts && pts.length) batch.fan(m0.kind, X(m0.sentAt), Y(m0.from), pts);
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

  /** Marks on lanes with time in (from, to]: phases reached, executions, views, checkpoints. */
  #marks(ctx, history, from, to, X, g) {
    const t = this.t;
    const { Y, compact, n } = g;
    const marks = history.marks;
    let i = marks.length - 1;
    while (i >= 0 && marks[i].time > to) i--;
    if (i < 0 || marks[i].time <= from) return;
    const small = n > 10 ? 2 : 2.6;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.font = `600 ${compact ? 9 : 10}px ${FONT}`;
    const dots = { "pre-prepared": [], prepared: [], committed: [] };
    for (; i >= 0; i--) {
      const e = marks[i];
      if (e.time <= from) break;
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
      ctx.beginPath();
      for (let k = 0; k < list.length; k += 2) ctx.rect(list[k] - s2, list[k + 1] - s2, s2 * 2, s2 * 2);
      ctx.fill();
      ctx.fillStyle = colors[phase];
      ctx.beginPath();
      for (let k = 0; k < list.length; k += 2) ctx.rect(list[k] - small, list[k + 1] - small, small * 2, small * 2);
      ctx.fill();
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

  /**
   * Phase labels along the top, in two rows (each with a tick down to the plot and a line along
   * the phase), one path per kind. The dotted separator down the lanes at the start of a phase
   * is in the strip for the phases that began by `sepUpto`; here for the others (and, for all,
   * the stretch from the label down to the plot).
   */
  #bands(ctx, list, X, height, plotW, sepUpto) {
    const t = this.t;
    list.sort((a, b) => a.start - b.start);
    const rowEnd = [-Infinity, -Infinity];
    ctx.font = `600 10px ${FONT}`;
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    const lines = new Map();
    const dots = new Map();
    const path = (map, color) => {
      let p = map.get(color);
      if (!p) map.set(color, (p = new Path2D()));
      return p;
    };
    for (const b of list) {
      const xa = Math.max(LEFT, X(b.start));
      const xb = Math.min(LEFT + plotW, Math.max(X(b.end), xa + 2));
      if (xb < LEFT) continue;
      const color = kindStyle(b.kind).color;
      const inside = X(b.start) >= LEFT;
      // Each label's words and width, measured once.
      const labelKey = `${b.kind}|${b.seq}`;
      let label = this.bandLabels.get(labelKey);
      if (!label) {
        const text = t(`band.${b.kind}`) + (b.seq !== null && b.seq !== undefined ? ` n${b.seq}` : "");
        label = { text, w: ctx.measureText(text).width };
        if (this.bandLabels.size > 500) this.bandLabels.clear();
        this.bandLabels.set(labelKey, label);
      }
      const { text, w } = label;
      // The words right of the tick, or, near the right edge, moved left to end inside the canvas.
      const tx = Math.max(LEFT, Math.min(xa + 3, LEFT + plotW + RIGHT - 1 - w));
      const from = Math.min(xa, tx) - LABEL_GAP;
      const row = rowEnd[0] < from ? 0 : rowEnd[1] < from ? 1 : -1;
      if (row < 0) {
        if (inside && b.start > sepUpto) separator(path(dots, color), xa, TOP - 4, height - BOTTOM);
        continue;
      }
      const y = row === 0 ? 13 : 27;
      rowEnd[row] = Math.max(tx + w, xb);
      ctx.fillStyle = color;
      ctx.fillText(text, tx, y - 2);
      const line = path(lines, color);
      line.moveTo(xa, y - 10);
      line.lineTo(xa, y + 1);
      line.lineTo(xb, y + 1);
      if (inside) separator(path(dots, color), xa, y + 2, b.start > sepUpto ? height - BOTTOM : TOP - 4);
    }
    ctx.lineWidth = 1;
    for (const [color, p] of lines) {
      ctx.strokeStyle = color;
      ctx.stroke(p);
    }
    if (dots.size) {
      ctx.globalAlpha = 0.25;
      ctx.setLineDash([2, 4]);
      for (const [color, p] of dots) {
        ctx.strokeStyle = color;
        ctx.stroke(p);
      }
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    }
  }
}

/** A dotted separator's line at x from y0 down to y1 (added to `path`). */
function separator(path, x, y0, y1) {
  const xx = Math.round(x) + 0.5;
  path.moveTo(xx, y0);
  path.lineTo(xx, y1);
}

/**
 * What one drawing pass adds (to a frame or to the strip), batched per kind so that each kind
 * is one path: lines, arrowheads, crosses, fans, and the heads of messages in flight.
 */
class Batch {
  constructor() {
    this.solid = new Map();
    this.dashed = new Map();
    this.arrows = new Map();
    this.crosses = [];
    this.flying = [];
    this.fans = new Map();
    this.waits = new Map();
    /** The heads of the messages in flight, for hitMessage: [id, x, y, ...]. */
    this.hits = [];
  }

  /** A wait at the door (manual delivery): along the lane at y from x0 to x1. */
  wait(kind, x0, y, x1) {
    let list = this.waits.get(kind);
    if (!list) this.waits.set(kind, (list = []));
    list.push(x0, y, x1, y);
  }

  line(style, kind, xa, ya, xb, yb) {
    const map = style === "dashed" ? this.dashed : this.solid;
    let list = map.get(kind);
    if (!list) map.set(kind, (list = []));
    list.push(xa, ya, xb, yb);
  }

  head(kind, xa, ya, xb, yb) {
    let list = this.arrows.get(kind);
    if (!list) this.arrows.set(kind, (list = []));
    list.push(xa, ya, xb, yb);
  }

  /** A multicast as one fan: apex (x, y), copies [yEnd, xEnd, arrived (1/0), ...]. */
  fan(kind, x, y, pts) {
    let list = this.fans.get(kind);
    if (!list) this.fans.set(kind, (list = []));
    list.push(x, y, pts);
  }

  draw(ctx, g) {
    const { n } = g;
    const alpha = n > 10 ? 0.45 : n > 4 ? 0.7 : 0.9;
    // Fans: the area faintly, the edges and the arrivals joined (in lane order), a tick at each.
    for (const [kind, list] of this.fans) {
      const color = kindStyle(kind).color;
      const area = new Path2D();
      const edge = new Path2D();
      const ticks = new Path2D();
      for (let i = 0; i < list.length; i += 3) {
        const ax = list[i];
        const ay = list[i + 1];
        const pts = list[i + 2];
        // [y, x, arrived] triples, ordered by lane (y).
        const order = [];
        for (let k = 0; k < pts.length; k += 3) order.push(k);
        order.sort((a, b) => pts[a] - pts[b]);
        area.moveTo(ax, ay);
        for (const k of order) area.lineTo(pts[k + 1], pts[k]);
        area.closePath();
        // The fan's two sides (to the first and the last lane) and a tick where each copy arrived.
        const top = order[0];
        const bottom = order[order.length - 1];
        edge.moveTo(pts[top + 1], pts[top]);
        edge.lineTo(ax, ay);
        edge.lineTo(pts[bottom + 1], pts[bottom]);
        for (const k of order) {
          if (!pts[k + 2]) continue;
          ticks.moveTo(pts[k + 1] - 5, pts[k]);
          ticks.lineTo(pts[k + 1], pts[k]);
        }
      }
      ctx.fillStyle = color;
      ctx.globalAlpha = 0.14;
      ctx.fill(area);
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.6;
      ctx.lineWidth = 1;
      ctx.stroke(edge);
      ctx.globalAlpha = 0.9;
      ctx.lineWidth = 2;
      ctx.stroke(ticks);
    }
    for (const [map, dash] of [
      [this.solid, null],
      [this.dashed, [3, 3]],
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
    if (this.waits.size) {
      ctx.setLineDash([1.5, 3]);
      ctx.lineWidth = n > 10 ? 1 : 1.6;
      ctx.globalAlpha = 0.8;
      for (const [kind, seg] of this.waits) {
        ctx.strokeStyle = kindStyle(kind).color;
        ctx.beginPath();
        for (let i = 0; i < seg.length; i += 4) {
          ctx.moveTo(seg[i], seg[i + 1]);
          ctx.lineTo(seg[i + 2], seg[i + 3]);
        }
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    // Arrowheads: an open "V" per delivered message, stroked per kind (filling thousands of
    // tiny triangles in one path is slow in software rasterizers).
    const hs = n > 10 ? 4 : 6;
    ctx.lineWidth = n > 10 ? 1 : 1.4;
    for (const [kind, list] of this.arrows) {
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
    if (this.crosses.length) {
      ctx.strokeStyle = COLORS.byzantine;
      ctx.lineWidth = 1.8;
      ctx.beginPath();
      const cs = n > 10 ? 3 : 4;
      for (let i = 0; i < this.crosses.length; i += 2) {
        const x = this.crosses[i];
        const y = this.crosses[i + 1];
        ctx.moveTo(x - cs, y - cs);
        ctx.lineTo(x + cs, y + cs);
        ctx.moveTo(x + cs, y - cs);
        ctx.lineTo(x - cs, y + cs);
      }
      ctx.stroke();
    }
  }

  /** Heads of messages in flight (and one per fan still in flight, at its farthest copy). */
  heads(ctx, g) {
    const r = g.n > 10 ? 3 : 4;
    const byKind = new Map();
    const add = (kind, x, y) => {
      let xy = byKind.get(kind);
      if (!xy) byKind.set(kind, (xy = []));
      xy.push(x, y);
    };
    for (let i = 0; i < this.flying.length; i += 3) add(this.flying[i], this.flying[i + 1], this.flying[i + 2]);
    for (const [kind, list] of this.fans) {
      for (let i = 0; i < list.length; i += 3) {
        const pts = list[i + 2];
        // The copy to the farthest lane that is still on its way.
        let best = -1;
        let far = -1;
        for (let k = 0; k < pts.length; k += 3) {
          const d = Math.abs(pts[k] - list[i + 1]);
          if (!pts[k + 2] && d > far) {
            far = d;
            best = k;
          }
        }
        if (best >= 0) add(kind, pts[best + 1], pts[best]);
      }
    }
    for (const [kind, xy] of byKind) drawGlyphs(ctx, kind, xy, r);
  }
}

/**
 * Where a message's flight ends at `now`: on the receiver's lane at its arrival (at deliverAt,
 * or earlier when you delivered it early, manual delivery), or where it is while in flight;
 * `f` is how far along from sender to receiver. One delivered late, or still waiting at its
 * door after deliverAt, waited there until `waitedTo` (null when it did not wait).
 */
function arrival(m, now) {
  const ended = m.endAt !== null && m.endAt <= now;
  const delivered = ended && m.fate === "delivered";
  const end = delivered ? Math.min(m.endAt, m.deliverAt) : ended ? m.endAt : Math.min(now, m.deliverAt);
  const f = delivered ? 1 : Math.min(1, (end - m.sentAt) / Math.max(1, m.deliverAt - m.sentAt));
  const waitedTo = delivered ? m.endAt : ended ? null : now;
  return { ended, end, f, waitedTo };
}

/** The first index of `list` (sorted by sentAt) sent at `time` or later. */
function lowerBound(list, time) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].sentAt < time) lo = mid + 1;
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
