// <pbft-playground n="4" seed="1" preset="" names="" op="" autoplay controls="full" speed="0.07"
//                  lang="en" theme="auto" height="" permalink>
//
// The whole playground in a shadow root: ring view, time-space diagram, panels, controls,
// timeline and permalinks. The element owns wall time (requestAnimationFrame) and forwards
// clicks; the Rust engine (compiled to wasm) owns virtual time and all protocol state.
// `el.simulation` is the live Simulation (see README.md for its API and the attributes).
//
// Embedding: everything (styles included) lives in the shadow root; the wasm and the
// stylesheet are found next to this module (import.meta.url), so the files can be served from
// any folder of any static host. The wasm is fetched and compiled once per page, whatever the
// number of elements. Nothing is added to the page but the custom element itself.

import init, { Simulation } from "./pkg/pbft_playground.js";
import { Controls, DEFAULT_SPEED, SPEEDS } from "./js/controls.js";
import { Diagram } from "./js/diagram.js";
import { h } from "./js/dom.js";
import { History } from "./js/model.js";
import { Narrator } from "./js/narrator.js";
import {
  CONTROLS,
  DEFAULT_OP,
  THEMES,
  clip,
  fitNames,
  parseBool,
  parseHeight,
  parseNames,
  parseOp,
  parseSpeed,
  parseT,
  readRun,
  resolveLang,
} from "./js/options.js";
import { ClientPanel, EventLog, InFlightList, Inspector, Notices, ReplicaPanel, StatusStrip, buildLegend, nodeName } from "./js/panels.js";
import { DEFAULTS, decodeActions, permalinkSearch, readPermalink } from "./js/permalink.js";
import { RingView } from "./js/ring.js";
import { ShareDialog, escapeAttr } from "./js/share.js";
import { useTheme } from "./js/theme.js";
import { loadLanguage, translator } from "./js/i18n.js";

const MODULE_URL = import.meta.url;
const STYLESHEET = new URL("./pbft-playground.css", MODULE_URL).href;
const WASM_URL = new URL("./pkg/pbft_playground_bg.wasm", MODULE_URL);

let engine = null;
/** Loads and initialises the wasm engine once per page; every element shares it. */
export function loadEngine() {
  engine ??= init({ module_or_path: WASM_URL }).then(() => ({ Simulation, presets: Simulation.presets(), behaviors: Simulation.behaviors() }));
  return engine;
}

const SNAPSHOT_EVERY_MS = 40; // wall ms between snapshots while running (panels lag at most this)
const PANELS_EVERY_MS = 100; // wall ms between panel refreshes while running
const URL_EVERY_MS = 1000; // wall ms between permalink updates while running (replaceState is not free)
const SCALES = [0.04, 0.08, 0.15, 0.3, 0.5, 1, 2]; // diagram zoom levels, px per virtual ms
const EXECUTED_TAIL = 12; // entries of each replica's `executed` list in the per-frame snapshot
const MAX_EVENTS = 200_000; // events kept for scrubbing (older ones are replayed by the engine)
const TOUCH_REACH = 26; // px around a message that a finger may tap

export class PbftPlayground extends HTMLElement {
  static observedAttributes = ["n", "seed", "preset", "names", "op", "autoplay", "controls", "speed", "lang", "theme", "height", "actions", "t"];

