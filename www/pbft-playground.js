// <pbft-playground n="4" seed="1" preset="" lang="en" speed="0.07" permalink>
//
// The whole playground in a shadow root: ring view, time-space diagram, panels, controls,
// timeline and permalinks. The element owns wall time (requestAnimationFrame) and forwards
// clicks; the Rust engine (compiled to wasm) owns virtual time and all protocol state.
// `el.simulation` is the live Simulation (see README.md for its API).

import init, { Simulation } from "./pkg/pbft_playground.js";
import { Controls, DEFAULT_SPEED, SPEEDS } from "./js/controls.js";
import { Diagram } from "./js/diagram.js";
import { h } from "./js/dom.js";
import { History } from "./js/model.js";
import { ClientPanel, EventLog, InFlightList, Inspector, Notices, ReplicaPanel, StatusStrip, buildLegend } from "./js/panels.js";
import { DEFAULTS, N_CHOICES, permalinkSearch, readPermalink } from "./js/permalink.js";
import { RingView } from "./js/ring.js";
import { translator } from "./js/i18n.js";

const STYLESHEET = new URL("./pbft-playground.css", import.meta.url).href;

let engine = null;
/** Loads and initialises the wasm engine once per page; every element shares it. */
export function loadEngine() {
  engine ??= init().then(() => ({ Simulation, presets: Simulation.presets(), behaviors: Simulation.behaviors() }));
  return engine;
}

const SNAPSHOT_EVERY_MS = 40; // wall ms between snapshots while running (panels lag at most this)
const PANELS_EVERY_MS = 100; // wall ms between panel refreshes while running
const URL_EVERY_MS = 1000; // wall ms between permalink updates while running (replaceState is not free)
const SCALES = [0.04, 0.08, 0.15, 0.3, 0.5, 1, 2]; // diagram zoom levels, px per virtual ms

export class PbftPlayground extends HTMLElement {
  static observedAttributes = ["n", "seed", "preset", "lang", "speed"];

  #sim = null;
  #engine = null;
  #t = translator("en");
  #ui = null;
  #history = new History();
  #snapshot = null;
  #snapDirty = true;
  #snapWall = 0;
  #lost = new Set();
  #actions = [];
  #baseActions = [];
  #config = { ...DEFAULTS };
  #playing = true;
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

  /** Whether virtual time runs. */
  get playing() {
    return this.#playing;
  }
  set playing(on) {
    this.#setPlaying(!!on);
  }

  /** Resolves once the engine is loaded and the first run is built. */
  get ready() {
    return this.#ready.promise;
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
    if (!this.#booted) {
      this.#booted = true;
      this.#boot();
    } else if (this.#ui) {
      this.#startLoop();
    }
  }

