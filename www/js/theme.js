// Colours and shapes shared by the ring, the time-space diagram and the legend.
// Every message kind has a colour AND a shape, so colour-blind readers can tell them apart.

/** Message kinds in protocol order (the engine's `kind` strings). */
export const KINDS = [
  "request",
  "pre-prepare",
  "prepare",
  "commit",
  "reply",
  "checkpoint",
  "view-change",
  "new-view",
  "fetch-state",
  "state",
];

const SHAPES = {
  request: "circle",
  "pre-prepare": "square",
  prepare: "triangle",
  commit: "diamond",
  reply: "ring",
  checkpoint: "hexagon",
  "view-change": "star",
  "new-view": "pentagon",
  "fetch-state": "triangle-down",
  state: "bar",
};

/** Message colours per theme: the dark ones are lighter shades of the same hues. */
const KIND_COLORS = {
  light: {
    request: "#475569",
    "pre-prepare": "#7c3aed",
    prepare: "#2563eb",
    commit: "#059669",
    reply: "#ea580c",
    checkpoint: "#0e7490",
    "view-change": "#db2777",
    "new-view": "#b91c1c",
    "fetch-state": "#a16207",
    state: "#4d7c0f",
  },
  dark: {
    request: "#cbd5e1",
    "pre-prepare": "#a78bfa",
    prepare: "#60a5fa",
    commit: "#34d399",
    reply: "#fb923c",
    checkpoint: "#22d3ee",
    "view-change": "#f472b6",
    "new-view": "#f87171",
    "fetch-state": "#facc15",
    state: "#a3e635",
  },
};

/** Palettes of the page per theme (kept in sync with pbft-playground.css). */
const PALETTES = {
  light: {
    ink: "#0f172a",
    muted: "#64748b",
    faint: "#cbd5e1",
    grid: "#e2e8f0",
    paper: "#ffffff",
    wash: "#f8fafc",
    primary: "#4f46e5",
    primarySoft: "#e0e7ff",
    honest: "#334155",
    crashed: "#9ca3af",
    crashedMark: "#6b7280",
    crashedFill: "#eef0f3",
    byzantine: "#dc2626",
    byzantineFill: "#fee2e2",
    viewChange: "#d97706",
    executed: "#059669",
    focus: "#0891b2",
    quorumA: "#2563eb",
    quorumB: "#db2777",
    client: "#0f766e",
    clientFill: "#f0fdfa",
    isolated: "#0284c7",
    callout: "rgba(15, 23, 42, 0.82)",
    calloutInk: "#ffffff",
    refused: "#1e293b",
    refusedInk: "#ffffff",
  },
  dark: {
    ink: "#e2e8f0",
    muted: "#94a3b8",
    faint: "#475569",
    grid: "#1e293b",
    paper: "#0f172a",
    wash: "#111c31",
    primary: "#818cf8",
    primarySoft: "#1e1b4b",
    honest: "#cbd5e1",
    crashed: "#6b7280",
    crashedMark: "#9ca3af",
    crashedFill: "#1f2937",
    byzantine: "#f87171",
    byzantineFill: "#3b1212",
    viewChange: "#fbbf24",
    executed: "#34d399",
    focus: "#22d3ee",
    quorumA: "#60a5fa",
    quorumB: "#f472b6",
    client: "#2dd4bf",
    clientFill: "#042f2e",
    isolated: "#38bdf8",
    callout: "rgba(226, 232, 240, 0.92)",
    calloutInk: "#0f172a",
    refused: "#f1f5f9",
    refusedInk: "#0f172a",
  },
};

/** @type {Record<string, {color: string, shape: string}>} the current theme's styles */
export const KIND_STYLE = {};

/** The current theme's palette (mutated in place by useTheme). */
export const COLORS = {};

let current = "";

/**
 * Switches the shared palette to `theme` ("light" | "dark"). Renderers draw synchronously,
 * so an element calls this right before it draws: several elements with different themes
 * can share one page.
 */
export function useTheme(theme) {
  const name = theme === "dark" ? "dark" : "light";
  if (name === current) return;
  current = name;
  Object.assign(COLORS, PALETTES[name]);
  for (const kind of Object.keys(SHAPES)) KIND_STYLE[kind] = { color: KIND_COLORS[name][kind], shape: SHAPES[kind] };
  FALLBACK.color = COLORS.muted;
}

const FALLBACK = { color: "#64748b", shape: "circle" };
useTheme("light");