  #sim = null;
  #engine = null;
  #lang = "en";
  #t = translator("en");
  #ui = null;
  #history = new History();
  // Every event of the run with #eventsFloor <= time <= #eventsEnd, in order: scrubbing shows
  // the events with time <= t from here while the engine seeks fast (without returning events).
  #events = [];
  #eventsFloor = 0;
  #eventsEnd = 0;
  #histPos = 0; // how many of #events the History has taken in
  #snapshot = null;
  #snapDirty = true;
  #snapWall = 0;
  #lost = new Set();
  #actions = [];
  #baseActions = [];
  #config = { ...DEFAULTS, names: null };
  #playing = false;
  #started = false; // played at least once (or opened at a shared moment)
  #speed = DEFAULT_SPEED;
  #skipQuiet = true;
  #acc = 0;
  #maxReached = 0;
  #mode = "idle";
  #pendingSeek = null;
  #selected = null;
  #selectedDetail = null;
  #autoPaused = false;
  #hover = null;
  #zoomIndex = 4;
  #raf = 0;
  #lastTs = null;
  #panelsWall = -Infinity;
  #panelsDirty = true;
  #urlWall = 0;
  #urlDirty = false;
  #renderKey = "";
  #sizes = { ring: [0, 0], diagram: [0, 0] };
  #booted = false;
  #frameTimes = new Float64Array(1200);
  #frameCount = 0;
  #logAll = false;
  // Presentation (attributes other than the run).
  #controlsMode = "full";
  #themeSetting = "auto";
  #dark = false;
  #reduced = false;
  #height = null;
  #op = DEFAULT_OP;
  // Good citizen: no frames while out of view or in a hidden tab.
  #inView = true;
  #pageVisible = true;
  #connected = false;
  #io = null;
  #mqDark = globalThis.matchMedia?.("(prefers-color-scheme: dark)") ?? null;
  #mqReduced = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)") ?? null;
  #pointer = null;
  #ready = Promise.withResolvers ? Promise.withResolvers() : (() => {
    const r = {};
    r.promise = new Promise((resolve) => (r.resolve = resolve));
    return r;
  })();

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /** The live Simulation (null until the engine has loaded). */
  get simulation() {
    return this.#sim;
  }

  /** Virtual ms per wall ms. */
  get speed() {
    return this.#speed;
  }
  set speed(x) {
    const v = Number(x);
    if (Number.isFinite(v) && v > 0 && v <= 100) {
      this.#speed = v;
      this.#ui?.controls.update(this.#controlState());
    }
  }

  /** Whether virtual time runs (when the element is visible). */
  get playing() {
    return this.#playing;
  }
  set playing(on) {
    this.#setPlaying(!!on);
  }

  /** True while the element is scrolled out of view or its tab is hidden: no frames, no time. */
  get suspended() {
    return !this.#inView || !this.#pageVisible || !this.#connected;
  }

  /** Whether messages are drawn without motion (prefers-reduced-motion). */
  get reducedMotion() {
    return this.#reduced;
  }

  /** The theme in use: "light" or "dark". */
  get theme() {
    return this.#dark ? "dark" : "light";
  }

  /** Resolves once the engine is loaded and the first run is built. */
  get ready() {
    return this.#ready.promise;
  }

  /** Messages drawn on the ring in the last frame: [{ id, x, y }] in CSS px of the canvas. */
  messagePositions() {
    const hits = this.#ui?.ring.hits ?? [];
    const out = [];
    for (let i = 0; i < hits.length; i += 3) out.push({ id: hits[i], x: hits[i + 1], y: hits[i + 2] });
    return out;
  }

  /** Per-frame script time (ms) of the last frames: { count, mean, p95, max }. */
  frameStats() {
    const n = Math.min(this.#frameCount, this.#frameTimes.length);
    const a = Array.from(this.#frameTimes.subarray(0, n)).sort((x, y) => x - y);
    const mean = a.reduce((s, x) => s + x, 0) / Math.max(1, n);
    return { count: n, mean, p95: a[Math.floor(n * 0.95)] ?? 0, max: a[n - 1] ?? 0 };
  }
  resetFrameStats() {
    this.#frameCount = 0;
  }

  connectedCallback() {
    this.#connected = true;
    this.#watch(true);
    if (!this.#booted) {
      this.#booted = true;
      this.#boot();
    } else if (this.#sim) {
      this.#startLoop();
    }
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#watch(false);
    this.#stopLoop();
  }

  attributeChangedCallback(name, oldValue, value) {
    // Before the first run exists, #boot reads every attribute itself.
    if (!this.#sim || oldValue === value) return;
    switch (name) {
      case "speed":
        this.#readSpeed(true);
        this.#ui.controls.update(this.#controlState());
        break;
      case "lang":
        this.#readLang(true);
        loadLanguage(this.#lang).then(() => {
          this.#t = translator(this.#lang);
          this.#buildUI();
          this.#refreshAll();
          if (this.#pendingLangProblem !== null) this.#problem("lang", this.#pendingLangProblem, this.#t("fallback.english"));
          this.#pendingLangProblem = null;
        });
        break;
      case "theme":
        this.#readTheme(true);
        this.#applyTheme();
        break;
      case "controls":
        this.#readControls(true);
        this.#applyPresentation();
        this.#refreshAll();
        break;
      case "height":
        this.#readHeight(true);
        this.#applyPresentation();
        break;
      case "op":
        this.#op = value === null ? DEFAULT_OP : parseOp(value);
        this.#ui.controls.op.value = this.#op;
        break;
      case "autoplay":
        this.#setPlaying(parseBool(value));
        break;
      default: {
        // n, seed, preset, names, actions, t: a new run (bad values fall back, with a notice).
        const { cfg, problems } = this.#readRunAttributes();
        this.#notifyProblems(problems, "notice.badAttr");
        const { actions, t } = this.#readReplayAttributes(true);
        this.#reset(cfg, { actions, t });
        this.#setPlaying(t > 0 ? false : this.#autoplay());
      }
    }
  }

  // ----- attributes -----------------------------------------------------------------

  #attr = (name) => this.getAttribute(name);

  #autoplay() {
    return this.hasAttribute("autoplay") && parseBool(this.getAttribute("autoplay"));
  }

  #problem(param, value, fallback) {
    const line = this.#t("notice.badAttr", { param, value: clip(value), fallback });
    if (this.#bootProblems) this.#bootProblems.push(line);
    else this.#ui?.notices.add(line);
  }
  #bootProblems = null; // while booting, bad values are gathered into one notice

  #readLang(notify) {
    const v = this.getAttribute("lang");
    let lang = v !== null ? resolveLang(v) : null;
    if (v !== null && lang === null && notify) this.#pendingLangProblem = v;
    if (lang === null) lang = resolveLang(this.closest("[lang]")?.getAttribute("lang") ?? document.documentElement.lang) ?? "en";
    this.#lang = lang;
    this.#t = translator(lang); // English until the language's table has loaded (loadLanguage)
  }
  #pendingLangProblem = null;

  #readSpeed(notify) {
    const v = this.getAttribute("speed");
    if (v === null) return;
    const x = parseSpeed(v);
    if (x !== null) this.#speed = x;
    else if (notify) this.#problem("speed", v, `${DEFAULT_SPEED}×`);
  }

  #readTheme(notify) {
    this.#themeSetting = this.#readChoice("theme", THEMES, "auto", notify);
  }

  #readControls(notify) {
    this.#controlsMode = this.#readChoice("controls", CONTROLS, "full", notify);
  }

  /** An attribute that is one of `allowed` (case-insensitive), else `fallback` with a notice. */
  #readChoice(name, allowed, fallback, notify) {
    const v = this.getAttribute(name);
    const s = v === null ? fallback : v.trim().toLowerCase();
    if (allowed.includes(s)) return s;
    if (notify) this.#problem(name, v, this.#t(`fallback.${fallback}`));
    return fallback;
  }

  #readHeight(notify) {
    const v = this.getAttribute("height");
    if (v === null || v.trim() === "") {
      this.#height = null;
      return;
    }
    this.#height = parseHeight(v);
    if (this.#height === null && notify) this.#problem("height", v, this.#t("default"));
  }

  #readRunAttributes() {
    return readRun(this.#attr, this.#engine.presets.map((p) => p.name));
  }

  /** The `actions` (base64url, as in permalinks) and `t` attributes. */
  #readReplayAttributes(notify) {
    let actions = null;
    let t = 0;
    const a = this.getAttribute("actions");
    if (a !== null && a.trim() !== "") {
      try {
        actions = decodeActions(a.trim());
      } catch (e) {
        if (notify) {
          const line = this.#t("notice.badActions", { reason: e.message });
          if (this.#bootProblems) this.#bootProblems.push(line);
          else this.#ui.notices.add(line);
        }
      }
    }
    const tv = this.getAttribute("t");
    if (tv !== null && tv.trim() !== "") {
      const x = parseT(tv);
      if (x !== null) t = x;
      else if (notify) this.#problem("t", tv, "0");
    }
    return { actions, t };
  }

  #notifyProblems(problems, key) {
    if (!problems.length) return;
    const t = this.#t;
    const fallback = (p) => (p.fallback === "" ? t("preset.none") : p.fallback === "default" ? t("default") : p.fallback);
    const lines = problems.map((p) => t(key, { param: p.param, value: p.value, fallback: fallback(p) }));
    if (this.#bootProblems) this.#bootProblems.push(...lines);
    else this.#ui.notices.add(lines);
  }

  // ----- boot -----------------------------------------------------------------

  async #boot() {
    this.#readLang(true);
    this.#readTheme(false);
    this.#resolveTheme();
    const link = h("link", { rel: "stylesheet", href: STYLESHEET });
    const loading = h("p", { class: "loading", text: "…", dataset: { theme: this.theme } });
    this.shadowRoot.replaceChildren(link, loading);
    const cssLoaded = new Promise((resolve) => {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    });
    try {
      const [eng] = await Promise.all([loadEngine(), loadLanguage(this.#lang)]);
      this.#engine = eng;
      this.#t = translator(this.#lang);
    } catch (e) {
      await cssLoaded;
      loading.textContent = this.#t("notice.wasm", { message: e?.message ?? String(e) });
      loading.className = "loading error";
      return;
    }
    this.#op = this.hasAttribute("op") ? parseOp(this.getAttribute("op")) : DEFAULT_OP;
    this.#buildUI();
    this.#bootProblems = [];
    // Presentation attributes, with a notice for each bad value.
    if (this.#pendingLangProblem !== null) this.#problem("lang", this.#pendingLangProblem, this.#t("fallback.english"));
    this.#pendingLangProblem = null;
    await cssLoaded;
    this.#readTheme(true);
    this.#applyTheme();
    this.#readControls(true);
    this.#readHeight(true);
    this.#readSpeed(true);
    this.#applyPresentation();

    let { cfg, problems } = this.#readRunAttributes();
    this.#notifyProblems(problems, "notice.badAttr");
    let { actions, t } = this.#readReplayAttributes(true);
    const gathered = this.#bootProblems;
    this.#bootProblems = null;
    if (gathered.length) this.#ui.notices.add(gathered);
    if (this.hasAttribute("permalink")) {
      const link = readPermalink(location.search, { presets: this.#engine.presets.map((p) => p.name), parseNames });
      if (link.present) {
        cfg = { n: link.n, seed: link.seed, preset: link.preset, names: link.names };
        actions = link.actions;
        t = link.t;
        this.#notifyProblems(link.problems, "notice.badParam");
        if (link.actionsProblem) this.#ui.notices.add(this.#t("notice.badActions", { reason: link.actionsProblem }));
      }
    }
    this.#reset(cfg, { actions, t, keepNotices: true });
    this.#started = t > 0;
    // A shared moment opens paused, exactly as it was; Play continues the run.
    this.#setPlaying(t > 0 && !this.#sim.idle ? false : this.#autoplay());
    loading.remove();
    this.#ui.app.hidden = false;
    this.#startLoop();
    this.#ready.resolve();
    this.dispatchEvent(new CustomEvent("ready", { bubbles: true, composed: true }));
  }

  /** Starts (or stops) watching visibility, the colour scheme and reduced motion. */
  #watch(on) {
    if (on) {
      document.addEventListener("visibilitychange", this.#onVisibility);
      this.#pageVisible = document.visibilityState !== "hidden";
      this.#mqDark?.addEventListener("change", this.#onScheme);
      this.#mqReduced?.addEventListener("change", this.#onMotion);
      this.#reduced = !!this.#mqReduced?.matches;
      if (typeof IntersectionObserver === "function") {
        this.#io ??= new IntersectionObserver((entries) => {
          const e = entries[entries.length - 1];
          this.#inView = e.isIntersecting;
          this.#updateSuspended();
        });
        this.#io.observe(this);
      }
    } else {
      document.removeEventListener("visibilitychange", this.#onVisibility);
      this.#mqDark?.removeEventListener("change", this.#onScheme);
      this.#mqReduced?.removeEventListener("change", this.#onMotion);
      this.#io?.disconnect();
    }
  }

  #onVisibility = () => {
    this.#pageVisible = document.visibilityState !== "hidden";
    this.#updateSuspended();
  };

  #onScheme = () => {
    if (this.#themeSetting === "auto") this.#applyTheme();
  };

  #onMotion = () => {
    this.#reduced = !!this.#mqReduced?.matches;
    this.#renderKey = "";
  };

  #updateSuspended() {
    if (this.suspended) this.#stopLoop();
    else if (this.#sim) this.#startLoop();
  }

  #resolveTheme() {
    this.#dark = this.#themeSetting === "dark" || (this.#themeSetting === "auto" && !!this.#mqDark?.matches);
  }

  #applyTheme() {
    const was = this.#dark;
    this.#resolveTheme();
    if (!this.#ui) return;
    this.#ui.app.dataset.theme = this.theme;
    if (was !== this.#dark) {
      // The legend and the inspector's swatch are drawn once: build them again.
      this.#buildUI();
      this.#refreshAll();
    }
  }

  #applyPresentation() {
    const app = this.#ui.app;
    app.dataset.theme = this.theme;
    app.dataset.controls = this.#controlsMode;
    if (this.#height === null) {
      delete app.dataset.height;
      app.style.removeProperty("--stage-height");
    } else if (this.#height === "fill") {
      app.dataset.height = "fill";
      app.style.removeProperty("--stage-height");
    } else {
      app.dataset.height = "px";
      // CSSOM, not a style attribute: allowed under a strict Content-Security-Policy.
      app.style.setProperty("--stage-height", `${this.#height}px`);
    }
    this.#renderKey = "";
  }

  #buildUI() {
    const t = this.#t;
    const old = this.#ui;
    useTheme(this.theme);
    const on = {
      preset: (name) => this.#reset({ ...this.#config, preset: name, n: name ? 4 : this.#config.n }),
      n: (n) => this.#reset({ ...this.#config, n }),
      seed: (seed) => this.#reset({ ...this.#config, seed }),
      reset: () => this.#reset({ ...this.#config }),
      request: (op) => this.#request(op),
      playPause: () => this.#setPlaying(!this.#playing),
      step: () => this.#step(),
      speed: (x) => (this.speed = x),
      skipQuiet: (on) => (this.#skipQuiet = on),
      loss: (rate) => this.#act((sim) => sim.setLoss(rate)),
      share: () => this.#openShare(),
      seek: (time) => this.#seek(time),
      live: () => {
        this.#seek(this.#maxReached);
        this.#setPlaying(true);
      },
    };
    const opValue = old ? old.controls.op.value : this.#op;
    const controls = new Controls(t, on, { presets: this.#engine.presets, op: opValue });
    const replicas = new ReplicaPanel(
      t,
      {
        crash: (i) => this.#act((sim) => sim.crash(i)),
        recover: (i) => this.#act((sim) => sim.recover(i)),
        behavior: (i, b) => this.#act((sim) => sim.setBehavior(i, b)),
        isolate: (i) => this.#isolate(i),
      },
      this.#engine.behaviors,
    );
    const client = new ClientPanel(t);
    const log = new EventLog(t, (all) => {
      this.#logAll = all;
      this.#ui.log.update(this.#history, this.#snapshot, true);
    });
    log.all.checked = this.#logAll;
    const inspector = new Inspector(t, { drop: (id) => this.#drop(id), close: () => this.#select(null) });
    const inflight = new InFlightList(t, (id) => this.#select(id));
    inflight.section.addEventListener("toggle", () => this.#ui && inflight.update(this.#history, this.#snapshot, this.#now()));
    const status = new StatusStrip(t);
    const notices = new Notices(t);
    if (old) notices.section.replaceChildren(...old.notices.section.childNodes);
    const share = new ShareDialog(t, (choice) => this.#shareTexts(choice));

    // The narration: a caption under the ring, read out politely by screen readers.
    const caption = h("p", { class: "caption", "aria-live": "polite", "aria-atomic": "true", "aria-label": t("narration") });
    const narrator = new Narrator(caption, t);
    const openFull = h("a", { class: "open-full", href: new URL("index.html", MODULE_URL).href, target: "_blank", rel: "noopener", text: t("open.full") });
    // The link carries the current run; it is brought up to date when someone goes for it.
    const freshen = () => this.#sim && (openFull.href = this.#indexUrl(this.#search()));
    for (const type of ["pointerdown", "focus", "click"]) openFull.addEventListener(type, freshen);

    const ringCanvas = h("canvas", { class: "ring", role: "img", "aria-label": t("ring.label"), tabindex: "0" });
    const diagramCanvas = h("canvas", { class: "diagram", role: "img", "aria-label": t("diagram.label") });
    const zoomIn = h("button", { type: "button", class: "secondary small icon", "aria-label": t("zoomIn"), title: t("zoomIn"), text: "+", onclick: () => this.#zoom(-1) });
    const zoomOut = h("button", { type: "button", class: "secondary small icon", "aria-label": t("zoomOut"), title: t("zoomOut"), text: "−", onclick: () => this.#zoom(1) });
    const ringBox = h("div", { class: "canvas-box ring-box" }, ringCanvas);
    const diagramBox = h("div", { class: "canvas-box diagram-box" }, diagramCanvas);
    const stage = h(
      "div",
      { class: "stage" },
      h(
        "section",
        { class: "view ring-view", "aria-label": t("ring.title") },
        h("h2", { class: "view-title", text: t("ring.title") }),
        ringBox,
        h("p", { class: "ring-key", text: t("ring.compactKey") }),
        inspector.section,
      ),
      h(
        "section",
        { class: "view diagram-view", "aria-label": t("diagram.title") },
        h("div", { class: "view-head" }, h("h2", { class: "view-title", text: t("diagram.title") }), h("span", { class: "zoom" }, zoomOut, zoomIn)),
        diagramBox,
      ),
    );
    const app = h(
      "div",
      { class: "app", hidden: !old, lang: this.#lang, dataset: { theme: this.theme, controls: this.#controlsMode } },
      notices.section,
      controls.toolbar,
      controls.description,
      h("div", { class: "statusline" }, status.stats, controls.timeline, status.badge),
      stage,
      caption,
      h("div", { class: "legend-row" }, buildLegend(t), openFull),
      inflight.section,
      h("div", { class: "panels" }, replicas.section, h("div", { class: "side" }, client.section, log.section)),
      share.dialog,
    );

    // Pointer events: mouse hover shows a message's label; a click or a tap (with a larger
    // reach for fingers) inspects it.
    ringCanvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      const id = this.#ui.ring.hitTest(e.offsetX, e.offsetY);
      if (id !== this.#hover) {
        this.#hover = id;
        ringCanvas.classList.toggle("pointer", id !== null);
      }
    });
    ringCanvas.addEventListener("pointerleave", () => (this.#hover = null));
    ringCanvas.addEventListener("pointerdown", (e) => {
      if (e.isPrimary) this.#pointer = { x: e.offsetX, y: e.offsetY, id: e.pointerId };
    });
    ringCanvas.addEventListener("pointerup", (e) => {
      const p = this.#pointer;
      this.#pointer = null;
      if (!p || p.id !== e.pointerId || Math.hypot(e.offsetX - p.x, e.offsetY - p.y) > 12) return;
      const reach = e.pointerType === "touch" || e.pointerType === "pen" ? TOUCH_REACH : undefined;
      this.#select(this.#ui.ring.hitTest(e.offsetX, e.offsetY, reach));
    });
    ringCanvas.addEventListener("pointercancel", () => (this.#pointer = null));
    // Keyboard: with the ring focused, the arrow keys step through the messages in flight
    // (each opens the inspector), Escape closes it.
    ringCanvas.addEventListener("keydown", (e) => {
      const dir = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!dir) return;
      e.preventDefault();
      const now = this.#now();
      const ids = [...this.#history.live.values()].filter((m) => m.sentAt <= now).map((m) => m.id).sort((a, b) => a - b);
      if (ids.length === 0) return;
      const at = ids.indexOf(this.#selected);
      const next = at < 0 ? (dir > 0 ? 0 : ids.length - 1) : (at + dir + ids.length) % ids.length;
      this.#select(ids[next]);
    });
    app.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.#selected !== null && !share.isOpen) this.#select(null);
    });

    const ro = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const box = entry.contentBoxSize?.[0];
        const w = box ? box.inlineSize : entry.contentRect.width;
        const hgt = box ? box.blockSize : entry.contentRect.height;
        if (entry.target === ringBox) this.#sizes.ring = [w, hgt];
        else this.#sizes.diagram = [w, hgt];
      }
      this.#renderKey = "";
    });
    ro.observe(ringBox);
    ro.observe(diagramBox);
    old?.ro.disconnect();
    old?.share.close();

    // The stylesheet's <link> stays where it is: moving it would load it again (unstyled meanwhile).
    if (old?.app.isConnected) old.app.replaceWith(app);
    else this.shadowRoot.append(app);
    this.#ui = {
      app,
      controls,
      replicas,
      client,
      log,
      inspector,
      inflight,
      status,
      notices,
      share,
      narrator,
      openFull,
      ring: new RingView(ringCanvas, t),
      diagram: new Diagram(diagramCanvas, t),
      ro,
    };
    if (old) this.#applyPresentation();
    if (this.#snapshot) {
      replicas.build(this.#snapshot.n);
      app.dataset.compact = String(this.#snapshot.n > 4);
    }
  }

  // ----- runs -------------------------------------------------------------------

  #reset(cfg, { actions = null, t = 0, keepNotices = false } = {}) {
    const E = this.#engine;
    if (!keepNotices) this.#ui.notices.clear();
    const options = { n: cfg.n, seed: cfg.seed };
    if (cfg.preset) options.preset = cfg.preset;
    if (cfg.names) options.names = fitNames(cfg.names, cfg.n);
    let sim;
    try {
      sim = new E.Simulation(actions ? { ...options, actions } : options);
    } catch (e) {
      if (actions) this.#ui.notices.add(this.#t("notice.badActions", { reason: e.message }));
      try {
        sim = new E.Simulation(options);
      } catch (e2) {
        this.#ui.notices.add(this.#t("notice.error", { message: e2.message }), "error");
        cfg = { ...DEFAULTS, names: null };
        sim = new E.Simulation({ n: cfg.n, seed: cfg.seed });
      }
      actions = null;
    }
    this.#baseActions = [];
    if (cfg.preset) {
      if (!actions) this.#baseActions = sim.actions();
      else {
        const { actions: _ignored, ...baseOptions } = options;
        const base = new E.Simulation(baseOptions);
        this.#baseActions = base.actions();
        base.free();
      }
    }
    this.#sim?.free();
    this.#sim = sim;
    this.#config = { n: cfg.n, seed: cfg.seed, preset: cfg.preset, names: cfg.names ?? null };
    this.#history.reset();
    this.#events = [];
    this.#eventsFloor = 0;
    this.#eventsEnd = 0;
    this.#histPos = 0;
    this.#ui.narrator.reset();
    this.#acc = 0;
    this.#maxReached = 0;
    this.#pendingSeek = null;
    this.#selected = null;
    this.#selectedDetail = null;
    this.#autoPaused = false;
    this.#hover = null;
    if (t > 0) this.#took(sim.advance(t), 0, false);
    this.#actions = sim.actions();
    this.#refreshSnapshot();
    this.#ui.replicas.build(sim.n);
    this.#ui.app.dataset.compact = String(sim.n > 4);
    this.#refreshAll();
    this.#urlDirty = true;
    this.#writeUrl();
  }

  /**
   * Takes in the events that advance/step returned while the clock went from `before` to now.
   * Live (before at the end of the stored events) they are all new; after a seek back the
   * engine replays the recorded future, whose events are already stored: only newer ones count.
   */
  #took(events, before, narrate = true) {
    const sim = this.#sim;
    if (events.length) {
      if (before >= this.#eventsEnd) this.#store(events);
      else this.#store(events.filter((e) => e.time > this.#eventsEnd));
    }
    if (sim.now > this.#eventsEnd) this.#eventsEnd = sim.now;
    if (sim.now > this.#maxReached) this.#maxReached = sim.now;
    this.#catchUp(narrate);
  }

  #store(events) {
    for (const e of events) this.#events.push(e);
    if (this.#events.length > MAX_EVENTS) {
      const cut = this.#events.length - Math.floor(MAX_EVENTS * 0.8);
      this.#events.splice(0, cut);
      this.#histPos = Math.max(0, this.#histPos - cut);
      this.#eventsFloor = this.#events[0]?.time ?? 0;
    }
  }

  /** Feeds the History the stored events up to the engine's time. */
  #catchUp(narrate = true) {
    const now = this.#sim.now;
    const ev = this.#events;
    let end = this.#histPos;
    while (end < ev.length && ev[end].time <= now) end++;
    if (end === this.#histPos) return;
    const batch = ev.slice(this.#histPos, end);
    this.#histPos = end;
    this.#history.ingest(batch);
    if (narrate) {
      const snap = this.#snapshot;
      this.#ui.narrator.feed(batch, (i) => nodeName(snap, this.#t, i), this.#sim.n);
    }
    this.#snapDirty = true;
    this.#panelsDirty = true;
  }

  /** Rebuilds the History from the stored events with time <= now (after a seek back). */
  #rebuildHistory() {
    const now = this.#sim.now;
    this.#history.reset();
    this.#histPos = 0;
    const ev = this.#events;
    let end = 0;
    // Binary search for the first event after now.
    let lo = 0;
    let hi = ev.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ev[mid].time <= now) lo = mid + 1;
      else hi = mid;
    }
    end = lo;
    this.#history.ingest(end === ev.length ? ev : ev.slice(0, end));
    this.#histPos = end;
  }

  /** Runs a user action on the simulation; refused actions become a notice. */
  #act(fn) {
    const sim = this.#sim;
    if (!sim) return false;
    this.#flushSeek();
    try {
      fn(sim);
    } catch (e) {
      this.#ui.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      return false;
    }
    // Acting in the past forks a new future: the engine dropped the recorded one, and so
    // do we (the events after now).
    if (sim.now < this.#maxReached) {
      this.#events.length = this.#histPos;
      this.#eventsEnd = sim.now;
      this.#maxReached = sim.now;
    }
    // An action's events (the REQUEST sent, a message dropped ...) are handed over at once.
    this.#took(sim.takeEvents(), sim.now);
    this.#actions = sim.actions();
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    if (!this.#playing) this.#writeUrl();
    // An element waiting for its first Play (no autoplay) starts when someone acts on it.
    if (!this.#started) this.#setPlaying(true);
    return true;
  }

  #request(op) {
    this.#act((sim) => {
      sim.request(op);
    });
  }

  #isolate(i) {
    const part = this.#snapshot.partition;
    const cut = new Set(part.map((g, j) => (g !== 0 ? j : -1)).filter((j) => j >= 0));
    if (cut.has(i)) cut.delete(i);
    else cut.add(i);
    if (cut.size === 0) this.#act((sim) => sim.heal());
    else {
      const rest = part.map((_, j) => j).filter((j) => !cut.has(j));
      this.#act((sim) => sim.partition([rest, ...[...cut].sort((a, b) => a - b).map((j) => [j])]));
    }
  }

  #drop(id) {
    this.#act((sim) => sim.dropMessage(id));
  }

  #step() {
    this.#setPlaying(false);
    this.#flushSeek();
    const before = this.#sim.now;
    this.#took(this.#sim.step(), before);
    this.#acc = 0;
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    this.#writeUrl();
  }

  #seek(time) {
    this.#setPlaying(false);
    this.#pendingSeek = Math.max(0, Math.floor(time));
  }

  #flushSeek() {
    if (this.#pendingSeek === null) return;
    const time = this.#pendingSeek;
    this.#pendingSeek = null;
    const sim = this.#sim;
    if (time === sim.now && this.#acc === 0) return;
    const back = time < sim.now;
    if (time < this.#eventsFloor) {
      // Older than the stored events: the slow full replay returns every event up to there
      // (later ones come back by replaying forward when needed, below).
      this.#events = sim.seek(time, true);
      this.#eventsFloor = 0;
      this.#eventsEnd = time;
      this.#rebuildHistory();
    } else if (time > this.#eventsEnd) {
      // Beyond the stored events: replay forward from their end, keeping what comes.
      sim.seek(this.#eventsEnd);
      this.#catchUp(false);
      this.#took(sim.advance(time - this.#eventsEnd), this.#eventsEnd, false);
    } else {
      sim.seek(time); // fast: from the engine's saved copies, no events
      if (back) this.#rebuildHistory();
      else this.#catchUp(false);
    }
    this.#ui.narrator.skip();
    this.#acc = 0;
    this.#actions = sim.actions();
    if (this.#selected !== null && !this.#history.live.has(this.#selected)) this.#select(null);
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    this.#writeUrl();
  }

  #setPlaying(on) {
    if (on && this.#pendingSeek !== null) this.#flushSeek();
    this.#playing = on;
    if (on) this.#started = true;
    if (on) this.#autoPaused = false;
    this.#lastTs = null;
    this.#ui?.controls.update(this.#controlState());
    if (!on) {
      this.#urlDirty = true;
      this.#writeUrl();
    }
    this.#panelsDirty = true;
    this.#renderKey = "";
  }

  #select(id) {
    if (id === null || id === undefined) {
      const resume = this.#autoPaused;
      this.#selected = null;
      this.#selectedDetail = null;
      this.#autoPaused = false;
      this.#ui.inspector.show(null);
      if (resume) this.#setPlaying(true);
      return;
    }
    const msg = this.#history.live.get(id);
    if (!msg) return;
    this.#selected = id;
    const snap = this.#sim.snapshot(0);
    this.#selectedDetail = snap.inFlight.find((m) => m.id === id) ?? null;
    if (this.#playing) {
      this.#playing = false;
      this.#autoPaused = true;
      this.#ui.controls.update(this.#controlState());
    }
    this.#showInspector();
  }

  #showInspector() {
    if (this.#selected === null) return;
    const live = this.#history.live.get(this.#selected);
    const rec = live ?? this.#history.messages.findLast((m) => m.id === this.#selected);
    if (!rec) {
      this.#select(null);
      return;
    }
    const s = this.#snapshot;
    const group = (node) => (node < 0 ? 0 : s.partition[node] ?? 0);
    useTheme(this.theme);
    this.#ui.inspector.show(
      {
        msg: { ...rec, detail: this.#selectedDetail?.detail },
        live: !!live,
        fate: rec.fate,
        endAt: rec.endAt,
        lost: this.#lost.has(rec.id),
        cut: group(rec.from) !== group(rec.to),
      },
      s,
      this.#autoPaused,
    );
  }

  #zoom(dir) {
    this.#zoomIndex = Math.max(0, Math.min(SCALES.length - 1, this.#zoomIndex - dir));
    this.#renderKey = "";
  }

  // ----- the frame loop ---------------------------------------------------------

  #startLoop() {
    if (!this.#raf && !this.suspended && this.#sim) {
      this.#lastTs = null; // no jump in time after a pause of the loop
      this.#raf = requestAnimationFrame(this.#frame);
    }
  }

  #stopLoop() {
    cancelAnimationFrame(this.#raf);
    this.#raf = 0;
  }

  #frame = (ts) => {
    this.#raf = requestAnimationFrame(this.#frame);
    const start = performance.now();
    const dt = this.#lastTs === null ? 16.7 : Math.min(100, Math.max(0, ts - this.#lastTs));
    this.#lastTs = ts;
    try {
      if (this.#pendingSeek !== null) this.#flushSeek();
      else if (this.#playing) this.#tick(dt);
      else this.#mode = "paused";
      const wall = performance.now();
      if (this.#snapDirty && (!this.#playing || wall - this.#snapWall >= SNAPSHOT_EVERY_MS)) this.#refreshSnapshot();
      // Canvases first: setting a canvas font after a DOM change forces a style recalculation.
      this.#render();
      if (this.#panelsDirty && (!this.#playing || wall - this.#panelsWall >= PANELS_EVERY_MS)) this.#refreshPanels();
      else if (this.#playing && wall - this.#panelsWall >= PANELS_EVERY_MS) {
        // Quiet time: no events, but the clock moves; the timeline follows it.
        this.#panelsWall = wall;
        this.#ui.controls.update(this.#controlState());
      }
      this.#ui.narrator.tick(wall);
      if (this.#urlDirty && wall - this.#urlWall >= URL_EVERY_MS) this.#writeUrl();
    } catch (e) {
      this.#stopLoop();
      this.#ui?.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      throw e;
    }
    this.#frameTimes[this.#frameCount++ % this.#frameTimes.length] = performance.now() - start;
  };

  #tick(dt) {
    const sim = this.#sim;
    if (sim.idle) {
      // Nothing in flight, no timer, no scheduled action: the clock holds until you act.
      this.#acc = 0;
      this.#mode = "idle";
      return;
    }
    const before = sim.now;
    if (this.#skipQuiet && this.#history.live.size === 0) {
      // Quiet time (only timers pending): run at 1x or faster, and stop exactly at the next
      // instant something happens, so that the next burst starts from its sender.
      this.#mode = "quiet";
      this.#acc = 0;
      const budget = Math.max(1, Math.floor(dt * Math.max(1, this.#speed)));
      const next = sim.nextEventTime;
      const ms = next === undefined ? budget : Math.max(0, Math.min(budget, next - sim.now));
      this.#took(sim.advance(ms), before);
    } else {
      this.#mode = "running";
      this.#acc += dt * this.#speed;
      const whole = Math.floor(this.#acc);
      if (whole > 0) {
        this.#acc -= whole;
        this.#took(sim.advance(whole), before);
      }
    }
    this.#urlDirty = true;
  }

  #now() {
    return this.#sim ? this.#sim.now + (this.#playing ? this.#acc : 0) : 0;
  }

  #refreshSnapshot() {
    const snap = this.#sim.snapshot(EXECUTED_TAIL);
    this.#snapshot = snap;
    this.#snapDirty = false;
    this.#snapWall = performance.now();
    this.#lost = new Set();
    for (const m of snap.inFlight) if (m.lost) this.#lost.add(m.id);
    this.#history.adopt(snap.inFlight);
    if (snap.now > this.#maxReached) this.#maxReached = snap.now;
    this.#panelsDirty = true;
  }

  #refreshAll() {
    this.#panelsDirty = true;
    this.#refreshPanels();
    this.#renderKey = "";
  }

  #controlState() {
    return {
      preset: this.#config.preset,
      n: this.#config.n,
      seed: this.#config.seed,
      playing: this.#playing,
      speed: SPEEDS.includes(this.#speed) ? this.#speed : this.#speed,
      loss: this.#snapshot ? this.#snapshot.loss : 0,
      now: this.#sim ? this.#sim.now : 0,
      max: this.#maxReached,
      skipQuiet: this.#skipQuiet,
    };
  }

  #refreshPanels() {
    const ui = this.#ui;
    const s = this.#snapshot;
    if (!ui || !s) return;
    this.#panelsDirty = false;
    this.#panelsWall = performance.now();
    ui.controls.update(this.#controlState());
    ui.status.update(s, this.#history, this.#playing ? this.#mode : "paused");
    if (this.#controlsMode === "full") {
      ui.replicas.update(s);
      ui.client.update(s);
      ui.log.update(this.#history, s);
      ui.inflight.update(this.#history, s, this.#now());
    }
    this.#showInspector();
  }

  #hint() {
    const s = this.#snapshot;
    if (this.#history.count > 0 || s.now > 0) return "";
    if (!this.#playing && !this.#sim.idle) return this.#t("hint.play");
    return this.#sim.idle ? this.#t("ring.hint") : "";
  }

  #render() {
    const ui = this.#ui;
    const s = this.#snapshot;
    if (!ui || !s) return;
    const now = this.#now();
    const dpr = globalThis.devicePixelRatio || 1;
    const key = `${now}|${this.#history.version}|${this.#snapWall}|${this.#selected}|${this.#hover}|${dpr}|${this.#zoomIndex}|${this.#playing}`;
    if (key === this.#renderKey) return;
    this.#renderKey = key;
    useTheme(this.theme);
    const still = this.#reduced;
    const [rw, rh] = this.#sizes.ring;
    if (rw > 0 && rh > 0) {
      // Short labels (and their key under the ring) when the ring is crowded or narrow.
      const compact = s.n > 4 || rw < 420;
      if (ui.app.dataset.compact !== String(compact)) ui.app.dataset.compact = String(compact);
      ui.ring.render({ snapshot: s, history: this.#history, now, lost: this.#lost, selected: this.#selected, hover: this.#hover, width: rw, height: rh, still, hint: this.#hint(), compact });
      // Keep the inspector away from the message it describes.
      const at = ui.ring.selectedAt;
      if (at) {
        const side = at.y > at.height * 0.5 ? "top" : "bottom";
        if (ui.inspector.section.dataset.at !== side) ui.inspector.section.dataset.at = side;
      }
    }
    const [dw, dh] = this.#sizes.diagram;
    if (dw > 0 && dh > 0) {
      ui.diagram.render({
        snapshot: s,
        history: this.#history,
        actions: this.#actions,
        now,
        windowMs: Math.max(100, (dw - 72) / SCALES[this.#zoomIndex]),
        selected: this.#selected,
        width: dw,
        height: dh,
        still,
      });
    }
  }

  // ----- permalinks, share and embed -------------------------------------------

  #run(t = this.#sim ? this.#sim.now : 0) {
    return {
      n: this.#config.n,
      seed: this.#config.seed,
      preset: this.#config.preset,
      names: this.#config.names,
      actions: this.#actions,
      baseActions: this.#baseActions,
      t,
    };
  }

  #search() {
    return permalinkSearch(this.#run());
  }

  /** The full playground (index.html next to this module) at `search`. */
  #indexUrl(search) {
    return new URL("index.html" + search, MODULE_URL).href;
  }

  #writeUrl() {
    this.#urlDirty = false;
    this.#urlWall = performance.now();
    if (!this.hasAttribute("permalink") || !this.#sim) return;
    const search = this.#search();
    if (search !== location.search) history.replaceState(history.state, "", location.pathname + search + location.hash);
  }

  /**
   * The permalink of the current run (an absolute URL): this page's address when the element
   * keeps it (`permalink` attribute), else the full playground next to this module.
   */
  permalink() {
    return this.hasAttribute("permalink") ? location.origin + location.pathname + this.#search() : this.#indexUrl(this.#search());
  }

  #openShare() {
    this.#writeUrl();
    this.#ui.share.open();
  }

  /** The texts of the Share / Embed dialog. */
  #shareTexts({ controls, autoplay, atNow, height }) {
    const now = this.#sim ? this.#sim.now : 0;
    const run = this.#run(atNow && now > 0 ? now : null);
    const extra = {};
    if (this.#op !== DEFAULT_OP || this.#ui.controls.op.value !== DEFAULT_OP) extra.op = this.#ui.controls.op.value;
    if (this.#lang !== "en") extra.lang = this.#lang;
    if (this.#themeSetting !== "auto") extra.theme = this.#themeSetting;
    if (this.#speed !== DEFAULT_SPEED) extra.speed = String(this.#speed);
    const wantsAutoplay = autoplay && !(atNow && now > 0);
    // embed.html shows the compact controls unless told otherwise.
    const iframeSearch = permalinkSearch(run, {
      ...extra,
      ...(controls !== "compact" ? { controls } : {}),
      ...(wantsAutoplay ? { autoplay: "1" } : {}),
    });
    const embedUrl = new URL("embed.html" + iframeSearch, MODULE_URL).href;
    const iframe = `<iframe src="${escapeAttr(embedUrl)}" title="${escapeAttr(this.#t("embed.title"))}" width="100%" height="${height}" loading="lazy" frameborder="0"></iframe>`;
    // The element's attributes, in the documented order.
    const attrs = [["n", String(run.n)], ["seed", String(run.seed)]];
    if (run.preset) attrs.push(["preset", run.preset]);
    if (run.names) attrs.push(["names", run.names.join(",")]);
    if (extra.op !== undefined) attrs.push(["op", extra.op]);
    if (wantsAutoplay) attrs.push(["autoplay", null]);
    if (controls !== "full") attrs.push(["controls", controls]);
    if (extra.speed) attrs.push(["speed", extra.speed]);
    if (extra.lang) attrs.push(["lang", extra.lang]);
    if (extra.theme) attrs.push(["theme", extra.theme]);
    const a = new URLSearchParams(iframeSearch).get("a");
    if (a) attrs.push(["actions", a]);
    if (run.t !== null) attrs.push(["t", String(run.t)]);
    const attrText = attrs.map(([k, v]) => (v === null ? ` ${k}` : ` ${k}="${escapeAttr(v)}"`)).join("");
    const script = `<script type="module" src="${escapeAttr(MODULE_URL)}"></script>\n<pbft-playground${attrText}></pbft-playground>`;
    return { permalink: this.permalink(), iframe, script, base: new URL(".", MODULE_URL).href, now };
  }
}

if (!customElements.get("pbft-playground")) customElements.define("pbft-playground", PbftPlayground);