  disconnectedCallback() {
    cancelAnimationFrame(this.#raf);
    this.#raf = 0;
  }

  attributeChangedCallback(name, oldValue, value) {
    if (!this.#ui || oldValue === value) return;
    if (name === "speed") {
      this.speed = value;
    } else if (name === "lang") {
      this.#t = translator(value || "en");
      this.#buildUI();
      this.#refreshAll();
    } else {
      const cfg = this.#configFromAttributes(true);
      if (cfg.n !== this.#config.n || cfg.seed !== this.#config.seed || cfg.preset !== this.#config.preset) this.#reset(cfg);
    }
  }

  // ----- boot -----------------------------------------------------------------

  async #boot() {
    this.#t = translator(this.getAttribute("lang") || document.documentElement.lang || "en");
    const link = h("link", { rel: "stylesheet", href: STYLESHEET });
    const loading = h("p", { class: "loading", text: "…" });
    this.shadowRoot.replaceChildren(link, loading);
    const cssLoaded = new Promise((resolve) => {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    });
    try {
      this.#engine = await loadEngine();
    } catch (e) {
      await cssLoaded;
      loading.textContent = this.#t("notice.wasm", { message: e?.message ?? String(e) });
      loading.className = "loading error";
      return;
    }
    const speedAttr = Number(this.getAttribute("speed"));
    if (Number.isFinite(speedAttr) && speedAttr > 0 && speedAttr <= 100) this.#speed = speedAttr;
    this.#buildUI();
    await cssLoaded;

    let cfg = this.#configFromAttributes(true);
    let actions = null;
    let t = 0;
    if (this.hasAttribute("permalink")) {
      const link = readPermalink(location.search, { presets: this.#engine.presets.map((p) => p.name) });
      if (link.present) {
        cfg = { n: link.n, seed: link.seed, preset: link.preset };
        actions = link.actions;
        t = link.t;
        const lines = link.problems.map((p) =>
          this.#t("notice.badParam", { param: p.param, value: p.value, fallback: p.fallback === "" ? this.#t("preset.none") : p.fallback }),
        );
        if (link.actionsProblem) lines.push(this.#t("notice.badActions", { reason: link.actionsProblem }));
        if (lines.length) this.#ui.notices.add(lines);
      }
    }
    this.#reset(cfg, { actions, t, keepNotices: true });
    // A shared moment opens paused, exactly as it was; Play continues the run.
    if (t > 0 && !this.#sim.idle) this.#setPlaying(false);
    loading.remove();
    this.#ui.app.hidden = false;
    this.#startLoop();
    this.#ready.resolve();
    this.dispatchEvent(new CustomEvent("ready", { bubbles: true, composed: true }));
  }

  #configFromAttributes(notify) {
    const cfg = { ...DEFAULTS };
    const problem = (param, value, fallback) => {
      if (notify && this.#ui) this.#ui.notices.add(this.#t("notice.badAttr", { param, value: String(value).slice(0, 40), fallback }));
    };
    if (this.hasAttribute("n")) {
      const n = Number(this.getAttribute("n"));
      if (N_CHOICES.includes(n)) cfg.n = n;
      else problem("n", this.getAttribute("n"), DEFAULTS.n);
    }
    if (this.hasAttribute("seed")) {
      const v = this.getAttribute("seed");
      if (/^\d{1,16}$/.test(v) && Number.isSafeInteger(Number(v))) cfg.seed = Number(v);
      else problem("seed", v, DEFAULTS.seed);
    }
    if (this.hasAttribute("preset")) {
      const v = this.getAttribute("preset");
      if (v === "" || this.#engine.presets.some((p) => p.name === v)) cfg.preset = v;
      else problem("preset", v, this.#t("preset.none"));
    }
    return cfg;
  }

  #buildUI() {
    const t = this.#t;
    const old = this.#ui;
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
      copyLink: () => this.#copyLink(),
      seek: (time) => this.#seek(time),
      live: () => {
        this.#seek(this.#maxReached);
        this.#setPlaying(true);
      },
    };
    const controls = new Controls(t, on, { presets: this.#engine.presets });
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
    const notices = old ? old.notices : new Notices(t);

    const ringCanvas = h("canvas", { class: "ring", role: "img", "aria-label": t("ring.label"), tabindex: "-1" });
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
      { class: "app", hidden: !old },
      notices.section,
      controls.toolbar,
      controls.description,
      h("div", { class: "statusline" }, status.stats, controls.timeline, status.badge),
      stage,
      buildLegend(t),
      inflight.section,
      h("div", { class: "panels" }, replicas.section, h("div", { class: "side" }, client.section, log.section)),
    );

    ringCanvas.addEventListener("pointermove", (e) => {
      const id = this.#ui.ring.hitTest(e.offsetX, e.offsetY);
      if (id !== this.#hover) {
        this.#hover = id;
        ringCanvas.classList.toggle("pointer", id !== null);
      }
    });
    ringCanvas.addEventListener("pointerleave", () => (this.#hover = null));
    app.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.#selected !== null) this.#select(null);
    });
    ringCanvas.addEventListener("click", (e) => this.#select(this.#ui.ring.hitTest(e.offsetX, e.offsetY)));

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

    const link = this.shadowRoot.querySelector("link");
    const loading = this.shadowRoot.querySelector(".loading");
    this.shadowRoot.replaceChildren(...[link, loading].filter(Boolean), app);
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
      ring: new RingView(ringCanvas, t),
      diagram: new Diagram(diagramCanvas, t),
      ro,
    };
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
    let sim;
    try {
      sim = new E.Simulation(actions ? { ...options, actions } : options);
    } catch (e) {
      if (actions) this.#ui.notices.add(this.#t("notice.badActions", { reason: e.message }));
      try {
        sim = new E.Simulation(options);
      } catch (e2) {
        this.#ui.notices.add(this.#t("notice.error", { message: e2.message }), "error");
        cfg = { ...DEFAULTS };
        sim = new E.Simulation({ n: cfg.n, seed: cfg.seed });
      }
      actions = null;
    }
    this.#baseActions = [];
    if (cfg.preset) {
      if (!actions) this.#baseActions = sim.actions();
      else {
        const base = new E.Simulation(options);
        this.#baseActions = base.actions();
        base.free();
      }
    }
    this.#sim?.free();
    this.#sim = sim;
    this.#config = { n: cfg.n, seed: cfg.seed, preset: cfg.preset };
    this.#history.reset();
    this.#acc = 0;
    this.#maxReached = 0;
    this.#pendingSeek = null;
    this.#selected = null;
    this.#selectedDetail = null;
    this.#autoPaused = false;
    this.#hover = null;
    if (t > 0) {
      this.#history.ingest(sim.advance(t));
      this.#maxReached = sim.now;
    }
    this.#actions = sim.actions();
    this.#refreshSnapshot();
    this.#ui.replicas.build(sim.n);
    this.#ui.app.dataset.compact = String(sim.n > 4);
    this.#refreshAll();
    this.#urlDirty = true;
    this.#writeUrl();
  }

  /** Runs a user action on the simulation; refused actions become a notice. */
  #act(fn) {
    const sim = this.#sim;
    if (!sim) return false;
    this.#flushSeek();
    try {
      const events = fn(sim);
      if (Array.isArray(events)) this.#history.ingest(events);
      // An action's events (the REQUEST sent, a message dropped ...) come with the next
      // advance; advancing by 0 ms hands them over now, without moving the clock.
      this.#history.ingest(sim.takeEvents());
    } catch (e) {
      this.#ui.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      return false;
    }
    // Acting in the past forks a new future (the engine drops the recorded one).
    if (sim.now < this.#maxReached) this.#maxReached = sim.now;
    this.#actions = sim.actions();
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    if (!this.#playing) this.#writeUrl();
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
    this.#history.ingest(this.#sim.step());
    this.#acc = 0;
    this.#maxReached = Math.max(this.#maxReached, this.#sim.now);
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
    if (time === this.#sim.now && this.#acc === 0) return;
    const events = this.#sim.seek(time, true);
    this.#history.reset();
    this.#history.ingest(events);
    this.#acc = 0;
    this.#actions = this.#sim.actions();
    if (this.#selected !== null && !this.#history.live.has(this.#selected)) this.#select(null);
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    this.#writeUrl();
  }

  #setPlaying(on) {
    if (on && this.#pendingSeek !== null) this.#flushSeek();
    this.#playing = on;
    if (on) this.#autoPaused = false;
    this.#lastTs = null;
    this.#ui?.controls.update(this.#controlState());
    if (!on) {
      this.#urlDirty = true;
      this.#writeUrl();
    }
    this.#panelsDirty = true;
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
    const snap = this.#sim.snapshot();
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
    if (!this.#raf) this.#raf = requestAnimationFrame(this.#frame);
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
      if (this.#urlDirty && wall - this.#urlWall >= URL_EVERY_MS) this.#writeUrl();
    } catch (e) {
      cancelAnimationFrame(this.#raf);
      this.#raf = 0;
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
    if (this.#skipQuiet && this.#history.live.size === 0) {
      // Quiet time (only timers pending): run at 1x or faster, in small slices so that
      // the first message of the next burst starts from its sender.
      this.#mode = "quiet";
      let budget = dt * Math.max(1, this.#speed);
      this.#acc = 0;
      while (budget >= 1) {
        const slice = Math.min(4, Math.floor(budget));
        budget -= slice;
        const events = sim.advance(slice);
        if (events.length) {
          this.#ingest(events);
          break;
        }
        if (sim.idle) break;
      }
    } else {
      this.#mode = "running";
      this.#acc += dt * this.#speed;
      const whole = Math.floor(this.#acc);
      if (whole > 0) {
        this.#acc -= whole;
        this.#ingest(sim.advance(whole));
      }
    }
    if (sim.now > this.#maxReached) this.#maxReached = sim.now;
    this.#urlDirty = true;
  }

  #ingest(events) {
    if (events.length === 0) return;
    this.#history.ingest(events);
    this.#snapDirty = true;
    this.#panelsDirty = true;
  }

  #now() {
    return this.#sim ? this.#sim.now + (this.#playing ? this.#acc : 0) : 0;
  }

  #refreshSnapshot() {
    const snap = this.#sim.snapshot();
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
    ui.replicas.update(s);
    ui.client.update(s);
    ui.log.update(this.#history, s);
    ui.inflight.update(this.#history, s, this.#now());
    this.#showInspector();
  }

  #render() {
    const ui = this.#ui;
    const s = this.#snapshot;
    if (!ui || !s) return;
    const now = this.#now();
    const dpr = globalThis.devicePixelRatio || 1;
    const key = `${now}|${this.#history.version}|${this.#snapWall}|${this.#selected}|${this.#hover}|${dpr}|${this.#zoomIndex}`;
    if (key === this.#renderKey) return;
    this.#renderKey = key;
    const [rw, rh] = this.#sizes.ring;
    if (rw > 0 && rh > 0) {
      ui.ring.render({ snapshot: s, history: this.#history, now, lost: this.#lost, selected: this.#selected, hover: this.#hover, width: rw, height: rh });
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
      });
    }
  }

  // ----- permalinks ---------------------------------------------------------------

  #search() {
    return permalinkSearch({
      n: this.#config.n,
      seed: this.#config.seed,
      preset: this.#config.preset,
      actions: this.#actions,
      baseActions: this.#baseActions,
      t: this.#sim ? this.#sim.now : 0,
    });
  }

  #writeUrl() {
    this.#urlDirty = false;
    this.#urlWall = performance.now();
    if (!this.hasAttribute("permalink") || !this.#sim) return;
    const search = this.#search();
    if (search !== location.search) history.replaceState(history.state, "", location.pathname + search + location.hash);
  }

  /** The permalink of the current run (an absolute URL). */
  permalink() {
    return location.origin + location.pathname + this.#search();
  }

  async #copyLink() {
    this.#writeUrl();
    const url = this.permalink();
    try {
      await navigator.clipboard.writeText(url);
      this.#ui.notices.add(this.#t("copyLink.done"));
    } catch {
      this.#ui.notices.add(this.#t("copyLink.manual", { url }));
    }
  }
}

if (!customElements.get("pbft-playground")) customElements.define("pbft-playground", PbftPlayground);
