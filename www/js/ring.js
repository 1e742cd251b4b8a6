// The ring view: the client and the replicas on a circle, every message in flight moving
// from sender to receiver (interpolated with the virtual clock), drops fading out, refused
// messages marked where they landed with the check that caught them.
// A renderer: it reads the snapshot and the history and never changes either.
//
// Two canvases: the nodes, their labels and the centre's words change only with the snapshot
// and are drawn on the one underneath when what they show changes; the messages, the clock and
// the glows are drawn on the one on top every frame. From CROWD replicas on, a multicast in
// flight is drawn as one flow (flows.js): its copies' positions joined into a front that grows
// from the sender toward every receiver, with one glyph (the copy to the farthest receiver);
// replicas carry counters (last executed, vote bars) instead of lines of text, and the centre
// counts the messages in flight by kind.

import { COLORS, FONT, KINDS, MONO, drawCross, drawGlyph, drawGlyphs, drawNote, drawRefusedMark, fitCanvas, kindStyle, nearestMark } from "./theme.js";
import { behaviorName, describeRefusal, namer } from "./describe.js";
import { CROWD, MIN_FLOW, countByKind } from "./flows.js";
import { clusterView, currentEntry } from "./model.js";
import { formatTime } from "./i18n.js";

const GHOST_MS = 160; // virtual ms a dropped message stays visible while it fades
const REFUSED_MS = 400; // virtual ms a refused message's mark stays at its receiver (fading at the end)
const FLASH_MS = 220; // virtual ms a replica glows after executing / changing view
const UNDER_EVERY_MS = 100; // wall ms between drawings of the nodes' labels while time runs
const BEND = 0.12; // curvature of message paths (A→B and B→A take opposite sides)

function point(ax, ay, bx, by, p) {
  const dx = bx - ax;
  const dy = by - ay;
  const cx = (ax + bx) / 2 - dy * BEND;
  const cy = (ay + by) / 2 + dx * BEND;
  const u = 1 - p;
  return [u * u * ax + 2 * u * p * cx + p * p * bx, u * u * ay + 2 * u * p * cy + p * p * by];
}

/** Width of a node's two small vote gauges (CSS px). */
const GAUGE_W = 34;

export class RingView {
  /**
   * @param {HTMLCanvasElement} canvas  the canvas on top (messages; it takes the pointer)
   * @param {(k: string, v?: object) => string} t
   * @param {HTMLCanvasElement | null} [under]  the canvas underneath (nodes and labels); without
   *   it everything is drawn on `canvas` every frame
   */
  constructor(canvas, t, under = null) {
    this.canvas = canvas;
    this.under = under;
    this.t = t;
    /** Positions of drawn messages from the last frame, for clicks: [id, x, y]. */
    this.hits = [];
    /** Refusal marks drawn in the last frame: [{ refusal, x, y }], newest first. */
    this.marks = [];
    this.nodes = [];
    this.radius = 20;
    this.glyph = 5;
    /** Per replica, the box its words under (or beside) it take, from the last drawing of the nodes. */
    this.labelBoxes = new Map();
    /** What the canvas underneath shows (it is drawn again when this changes). */
    this.underKey = "";
    /** How many times the canvas underneath was drawn (for tests). */
    this.underDraws = 0;
    this.underFrame = "";
    this.underWall = -Infinity;
  }

  /** The id of the message under (x, y) in CSS pixels, or null (`reach`: px, larger for touch). */
  hitTest(x, y, reach = Math.max(10, this.glyph * 2.2)) {
    let best = null;
    let bestD = Infinity;
    for (let i = 0; i < this.hits.length; i += 3) {
      const dx = this.hits[i + 1] - x;
      const dy = this.hits[i + 2] - y;
      const d = dx * dx + dy * dy;
      if (d < bestD && d <= reach * reach) {
        bestD = d;
        best = this.hits[i];
      }
    }
    return best;
  }

  /** The refusal mark under (x, y) in CSS pixels (the newest of those there), or null. */
  hitMark(x, y, reach = Math.max(10, this.glyph * 2.2)) {
    return this.#nearestMark(x, y, reach)[0];
  }

  /**
   * What is under (x, y): the message in flight or the refusal mark nearest to it (one of
   * `id`, `mark` is set, or neither).
   */
  pick(x, y, reach = Math.max(10, this.glyph * 2.2)) {
    const id = this.hitTest(x, y, reach);
    const [mark, dm] = this.#nearestMark(x, y, reach);
    if (mark === null) return { id, mark: null };
    if (id === null) return { id: null, mark };
    let dx = Infinity;
    for (let k = 0; k < this.hits.length; k += 3) {
      if (this.hits[k] === id) dx = Math.min(dx, (this.hits[k + 1] - x) ** 2 + (this.hits[k + 2] - y) ** 2);
    }
    return dm < dx ? { id: null, mark } : { id, mark: null };
  }