/** Style of a kind (unknown kinds get a neutral circle). */
export function kindStyle(kind) {
  return KIND_STYLE[kind] || FALLBACK;
}

function polygon(ctx, x, y, r, sides, rotation) {
  for (let i = 0; i < sides; i++) {
    const a = rotation + (i * 2 * Math.PI) / sides;
    const px = x + r * Math.cos(a);
    const py = y + r * Math.sin(a);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.closePath();
}

/** Adds the outline of `shape` (centred at x, y, radius r) to the current path. */
export function shapePath(ctx, shape, x, y, r) {
  switch (shape) {
    case "square":
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case "triangle":
      polygon(ctx, x, y + r * 0.12, r * 1.1, 3, -Math.PI / 2);
      break;
    case "triangle-down":
      polygon(ctx, x, y - r * 0.12, r * 1.1, 3, Math.PI / 2);
      break;
    case "diamond":
      polygon(ctx, x, y, r * 1.15, 4, -Math.PI / 2);
      break;
    case "hexagon":
      polygon(ctx, x, y, r, 6, 0);
      break;
    case "pentagon":
      polygon(ctx, x, y, r * 1.05, 5, -Math.PI / 2);
      break;
    case "star": {
      const R = r * 1.25;
      const q = R * 0.45;
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 === 0 ? R : q;
        if (i === 0) ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
        else ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
      ctx.closePath();
      break;
    }
    case "bar":
      ctx.rect(x - r * 1.2, y - r * 0.55, r * 2.4, r * 1.1);
      break;
    case "ring":
    case "circle":
    default:
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
      break;
  }
}

/** Fills and outlines the glyph path just built (a paper outline; a ring is a double stroke). */
function paintGlyphs(ctx, shape, color, r) {
  if (shape === "ring") {
    ctx.lineWidth = Math.max(2.5, r * 0.55);
    ctx.strokeStyle = COLORS.paper;
    ctx.stroke();
    ctx.lineWidth = Math.max(1.6, r * 0.42);
    ctx.strokeStyle = color;
    ctx.stroke();
  } else {
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 1.25;
    ctx.strokeStyle = COLORS.paper;
    ctx.stroke();
  }
}

/**
 * Draws one message glyph: filled shape with a paper-coloured outline (a hollow ring for replies).
 * @param {CanvasRenderingContext2D} ctx
 */
export function drawGlyph(ctx, kind, x, y, r, alpha = 1) {
  const { color, shape } = kindStyle(kind);
  ctx.globalAlpha = alpha;
  ctx.beginPath();
  shapePath(ctx, shape, x, y, r);
  paintGlyphs(ctx, shape, color, r);
  ctx.globalAlpha = 1;
}

/**
 * Draws many glyphs of one kind at once (flat [x0, y0, x1, y1, ...]): one path, one fill and one
 * stroke, in place of a fill and a stroke per message (each draw call costs, and software
 * rasterizers pay per call).
 */
export function drawGlyphs(ctx, kind, xy, r) {
  if (xy.length === 0) return;
  const { color, shape } = kindStyle(kind);
  ctx.beginPath();
  for (let i = 0; i < xy.length; i += 2) shapePath(ctx, shape, xy[i], xy[i + 1], r);
  paintGlyphs(ctx, shape, color, r);
}

const offscreen = new WeakMap();

/**
 * Sizes a canvas for its CSS box and the device pixel ratio (crisp at any zoom).
 * Returns the 2D context with a transform so that drawing uses CSS pixels.
 * With `opaque`, the canvas has no transparency (the caller paints every pixel each time).
 * With `detach`, drawing goes through an OffscreenCanvas that controls the element
 * (transferControlToOffscreen, still on the main thread): setting a font on a canvas that
 * lives in the DOM makes Chromium resolve it against the element's style, every frame.
 */
export function fitCanvas(canvas, cssWidth, cssHeight, detach = false, opaque = false, ratio = globalThis.devicePixelRatio) {
  const dpr = Math.max(1, Math.min(4, ratio || 1));
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  let target = canvas;
  if (detach && typeof canvas.transferControlToOffscreen === "function") {
    target = offscreen.get(canvas);
    if (!target) {
      target = canvas.transferControlToOffscreen();
      offscreen.set(canvas, target);
    }
  }
  if (target.width !== w || target.height !== h) {
    target.width = w;
    target.height = h;
  }
  // Opaque (`opaque`): every pixel is drawn each time, nothing shows through, so copying onto it
  // and compositing it need no blending. (The first call's choice holds for the canvas's life.)
  const ctx = target.getContext("2d", opaque ? { alpha: false } : undefined);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** The system font stack (no web fonts). */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace';

/**
 * Draws the legend swatch of a node's state or a lane's style on a small canvas: "primary"
 * (a second ring), "view-change" (a dashed border), "isolated" (a dotted fence around it),
 * "crashed" (grey, crossed), "byzantine" (a thick red border), the glows ("glow-executed",
 * "glow-view", "glow-checkpoint"), and the lanes ("lane-crashed", "lane-byzantine", "lane-isolated").
 */
export function drawStateSwatch(canvas, what, size = 16) {
  const ctx = fitCanvas(canvas, size * 1.5, size);
  const w = size * 1.5;
  ctx.clearRect(0, 0, w, size);
  const x = w / 2;
  const y = size / 2;
  const r = size * 0.28;
  const node = (stroke, width = 1.6, dash = null, fill = COLORS.paper) => {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.setLineDash(dash ?? []);
    ctx.lineWidth = width;
    ctx.strokeStyle = stroke;
    ctx.stroke();
    ctx.setLineDash([]);
  };
  const lane = (color, width, dash) => {
    ctx.beginPath();
    ctx.moveTo(1, y);
    ctx.lineTo(w - 1, y);
    ctx.lineWidth = width;
    ctx.strokeStyle = color;
    ctx.setLineDash(dash ?? []);
    ctx.lineCap = dash && dash[0] < 1 ? "round" : "butt";
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineCap = "butt";
  };
  const glow = (color) => {
    ctx.beginPath();
    ctx.arc(x, y, r + 2.5, 0, Math.PI * 2);
    ctx.lineWidth = 3;
    ctx.globalAlpha = 0.45;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.globalAlpha = 1;
    node(COLORS.honest, 1.2);
  };
  switch (what) {
    case "primary":
      node(COLORS.primary, 1.4, null, COLORS.primarySoft);
      ctx.beginPath();
      ctx.arc(x, y, r + 2.2, 0, Math.PI * 2);
      ctx.lineWidth = 1.2;
      ctx.stroke();
      break;
    case "view-change":
      node(COLORS.viewChange, 1.8, [2.5, 2]);
      break;
    case "isolated":
      node(COLORS.honest, 1.2);
      ctx.beginPath();
      ctx.arc(x, y, r + 3, 0, Math.PI * 2);
      ctx.setLineDash([0.1, 2.6]);
      ctx.lineCap = "round";
      ctx.lineWidth = 2;
      ctx.strokeStyle = COLORS.isolated;
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineCap = "butt";
      break;
    case "crashed": {
      node(COLORS.crashed, 1.4, null, COLORS.crashedFill);
      const s = r * 0.7;
      ctx.beginPath();
      ctx.moveTo(x - s, y - s);
      ctx.lineTo(x + s, y + s);
      ctx.moveTo(x + s, y - s);
      ctx.lineTo(x - s, y + s);
      ctx.strokeStyle = COLORS.crashedMark;
      ctx.lineWidth = 1.4;
      ctx.stroke();
      break;
    }
    case "byzantine":
      node(COLORS.byzantine, 2.4, null, COLORS.byzantineFill);
      break;
    case "glow-executed":
      glow(COLORS.executed);
      break;
    case "glow-view":
      glow(COLORS.primary);
      break;
    case "glow-checkpoint":
      glow(kindStyle("checkpoint").color);
      break;
    case "lane-crashed":
      lane(COLORS.crashed, 4, [6, 3]);
      break;
    case "lane-byzantine":
      lane(COLORS.byzantine, 3);
      break;
    case "lane-isolated":
      lane(COLORS.isolated, 2.2, [0.1, 3.5]);
      break;
    default:
      break;
  }
}

/** Draws the legend glyph of `kind` on a small canvas (used by the HTML legend). */
export function drawLegendGlyph(canvas, kind, size = 16) {
  const ctx = fitCanvas(canvas, size, size);
  ctx.clearRect(0, 0, size, size);
  drawGlyph(ctx, kind, size / 2, size / 2, size * 0.32);
}

/** Draws the "lost" legend glyph: a faded glyph with a red cross. */
export function drawLostGlyph(canvas, size = 16) {
  const ctx = fitCanvas(canvas, size, size);
  ctx.clearRect(0, 0, size, size);
  ctx.beginPath();
  shapePath(ctx, "circle", size / 2, size / 2, size * 0.36);
  ctx.strokeStyle = COLORS.muted;
  ctx.lineWidth = 1.2;
  ctx.stroke();
  const s = size * 0.22;
  ctx.strokeStyle = COLORS.byzantine;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(size / 2 - s, size / 2 - s);
  ctx.lineTo(size / 2 + s, size / 2 + s);
  ctx.moveTo(size / 2 + s, size / 2 - s);
  ctx.lineTo(size / 2 - s, size / 2 + s);
  ctx.stroke();
}

/** An X of half-size `s` centred on (x, y), in the current stroke style. */
export function drawCross(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x - s, y - s);
  ctx.lineTo(x + s, y + s);
  ctx.moveTo(x + s, y - s);
  ctx.lineTo(x - s, y + s);
  ctx.stroke();
}

/**
 * The refusal under (x, y) among `marks` ({ x, y, refusal }) within `reach` CSS pixels:
 * [refusal, squared distance], the nearest (the newest of equals), or [null, Infinity].
 */
export function nearestMark(marks, x, y, reach) {
  let best = null;
  let bestD = reach * reach;
  for (const m of marks) {
    const d = (m.x - x) ** 2 + (m.y - y) ** 2;
    if (d < bestD || (best === null && d <= bestD)) {
      bestD = d;
      best = m.refusal;
    }
  }
  return [best, best === null ? Infinity : bestD];
}

/**
 * The mark of a refused message (it failed a check where it landed): a cross cut out of a
 * round badge, in ink, unlike the bare red cross of a lost or dropped one.
 */
export function drawRefusedMark(ctx, x, y, r, alpha = 1) {
  ctx.globalAlpha = alpha;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fillStyle = COLORS.refused;
  ctx.fill();
  ctx.lineWidth = 1.25;
  ctx.strokeStyle = COLORS.paper;
  ctx.stroke();
  const s = r * 0.46;
  ctx.strokeStyle = COLORS.refusedInk;
  ctx.lineWidth = Math.max(1.4, r * 0.3);
  ctx.lineCap = "round";
  drawCross(ctx, x, y, s);
  ctx.lineCap = "butt";
  ctx.globalAlpha = 1;
}

/** Draws the "refused" legend glyph. */
export function drawRefusedGlyph(canvas, size = 16) {
  const ctx = fitCanvas(canvas, size, size);
  ctx.clearRect(0, 0, size, size);
  drawRefusedMark(ctx, size / 2, size / 2, size * 0.4);
}

/**
 * Breaks `text` into lines of at most `max` pixels in the current font: at spaces, or between
 * any two characters in a run too wide for a line (Chinese has no spaces).
 */
export function wrapText(ctx, text, max) {
  const lines = [];
  let line = "";
  for (const token of String(text).match(/\S+\s*|\s+/g) ?? []) {
    const pieces = ctx.measureText(token).width > max ? [...token] : [token];
    for (const piece of pieces) {
      if (line.trim() && ctx.measureText(line + piece).width > max) {
        lines.push(line.trimEnd());
        line = piece.trimStart();
      } else line += piece;
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/**
 * A callout of a few lines of words next to (x, y) on a canvas of w × h CSS px: what a mark
 * under the pointer means.
 */
export function drawNote(ctx, x, y, text, w, h) {
  ctx.font = `12px ${FONT}`;
  const max = Math.max(120, Math.min(300, w - 24));
  const lines = wrapText(ctx, text, max - 14).slice(0, 5);
  const tw = Math.min(max, Math.max(...lines.map((l) => ctx.measureText(l).width)) + 14);
  const lh = 16;
  const bh = lines.length * lh + 8;
  let bx = x + 12;
  let by = y - bh - 8;
  if (bx + tw > w - 4) bx = x - tw - 12;
  if (bx < 4) bx = 4;
  if (by < 4) by = Math.max(4, Math.min(y + 12, h - bh - 4));
  ctx.beginPath();
  ctx.roundRect(bx, by, tw, bh, 5);
  ctx.fillStyle = COLORS.callout;
  ctx.fill();
  ctx.fillStyle = COLORS.calloutInk;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  lines.forEach((line, i) => ctx.fillText(line, bx + 7, by + 4 + lh * i + lh / 2 + 0.5));
}