  #nearestMark(x, y, reach) {
    return nearestMark(this.marks, x, y, reach);
  }

  #layout(n, w, h, compact) {
    // Roomy rings: the labels sit under the nodes; compact ones: short labels go radially outward;
    // crowded ones (CROWD replicas or more): a small counter and two bars beside each node.
    const slots = n + 1;
    const crowd = n >= CROWD;
    const cx = w / 2;
    const cy = h / 2 - (compact || crowd ? 0 : 10);
    const nodeRadius = (R) => Math.max(crowd ? 9 : 10, Math.min(28, R * Math.sin(Math.PI / slots) * (crowd ? 0.62 : 0.5)));
    let R;
    // A narrow ring of few nodes: short labels centred under the nodes, so the ring can use
    // the width (labels beside the nodes would take ~60 px on each side).
    const R0 = Math.min(w / 2 - 60, h / 2 - 44);
    const radial = Math.min(w / 2 - (nodeRadius(R0) + 60), h / 2 - 44); // a ~50 px label each side
    const under = Math.min(w / 2 - 34, h / 2 - 52);
    const below = !crowd && compact && n <= 4 && under > radial;
    if (crowd) {
      const r0 = nodeRadius(Math.min(w, h) / 2);
      R = Math.min(w / 2 - r0 - 34, h / 2 - r0 - 30);
    } else if (below) {
      R = under;
    } else if (compact) {
      R = radial;
    } else {
      R = Math.min(w / 2 - Math.min(66, w * 0.16), h / 2 - 62);
    }
    R = Math.max(30, R);
    const r = nodeRadius(R);
    const nodes = [];
    for (let s = 0; s < slots; s++) {
      const a = -Math.PI / 2 + (s * 2 * Math.PI) / slots;
      nodes.push({ x: cx + R * Math.cos(a), y: cy + R * Math.sin(a), a });
    }
    // nodes[0] is the client; replica i is nodes[i + 1].
    return { cx, cy, R, r, nodes, compact: compact || crowd, below, crowd };
  }

  /**
   * @param {object} o
   * @param {object} o.snapshot     the engine's snapshot (may be a few ms old)
   * @param {import("./model.js").History} o.history
   * @param {number} o.now          virtual time to draw (fractional, between engine steps)
   * @param {Set<number>} o.lost    ids of in-flight messages the engine marked lost
   * @param {number|null} o.selected
   * @param {number|null} o.hover
   * @param {object|null} [o.hoverMark]  the refusal (model.js) under the pointer: its check is told
   * @param {number} o.width
   * @param {number} o.height
   * @param {boolean} [o.still]    reduced motion: messages wait at their ends instead of flying
   * @param {string} [o.hint]       a line under the clock ("Press Play to start.")
   * @param {boolean} [o.compact]   short labels placed radially (crowded or narrow rings)
   * @param {string} [o.theme]      the theme in use (the canvas underneath is drawn again for another)
   * @param {boolean} [o.paced]     more frames follow at once: the labels may wait UNDER_EVERY_MS
   */
  render({ snapshot, history, now, lost, selected, hover, hoverMark = null, width, height, still = false, hint = "", compact = snapshot.n > 4, theme = "", paced = false, focus = null, ratio = globalThis.devicePixelRatio }) {
    const ctx = fitCanvas(this.canvas, width, height, true, false, ratio);
    if (!ctx || !snapshot) return;
    const t = this.t;
    const n = snapshot.n;
    const L = this.#layout(n, width, height, compact);
    const { nodes, r } = L;
    this.nodes = nodes;
    this.radius = r;
    this.width = width;
    const glyph = (this.glyph = n >= CROWD ? 3.6 : n > 7 ? 4.2 : n > 4 ? 5 : 5.6);
    ctx.clearRect(0, 0, width, height);

    const pos = (id) => nodes[id + 1] || nodes[0];
    const group = (id) => (id < 0 ? 0 : snapshot.partition[id] ?? 0);

    // Underneath: the guide circle, the centre's words, the nodes and their labels; drawn again
    // only when what they show changes (on `canvas` itself, every frame, without a second canvas).
    const base = this.under ? fitCanvas(this.under, width, height, true, false, ratio) : ctx;
    const dpr = ratio || 1;
    const frameKey = `${width}|${height}|${dpr}|${theme}|${t.lang ?? ""}|${hint}|${L.compact}|${L.crowd}|${n}`;
    const key = this.under ? underKey(snapshot, frameKey) : null;
    const wall = performance.now();
    // While time runs, the labels follow the snapshot at most every UNDER_EVERY_MS (each drawing
    // of them costs); a new size, theme, language or hint, and the last frame, draw them at once.
    const due = !paced || frameKey !== this.underFrame || !(wall - this.underWall < UNDER_EVERY_MS);
    if (!this.under || (key !== this.underKey && due)) {
      this.underKey = key ?? "";
      this.underFrame = frameKey;
      this.underWall = wall;
      this.underDraws++;
      if (this.under) base.clearRect(0, 0, width, height);
      base.beginPath();
      base.arc(L.cx, L.cy, L.R, 0, Math.PI * 2);
      base.strokeStyle = COLORS.grid;
      base.lineWidth = 1;
      base.setLineDash([2, 5]);
      base.stroke();
      base.setLineDash([]);
      this.#center(base, L, snapshot, hint);
      this.#client(base, nodes[0], r, snapshot, L.compact);
      this.labelBoxes.clear();
      for (const rep of snapshot.replicas) this.#replica(base, nodes[rep.id + 1], r, rep, snapshot, L);
    }

    // The clock (and, among many replicas, the messages in flight counted by kind).
    const live = [];
    for (const m of history.live.values()) {
      if (m.sentAt > now) continue;
      const span = Math.max(1, m.deliverAt - m.sentAt);
      // Reduced motion: no flight. A message is drawn at its receiver's end, with its whole
      // path, from the moment it is sent until it arrives (it appears, then disappears).
      const p = still ? 0.86 : Math.min(1, Math.max(0, (now - m.sentAt) / span));
      const doomed = lost.has(m.id) || group(m.from) !== group(m.to);
      live.push([m, p, doomed]);
    }
    this.#clock(ctx, L, now, L.crowd ? countByKind(live.map((x) => x[0]), KINDS) : null);

    // Glows after executing / changing view / a stable checkpoint (a ring around the node).
    if (!still) {
      for (const rep of snapshot.replicas) {
        if (!rep.up) continue;
        const at = nodes[rep.id + 1];
        this.#glow(ctx, at, r, history.lastExecuted.get(rep.id), now, COLORS.executed);
        this.#glow(ctx, at, r, history.lastViewChange.get(rep.id), now, COLORS.primary);
        this.#glow(ctx, at, r, history.lastCheckpoint.get(rep.id), now, kindStyle("checkpoint").color);
      }
    }

    // What the guided tour points at: two quorums, replicas (node -1: the client).
    if (focus) this.#focus(ctx, focus, pos, r);

    // Among many replicas, a multicast in flight is one flow; the rest are drawn one by one.
    const single = [];
    const flows = [];
    if (L.crowd) {
      // The copies in flight of each multicast (model.js runs); doomed ones and the client's go alone.
      const byRun = new Map();
      for (const item of live) {
        const m = item[0];
        // Waiting at its door (manual delivery): alone too, to queue there.
        if (item[2] || item[1] >= 1 || m.to < 0 || m.from < 0 || !m.run || m.run.members.length < MIN_FLOW) {
          single.push(item);
          continue;
        }
        let members = byRun.get(m.run);
        if (!members) byRun.set(m.run, (members = []));
        members.push(item);
      }
      for (const members of byRun.values()) {
        if (members.length >= MIN_FLOW) flows.push(members);
        else single.push(...members);
      }
    } else single.push(...live);

    // Trails of messages drawn one by one (batched per kind).
    const byKind = new Map();
    for (const item of single) {
      const k = item[0].kind;
      if (!byKind.has(k)) byKind.set(k, []);
      byKind.get(k).push(item);
    }
    ctx.lineWidth = 1;
    for (const [kind, items] of byKind) {
      ctx.strokeStyle = kindStyle(kind).color;
      ctx.globalAlpha = L.compact ? (still ? 0.16 : 0.1) : still ? 0.3 : 0.22;
      ctx.beginPath();
      for (const [m, p] of items) {
        const a = pos(m.from);
        const b = pos(m.to);
        const q0 = this.#trim(a, b, r, 0);
        const q1 = this.#trim(a, b, r, p);
        const [sx, sy] = point(a.x, a.y, b.x, b.y, q0);
        ctx.moveTo(sx, sy);
        const steps = 6;
        for (let s = 1; s <= steps; s++) {
          const [x, y] = point(a.x, a.y, b.x, b.y, q0 + ((q1 - q0) * s) / steps);
          ctx.lineTo(x, y);
        }
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;

    // Flows: the copies' positions joined, in the order of their receivers around the ring, into
    // a front that grows from the sender (filled faintly: one path per kind, so overlapping
    // flows of a phase do not pile up into a blot).
    const hits = [];
    const heads = new Map(); // kind -> [x, y, ...] glyphs drawn at alpha 1
    const flowHeads = [];
    let selectedAt = null;
    let hoverAt = null;
    if (flows.length) {
      const slots = n + 1;
      const byKindFlow = new Map();
      const dots = new Map();
      for (const members of flows) {
        const from = members[0][0].from;
        const slot = (node) => (node + 1 - (from + 1) + slots) % slots;
        members.sort((a, b) => slot(a[0].to) - slot(b[0].to));
        const a = pos(from);
        // The front: every receiver's path at the copies' mean progress (a smooth curve that
        // grows from the sender); each copy is a dot at its own position on its own path.
        let mean = 0;
        for (const [, p] of members) mean += p;
        mean /= members.length;
        const front = [];
        const kind = members[0][0].kind;
        if (!dots.has(kind)) dots.set(kind, []);
        const dotList = dots.get(kind);
        for (const [m, p] of members) {
          const b = pos(m.to);
          const [fx, fy] = point(a.x, a.y, b.x, b.y, this.#trim(a, b, r, mean));
          front.push(fx, fy);
          const [x, y] = point(a.x, a.y, b.x, b.y, this.#trim(a, b, r, p));
          dotList.push(x, y);
          hits.push(m.id, x, y);
          if (m.id === selected) selectedAt = [m, x, y];
          if (m.id === hover) hoverAt = [m, x, y];
        }
        if (!byKindFlow.has(kind)) byKindFlow.set(kind, []);
        byKindFlow.get(kind).push(a.x, a.y, front);
        // One glyph per flow: the copy to the farthest receiver (the middle of the front).
        const mid = members.length >> 1;
        flowHeads.push(kind, dotList[dotList.length - 2 * (members.length - mid)], dotList[dotList.length - 2 * (members.length - mid) + 1], members.length);
      }
      for (const [kind, list] of byKindFlow) {
        const color = kindStyle(kind).color;
        ctx.beginPath();
        for (let i = 0; i < list.length; i += 3) {
          const pts = list[i + 2];
          ctx.moveTo(list[i], list[i + 1]);
          for (let k = 0; k < pts.length; k += 2) ctx.lineTo(pts[k], pts[k + 1]);
          ctx.closePath();
        }
        ctx.fillStyle = color;
        ctx.globalAlpha = still ? 0.1 : 0.07;
        ctx.fill();
        ctx.beginPath();
        for (let i = 0; i < list.length; i += 3) {
          const pts = list[i + 2];
          ctx.moveTo(pts[0], pts[1]);
          for (let k = 2; k < pts.length; k += 2) ctx.lineTo(pts[k], pts[k + 1]);
        }
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.2;
        ctx.globalAlpha = 0.45;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      const d = 1.3;
      for (const [kind, xy] of dots) {
        ctx.fillStyle = kindStyle(kind).color;
        ctx.beginPath();
        for (let i = 0; i < xy.length; i += 2) ctx.rect(xy[i] - d, xy[i + 1] - d, d * 2, d * 2);
        ctx.fill();
      }
    }

    // Drops: an expanding ring with a cross, fading out.
    for (const m of history.recentlyEnded(now, GHOST_MS)) {
      if (m.fate === "delivered") continue;
      const a = pos(m.from);
      const b = pos(m.to);
      const span = Math.max(1, m.deliverAt - m.sentAt);
      const p = Math.min(1, Math.max(0, (m.endAt - m.sentAt) / span));
      // Short of the receiver's circle and its words (a message to a crashed replica ends at its
      // door): the ring, which grows by 10 px as it fades, stays clear of them.
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const q = this.#clearOfWords(a, b, m.to, Math.min(this.#trim(a, b, r, p), Math.max(0.5, 1 - (r + glyph + 14) / len)), 0.5, glyph + 12);
      const [x, y] = point(a.x, a.y, b.x, b.y, q);
      const age = still ? 0 : (now - m.endAt) / GHOST_MS;
      const alpha = Math.max(0, 1 - age);
      ctx.globalAlpha = alpha;
      ctx.strokeStyle = kindStyle(m.kind).color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(x, y, glyph + 2 + age * 10, 0, Math.PI * 2);
      ctx.stroke();
      ctx.strokeStyle = COLORS.byzantine;
      ctx.lineWidth = 2;
      drawCross(ctx, x, y, glyph * 0.9);
      ctx.globalAlpha = 1;
    }

    // Refused messages: a badge with a cross at the receiver's end of the path, with the
    // path's last stretch in the kind's colour (from whom), for a while after arrival.
    const marks = [];
    let markSelected = null;
    let markHover = null;
    const badge = glyph + 1.8;
    for (const rf of history.recentRefusals(now, REFUSED_MS)) {
      const a = pos(rf.from);
      const b = pos(rf.node);
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const q = this.#clearOfWords(a, b, rf.node, Math.max(0.55, 1 - (r + badge + 3) / len), 0.55, badge + 2);
      const age = still ? 0 : (now - rf.time) / REFUSED_MS;
      const alpha = age < 0.6 ? 1 : Math.max(0, 1 - (age - 0.6) / 0.4);
      const [x, y] = point(a.x, a.y, b.x, b.y, q);
      ctx.globalAlpha = alpha * 0.55;
      ctx.strokeStyle = rf.kind ? kindStyle(rf.kind).color : COLORS.muted;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      for (let s = 0; s <= 6; s++) {
        const [px, py] = point(a.x, a.y, b.x, b.y, q - 0.22 + (0.22 * s) / 6);
        if (s === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      marks.push({ refusal: rf, x, y, alpha });
      if (rf.msg !== null && rf.msg === selected && !markSelected) markSelected = { refusal: rf, x, y };
      if (rf === hoverMark) markHover = { refusal: rf, x, y };
    }
    ctx.globalAlpha = 1;
    // The badges over every trail, the newest on top.
    for (let i = marks.length - 1; i >= 0; i--) drawRefusedMark(ctx, marks[i].x, marks[i].y, badge, marks[i].alpha);
    this.marks = marks;

    // Messages in flight drawn one by one: those that will arrive in one batch per kind, the
    // doomed ones (random loss, partition) fading out over the second half of the trip; those
    // waiting at one door from one sender (manual delivery) in a queue.
    const queued = new Map();
    for (const [m, p, doomed] of single) {
      const a = pos(m.from);
      const b = pos(m.to);
      let q = this.#trim(a, b, r, p);
      if (p >= 1 && !still) {
        const key = m.from * 1000 + m.to;
        const k = queued.get(key) ?? 0;
        queued.set(key, k + 1);
        q = Math.max(this.#trim(a, b, r, 0.5), q - (k * glyph * 2.4) / (Math.hypot(b.x - a.x, b.y - a.y) || 1));
      }
      const [x, y] = point(a.x, a.y, b.x, b.y, q);
      if (!doomed) {
        if (!heads.has(m.kind)) heads.set(m.kind, []);
        heads.get(m.kind).push(x, y);
      } else {
        const alpha = still ? 0.5 : Math.max(0.12, 1 - Math.max(0, (p - 0.4) / 0.6));
        drawGlyph(ctx, m.kind, x, y, glyph, alpha);
        if (p > 0.4) {
          ctx.globalAlpha = alpha;
          ctx.strokeStyle = COLORS.byzantine;
          ctx.lineWidth = 1;
          ctx.setLineDash([2, 2]);
          ctx.beginPath();
          ctx.arc(x, y, glyph + 3, 0, Math.PI * 2);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.globalAlpha = 1;
        }
      }
      hits.push(m.id, x, y);
      if (m.id === selected) selectedAt = [m, x, y];
      if (m.id === hover) hoverAt = [m, x, y];
    }
    for (let i = 0; i < flowHeads.length; i += 4) {
      const k = flowHeads[i];
      if (!heads.has(k)) heads.set(k, []);
      heads.get(k).push(flowHeads[i + 1], flowHeads[i + 2]);
    }
    for (const [kind, xy] of heads) drawGlyphs(ctx, kind, xy, glyph);
    this.hits = hits;
    // The guided tour's messages to look at: a halo around each one of those kinds.
    if (focus?.kinds?.length) {
      ctx.strokeStyle = COLORS.focus;
      ctx.lineWidth = 2;
      for (let i = 0; i < hits.length; i += 3) {
        const m = history.live.get(hits[i]);
        if (!m || !focus.kinds.includes(m.kind)) continue;
        ctx.beginPath();
        ctx.arc(hits[i + 1], hits[i + 2], glyph + 4, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    const chosen = selectedAt ? { x: selectedAt[1], y: selectedAt[2] } : markSelected;
    this.selectedAt = chosen ? { x: chosen.x, y: chosen.y, height } : null;

    if (selectedAt) this.#callout(ctx, selectedAt, width, height, true);
    else if (markSelected) {
      ctx.beginPath();
      ctx.arc(markSelected.x, markSelected.y, badge + 4, 0, Math.PI * 2);
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    if (hoverAt && hoverAt !== selectedAt && hover !== selected) this.#callout(ctx, hoverAt, width, height, false);
    else if (markHover && hover === null) drawNote(ctx, markHover.x, markHover.y, describeRefusal(markHover.refusal, t, namer(snapshot, t)), width, height);
  }

  /**
   * The point of the path a → b at `q` or, when a disk of radius `rad` there would cover node
   * `id`'s words, the nearest one toward a (not below `qMin`) where it does not.
   */
  #clearOfWords(a, b, id, q, qMin, rad) {
    const box = this.labelBoxes.get(id);
    if (!box || !(box.x1 > box.x0)) return q;
    const step = 2 / (Math.hypot(b.x - a.x, b.y - a.y) || 1);
    const covers = (x, y) => x + rad > box.x0 && x - rad < box.x1 && y + rad > box.y0 && y - rad < box.y1;
    while (q > qMin && covers(...point(a.x, a.y, b.x, b.y, q))) q -= step;
    return Math.max(q, qMin);
  }

  #trim(a, b, r, p) {
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const p0 = Math.min(0.45, (r + 2) / len);
    return p0 + p * (1 - 2 * p0);
  }

  /**
   * The guided tour's marks: a halo around each member of a quorum, its left half for the first
   * quorum and its right half for the second (a replica in both wears both halves), a solid ring
   * around each node looked at, and a ring of the "executed" green around the honest replicas
   * that a point is made about (the overlap's).
   */
  #focus(ctx, focus, pos, r) {
    const quorums = focus.quorums ?? [];
    const tones = [COLORS.quorumA, COLORS.quorumB];
    const halves = quorums.length > 1 ? [[Math.PI / 2, (3 * Math.PI) / 2], [-Math.PI / 2, Math.PI / 2]] : [[0, 2 * Math.PI]];
    quorums.forEach((members, k) => {
      ctx.strokeStyle = tones[k % 2];
      ctx.lineWidth = 6;
      for (const id of members) {
        const at = pos(id);
        ctx.beginPath();
        ctx.arc(at.x, at.y, r + 6, halves[k % halves.length][0], halves[k % halves.length][1]);
        ctx.stroke();
      }
    });
    ctx.lineWidth = 3;
    ctx.strokeStyle = COLORS.focus;
    for (const id of focus.nodes ?? []) {
      const at = pos(id);
      ctx.beginPath();
      ctx.arc(at.x, at.y, r + (quorums.length ? 13 : 7), 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.strokeStyle = COLORS.executed;
    for (const id of focus.honest ?? []) {
      const at = pos(id);
      ctx.beginPath();
      ctx.arc(at.x, at.y, r + 13, 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  /** A fading ring around a node for FLASH_MS after `at0` (an execution, a new view ...). */
  #glow(ctx, at, r, at0, now, color) {
    if (at0 === undefined || now < at0 || now - at0 > FLASH_MS) return;
    const k = 1 - (now - at0) / FLASH_MS;
    const outer = r + 4 + (1 - k) * 8;
    ctx.beginPath();
    ctx.arc(at.x, at.y, (outer + r + 1) / 2, 0, Math.PI * 2);
    ctx.lineWidth = outer - r - 1;
    ctx.globalAlpha = 0.45 * k;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** The centre's sizes: a small ring (a phone, a narrow embed) keeps only the view and the clock. */
  #centerSizes(L) {
    const small = L.R < 95;
    return { small, big: small ? 14 : L.compact ? 18 : 22, line: small ? 11 : 12, room: Math.max(40, (L.R - L.r) * 1.7) };
  }

  #center(ctx, L, snapshot, hint) {
    const t = this.t;
    // The view a quorum installed and its primary, as the status line says.
    const { view } = snapshot.cluster ?? clusterView(snapshot);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = COLORS.ink;
    const { small, big, line, room } = this.#centerSizes(L);
    ctx.font = `600 ${big}px ${FONT}`;
    ctx.fillText(fitText(ctx, t("ring.center.view", { view }), room), L.cx, L.cy - big * (small ? 0.5 : 0.7));
    ctx.fillStyle = COLORS.muted;
    if (!small) {
      ctx.font = `${line}px ${FONT}`;
      const name = snapshot.replicas[view % snapshot.n]?.name ?? "";
      ctx.fillText(fitText(ctx, t("status.primary", { name }), room), L.cx, L.cy + 4);
    }
    if (hint) {
      ctx.font = `italic ${line}px ${FONT}`;
      ctx.fillStyle = COLORS.primary;
      ctx.fillText(fitText(ctx, hint, Math.max(room, L.R * 1.6)), L.cx, small ? L.cy + 26 : L.cy + 42);
    }
  }

  /** The clock under the view (every frame), and the counts of messages in flight by kind. */
  #clock(ctx, L, now, counts) {
    const t = this.t;
    const { small, line, room } = this.#centerSizes(L);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = COLORS.muted;
    ctx.font = `${line}px ${MONO}`;
    ctx.fillText(t("ring.center.time", { t: formatTime(Math.floor(now)) }), L.cx, small ? L.cy + 10 : L.cy + 22);
    if (!counts || counts.length === 0) return;
    // Among many replicas, counters in place of the messages' labels.
    ctx.font = `600 ${small ? 10 : 11}px ${FONT}`;
    let y = small ? L.cy + 24 : L.cy + 40;
    const rows = counts.slice(0, small ? 2 : 3);
    for (const [kind, count] of rows) {
      ctx.fillStyle = kindStyle(kind).color;
      ctx.fillText(fitText(ctx, t("ring.inflight", { count, kind: t(`band.${kind}`) }), room), L.cx, y);
      y += small ? 12 : 14;
    }
  }

  #client(ctx, at, r, snapshot, compact) {
    const t = this.t;
    const s = r * 0.95;
    ctx.beginPath();
    ctx.roundRect(at.x - s, at.y - s, s * 2, s * 2, 6);
    ctx.fillStyle = COLORS.clientFill;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = COLORS.client;
    ctx.stroke();
    ctx.fillStyle = COLORS.client;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = `700 ${Math.round(Math.min(16, r * 0.75))}px ${FONT}`;
    ctx.fillText(t("client.short"), at.x, at.y + 1);
    // Replies toward f+1 for the oldest outstanding request.
    const out = snapshot.client.outstanding[0];
    if (compact) {
      ctx.font = `600 10.5px ${FONT}`;
      ctx.textBaseline = "bottom";
      ctx.fillStyle = out && out.matching >= out.needed ? COLORS.executed : COLORS.client;
      if (out) ctx.fillText(t("ring.replies", { have: out.matching, need: out.needed }), at.x, at.y - s - 4);
      return;
    }
    ctx.font = `11px ${FONT}`;
    ctx.textBaseline = "bottom";
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "left";
    const x = at.x + s + 8;
    ctx.fillText(t("client"), x, at.y - 2);
    if (out) {
      ctx.textBaseline = "top";
      ctx.fillStyle = out.matching >= out.needed ? COLORS.executed : COLORS.client;
      ctx.font = `600 11px ${FONT}`;
      ctx.fillText(t("ring.replies", { have: out.matching, need: out.needed }), x, at.y + 2);
    }
  }

  #replica(ctx, at, r, rep, snapshot, L) {
    const t = this.t;
    const crashed = !rep.up;
    const byz = rep.behavior !== "honest";
    const isolated = (snapshot.partition[rep.id] ?? 0) !== 0;
    const primary = rep.isPrimary && rep.up;
    const vc = rep.status === "view-change" && rep.up;

    if (isolated) {
      ctx.beginPath();
      // Cut off: a dotted fence around the node (a view change is a dashed border of its own).
      ctx.arc(at.x, at.y, r + (L.crowd ? 5 : 7), 0, Math.PI * 2);
      ctx.setLineDash([0.1, 5]);
      ctx.lineCap = "round";
      ctx.lineWidth = L.crowd ? 2.2 : 3;
      ctx.strokeStyle = COLORS.isolated;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineCap = "butt";
    }
    if (primary) {
      ctx.beginPath();
      ctx.arc(at.x, at.y, r + (L.crowd ? 3 : 4), 0, Math.PI * 2);
      ctx.lineWidth = 2;
      ctx.strokeStyle = COLORS.primary;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(at.x, at.y, r, 0, Math.PI * 2);
    ctx.fillStyle = crashed ? COLORS.crashedFill : byz ? COLORS.byzantineFill : primary ? COLORS.primarySoft : COLORS.paper;
    ctx.fill();
    ctx.lineWidth = byz ? 3 : L.crowd ? 1.5 : 2;
    ctx.strokeStyle = crashed ? COLORS.crashed : byz ? COLORS.byzantine : vc ? COLORS.viewChange : primary ? COLORS.primary : COLORS.honest;
    if (vc && !byz) ctx.setLineDash([4, 3]);
    ctx.stroke();
    ctx.setLineDash([]);

    // Name inside.
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = crashed ? COLORS.crashed : byz ? COLORS.byzantine : COLORS.ink;
    // Shrink a long name (e.g. "Google") a little before cutting it short.
    const room = Math.max(r * 1.75, 22);
    let nameSize = Math.round(Math.max(8.5, Math.min(14, r * 0.6)));
    const minSize = Math.max(8, nameSize * 0.7);
    ctx.font = `700 ${nameSize}px ${FONT}`;
    while (nameSize > minSize && ctx.measureText(rep.name).width > room) {
      nameSize -= 0.5;
      ctx.font = `700 ${nameSize}px ${FONT}`;
    }
    const name = fitText(ctx, rep.name, room);
    ctx.fillText(name, at.x, at.y + 1);

    if (crashed) {
      const s = r * 0.78;
      ctx.strokeStyle = COLORS.crashedMark;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(at.x - s, at.y - s);
      ctx.lineTo(at.x + s, at.y + s);
      ctx.moveTo(at.x + s, at.y - s);
      ctx.lineTo(at.x - s, at.y + s);
      ctx.stroke();
    }

    const ux = Math.cos(at.a);
    const uy = Math.sin(at.a);
    const entry = !crashed ? currentEntry(rep) : null;
    if (L.crowd) {
      // Counters, not labels: the last executed sequence number and the current entry's two vote
      // bars, in a small block just outside the node (the key under the ring says which is which).
      const w = 18;
      const d = r + 4 + 11;
      const bx = at.x + ux * d;
      const by = at.y + uy * d;
      ctx.font = `600 9.5px ${FONT}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      ctx.fillStyle = crashed ? COLORS.crashed : byz ? COLORS.byzantine : COLORS.muted;
      ctx.fillText(String(rep.lastExecuted), bx, by + 1);
      if (entry) this.#gauges(ctx, entry, bx, by + 2, "center", w, 3);
      return;
    }

    // Labels outside, placed radially.
    const lines = [];
    if (crashed) lines.push([t("crashed"), COLORS.crashed, true]);
    else if (byz) lines.push([behaviorName(t, rep.behavior), COLORS.byzantine, true]);
    else if (vc) lines.push([t("ring.viewChange", { view: rep.view }), COLORS.viewChange, true]);
    else if (primary) lines.push([t("primary"), COLORS.primary, true]);
    if (isolated) lines.push([t("isolated"), COLORS.isolated, true]);
    if (L.compact) {
      lines.push([t("ring.compact", { view: rep.view, exec: rep.lastExecuted, ckpt: rep.stableCheckpoint }), crashed ? COLORS.crashed : COLORS.muted, false]);
    } else {
      lines.push([t("ring.roomy", { view: rep.view, exec: rep.lastExecuted, ckpt: rep.stableCheckpoint }), crashed ? COLORS.crashed : COLORS.muted, false]);
    }
    if (entry && L.compact) {
      lines.push([entry, null, false]); // drawn as two small gauges (prepares, commits)
    } else if (entry) {
      lines.push([
        t("quorum.short", { p: entry.prepares, pn: entry.preparesNeeded, c: entry.commits, cn: entry.commitsNeeded }),
        entry.phase === "committed" ? COLORS.executed : entry.phase === "prepared" ? kindStyle("prepare").color : COLORS.ink,
        true,
      ]);
    }
    const size = snapshot.n > 7 ? 10 : 11;
    const lh = size + 3;
    const gap = r + (isolated ? 11 : primary ? 8 : 6);
    let ax;
    let top;
    let align = "center";
    if (!L.compact || L.below) {
      // Roomy rings: the labels sit centred under the node (above it at the very top).
      ax = at.x;
      top = uy < -0.8 ? at.y - gap - lines.length * lh : at.y + gap;
    } else {
      // Crowded rings: short labels placed radially outward.
      ax = at.x + ux * gap;
      const ay = at.y + uy * gap;
      if (ux > 0.35) align = "left";
      else if (ux < -0.35) align = "right";
      if (align === "center") top = uy < 0 ? ay - lines.length * lh : ay + 2;
      else top = ay - (lines.length * lh) / 2 + (uy > 0.5 ? lh / 2 : uy < -0.5 ? -lh / 2 : 0);
    }
    ctx.textAlign = align;
    ctx.textBaseline = "top";
    // Where the words are: marks at this node's end of a path keep out of them.
    const box = { x0: Infinity, y0: top, x1: -Infinity, y1: top + lines.length * lh };
    this.labelBoxes.set(rep.id, box);
    for (const [text, color, bold] of lines) {
      if (typeof text === "object") {
        const left = align === "left" ? ax : align === "right" ? ax - GAUGE_W : ax - GAUGE_W / 2;
        box.x0 = Math.min(box.x0, left);
        box.x1 = Math.max(box.x1, left + GAUGE_W);
        this.#gauges(ctx, text, ax, top + 2, align);
        top += lh;
        continue;
      }
      ctx.font = `${bold ? "600 " : ""}${size}px ${FONT}`;
      ctx.fillStyle = color;
      // Kept inside the canvas (a long behaviour name beside a node at the edge).
      const tw = ctx.measureText(text).width;
      const left = align === "left" ? ax : align === "right" ? ax - tw : ax - tw / 2;
      const shift = Math.max(0, 2 - left) - Math.max(0, left + tw - (this.width - 2));
      box.x0 = Math.min(box.x0, left + shift);
      box.x1 = Math.max(box.x1, left + shift + tw);
      ctx.fillText(text, ax + shift, top);
      top += lh;
    }
  }

  /** Two small bars: prepares and commits counted toward their thresholds. */
  #gauges(ctx, e, x, y, align, w = GAUGE_W, hgt = 4) {
    const left = align === "left" ? x : align === "right" ? x - w : x - w / 2;
    const bar = (yy, have, need, color) => {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, yy, w, hgt);
      ctx.fillStyle = color;
      ctx.fillRect(left, yy, (w * Math.min(have, need)) / Math.max(1, need), hgt);
    };
    bar(y, e.prepares, e.preparesNeeded, kindStyle("prepare").color);
    bar(y + hgt + 2, e.commits, e.commitsNeeded, kindStyle("commit").color);
  }

  #callout(ctx, [m, x, y], w, h, selected) {
    const text = m.label;
    ctx.font = `12px ${MONO}`;
    const tw = Math.min(w - 16, ctx.measureText(text).width + 14);
    const bh = 22;
    let bx = x + 12;
    let by = y - bh - 8;
    if (bx + tw > w - 4) bx = x - tw - 12;
    if (bx < 4) bx = 4;
    if (by < 4) by = y + 12;
    if (selected) {
      ctx.beginPath();
      ctx.arc(x, y, this.glyph + 6, 0, Math.PI * 2);
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.roundRect(bx, by, tw, bh, 5);
    ctx.fillStyle = selected ? COLORS.ink : COLORS.callout;
    ctx.fill();
    ctx.fillStyle = selected ? COLORS.paper : COLORS.calloutInk;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(fitText(ctx, text, tw - 14), bx + 7, by + bh / 2 + 0.5);
  }
}

/**
 * What the canvas underneath shows, as a string: it is drawn again when this changes (`frame`:
 * the size, the pixel ratio, the theme, the language, the hint; then every replica's state and votes).
 */
function underKey(snapshot, frame) {
  const parts = [frame];
  for (const rep of snapshot.replicas) {
    const e = rep.up ? currentEntry(rep) : null;
    parts.push(rep.name, rep.up, rep.behavior, rep.isPrimary, rep.status, rep.view, rep.lastExecuted, rep.stableCheckpoint, snapshot.partition[rep.id] ?? 0);
    if (e) parts.push(e.phase, e.prepares, e.preparesNeeded, e.commits, e.commitsNeeded);
    else parts.push("-");
  }
  const out = snapshot.client.outstanding[0];
  parts.push(out ? `${out.matching}/${out.needed}` : "-");
  return parts.join("|");
}

/** Shortens `text` with an ellipsis to fit `max` pixels in the current font. */
export function fitText(ctx, text, max) {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + "…";
}

