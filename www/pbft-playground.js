// <pbft-playground n="4" seed="1" preset="" names="" op="" autoplay controls="full" speed="0.07"
//                  lang="en" theme="auto" height="" permalink>
//
// The whole playground in a shadow root: ring view, time-space diagram, panels, controls,
// timeline and permalinks. The element owns wall time (requestAnimationFrame) and forwards
// clicks; the Rust engine (compiled to wasm) owns virtual time and all protocol state.
// `el.simulation` is the live Simulation (see README.md for its API and the attributes).
//
// This file runs the run: the Simulation, actions, the frame loop, permalinks. js/run.js starts
// one, js/timeline.js keeps its events, js/clock.js turns wall time into virtual time, js/ui.js
// builds the shadow DOM and draws a view (its words from js/describe.js and js/i18n.js),
// js/options.js reads the attributes (getters, never cached), js/citizen.js watches visibility,
// js/frames.js asks for animation frames only while something moves.
//
// Idle means idle: frames run while virtual time runs (playing, visible, something in flight or a
// timer due) or a seek waits. Any change (an action, play, a hover, a resize, a theme, a language,
// an attribute, a script calling el.simulation, becoming visible) wakes the loop for a frame that
// draws it; otherwise no frame is requested at all. Out of view, time stands still but changes
// are still drawn (the first state too), so a screenshot or a print shows the element as it is.
//
// Embedding: everything (styles included) lives in the shadow root; the wasm and the
// stylesheet are found next to this module (import.meta.url), so the files can be served from
// any folder of any static host. The wasm is fetched and compiled once per page, whatever the
// number of elements. Nothing is added to the page but the custom element itself.

import init, { Simulation } from "./pkg/pbft_playground.js";
import { Watcher } from "./js/citizen.js";
import { Clock, FrameTimes } from "./js/clock.js";
import { namer, ringHint } from "./js/describe.js";
import { h, setFlag, setText } from "./js/dom.js";
import { FrameLoop, watched } from "./js/frames.js";
import { addTable, formatTime, loadLanguage, translator } from "./js/i18n.js";
import { Selection, markPrimary, toggleIsolation } from "./js/model.js";
import { Attributes, OPTION_NAMES, clip, parseBool } from "./js/options.js";
import { DEFAULTS, permalinkSearch } from "./js/permalink.js";
import { advanceAll, droppedActions, runIdle, runOptions, startRun } from "./js/run.js";
import { snippets } from "./js/share.js";
import { useTheme } from "./js/theme.js";
import { Timeline } from "./js/timeline.js";
import { PlaygroundUI } from "./js/ui.js";
import { RingView } from "./js/ring.js";

const MODULE_URL = import.meta.url;
const STYLESHEET = new URL("./pbft-playground.css", MODULE_URL).href;
const WASM_URL = new URL("./pkg/pbft_playground_bg.wasm", MODULE_URL);
// Loaded on demand, next to this module (built as modules of their own: scripts/build.mjs).
const EXPORTS_URL = new URL("./js/exports.js", MODULE_URL).href;
const STATS_URL = new URL("./js/stats.js", MODULE_URL).href;
const SHARE_URL = new URL("./js/share-dialog.js", MODULE_URL).href;
const EXPLORE_URL = new URL("./js/explore.js", MODULE_URL).href;
const LIVE_PANEL_URL = new URL("./js/live-panel.js", MODULE_URL).href;

let engine = null;
/** Loads and initialises the wasm engine once per page; every element shares it. */
export function loadEngine() {
  engine ??= init({ module_or_path: WASM_URL }).then(() => ({ Simulation, presets: Simulation.presets(), behaviors: Simulation.behaviors() }));
  return engine;
}

const SNAPSHOT_EVERY_MS = 40; // wall ms between snapshots while running (panels lag at most this) ...
const SNAPSHOT_SLOWEST_MS = 160; // ... up to this with many messages in flight (a snapshot lists them all)
const SNAPSHOT_IN_FLIGHT = 150; // in-flight messages per SNAPSHOT_EVERY_MS of pacing
const PANELS_EVERY_MS = 200; // wall ms between panel refreshes while running (each costs the page a style, layout and paint)
const CONTROLS_EVERY_MS = 100; // ... and between refreshes of the controls alone (the timeline follows the clock)
const URL_EVERY_MS = 1000; // wall ms between permalink updates while running (replaceState is not free)
const NARRATE_BACK = 5000; // events looked at for the caption of a run opened at a time
const END_SLACK_MS = 1000; // a link's time this far past the run's last event is past its end (it is clamped)
const DONE_AFTER_MS = 12_000; // a preset that never goes quiet has shown what it shows this long after its last action
const EXPORT_KINDS = ["svg", "png", "json", "mermaid"];

/** A value as an error message shows it (short, as text). */
function shownValue(v) {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  return typeof v;
}

/** exportRun's arguments, checked: a wrong one is a TypeError naming it and what it needs. */
function exportChoice(kind, choice) {
  const fail = (what, need, v) => {
    throw new TypeError(`exportRun: ${what} must be ${need}, got ${shownValue(v)}`);
  };
  if (!EXPORT_KINDS.includes(kind)) fail("kind", `one of ${EXPORT_KINDS.map((k) => `"${k}"`).join(", ")}`, kind);
  if (choice === null || choice === undefined) return {};
  if (typeof choice !== "object" || Array.isArray(choice)) fail("the choice", "an object such as { from: 0, to: 800, theme: \"light\" }", choice);
  const { from, to, theme, download } = choice;
  const time = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (from !== undefined && !time(from)) fail("from", "a time in virtual ms (a number ≥ 0)", from);
  if (to !== undefined && to !== null && !time(to)) fail("to", "a time in virtual ms (a number ≥ 0) or null", to);
  if (theme !== undefined && theme !== "light" && theme !== "dark") fail("theme", '"light" or "dark"', theme);
  if (download !== undefined && typeof download !== "boolean") fail("download", "true or false", download);
  return { from, to, theme, download };
}

/** Watching a live cluster, the deliveries and timers of the run are the real cluster's, not yours. */
const LIVE_WORDS = { "ev.picked": "live.ev.picked", "ev.fired": "live.ev.fired", "say.picked": "live.say.picked", "say.fired": "live.say.fired" };
function liveWords(t) {
  return Object.assign((key, vars) => t(LIVE_WORDS[key] ?? key, vars), t);
}
const EXECUTED_TAIL = 0; // entries of each replica's `executed` list in the per-frame snapshot (the page shows none)

export class PbftPlayground extends HTMLElement {
  static observedAttributes = [...OPTION_NAMES, "tour", "tour-step"];

  #sim = null;
  #engine = null;
  #lang = "en"; // the language whose table is loaded (the `lang` attribute may ask for another meanwhile)
  #t = translator("en");
  #ui = null;
  #attrs = new Attributes(this);
  #timeline = new Timeline();
  #clock = new Clock();
  #snapshot = null;
  #snapDirty = true;
  #snapWall = 0;
  #lost = new Set();
  #actions = [];
  #stoppedAtViolation = false;
  #baseActions = [];
  #config = { ...DEFAULTS, names: null };
  #playing = false;
  #started = false; // played at least once (or opened at a shared moment)
  #pendingSeek = null;
  #selection = new Selection();
  #loop = new FrameLoop((dt) => this.#frame(dt));
  #exposed = null; // { sim, proxy }: el.simulation, which wakes the page when a script changes the run
  #narrateTimer = 0;
  #shownMode = null; // the clock's mode the panels show
  #panelsWall = -Infinity;
  #controlsWall = -Infinity;
  #panelsDirty = true;
  #urlWall = 0;
  #urlDirty = false;
  #booted = false;
  #frameTimes = new FrameTimes();
  #connected = false;
  #live = null; // the Live cluster mirror (js/live.js), while the page watches a real cluster
  #liveWords = false; // the run on screen replays a live cluster (its words say so)
  #tour = null; // the guided tour (js/tour.js, loaded on demand) while it is open
  #tourLoading = null;
  #tourTables = new Set(); // the languages whose tour words are added to the tables
  #tourListen = null; // the tour's ear: every batch of events the engine returns
  #focus = null; // what the tour points at on the ring ({ key, nodes, kinds, quorums, honest, badge })
  // Good citizen: no virtual time (and no frames but those drawing a change) while out of view or in a hidden tab.
  #watcher = new Watcher(this, {
    visibility: () => this.#updateSuspended(),
    scheme: () => this.#attrs.option("theme") === "auto" && this.#applyTheme(),
    motion: () => this.#ui?.invalidate(),
    resolution: () => this.#ui?.invalidate(),
  });
  #ready = (() => {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    return { promise, resolve };
  })();

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  /**
   * The live Simulation (null until the engine has loaded). Calling a method that may change the
   * run (request, crash, advance ...) wakes the page, which then shows it.
   */
  get simulation() {
    const sim = this.#sim;
    if (!sim) return null;
    if (this.#exposed?.sim !== sim) this.#exposed = { sim, proxy: watched(sim, () => this.#scripted()) };
    return this.#exposed.proxy;
  }

  /** Virtual ms per wall ms (the `speed` attribute; setting it sets the attribute). */
  get speed() {
    return this.#attrs.option("speed");
  }
  set speed(x) {
    const v = Number(x);
    if (Number.isFinite(v) && v > 0 && v <= 100) this.setAttribute("speed", String(v));
  }

  /** Whether virtual time runs (when the element is visible). */
  get playing() {
    return this.#playing;
  }
  set playing(on) {
    this.#setPlaying(!!on);
  }

  /** True while the element is scrolled out of view or its tab is hidden: no time passes (changes are still drawn). */
  get suspended() {
    return this.#watcher.hidden || !this.#connected;
  }

  /** Whether messages are drawn without motion (prefers-reduced-motion). */
  get reducedMotion() {
    return this.#watcher.prefersReducedMotion;
  }

  /** The theme in use: "light" or "dark" (the `theme` attribute, "auto" following the system). */
  get theme() {
    const s = this.#attrs.option("theme");
    return s === "dark" || (s === "auto" && this.#watcher.prefersDark) ? "dark" : "light";
  }

  /** Resolves once the engine is loaded and the first run is built. */
  get ready() {
    return this.#ready.promise;
  }

  /** Messages drawn on the ring in the last frame: [{ id, x, y }] in CSS px of the canvas. */
  messagePositions() {
    return this.#ui?.messagePositions() ?? [];
  }

  /**
   * Refusal marks drawn in the last frame: { ring: [...], diagram: [...] }, each
   * { msg, node, from, code, x, y, text } in CSS px of its canvas, `text` the check in words.
   */
  refusalMarks() {
    return this.#ui?.refusalMarks() ?? { ring: [], diagram: [] };
  }

  /** Per-frame script time (ms) of the last frames: { count, mean, p95, max }. */
  frameStats() {
    return this.#frameTimes.stats();
  }
  resetFrameStats() {
    this.#frameTimes.reset();
  }

  connectedCallback() {
    this.#connected = true;
    this.#watcher.start();
    if (!this.#booted) {
      this.#booted = true;
      this.#boot();
    } else if (this.#sim) {
      this.#wake();
    }
  }

  disconnectedCallback() {
    this.#connected = false;
    this.#watcher.stop();
    this.#stopLoop();
  }

  attributeChangedCallback(name, oldValue, value) {
    // Before the first run exists, #boot reads every attribute itself.
    if (!this.#sim || oldValue === value) return;
    if (name === "tour" || name === "tour-step") {
      if (this.hasAttribute("tour")) this.#openTour(this.getAttribute("tour"), this.getAttribute("tour-step"));
      else this.#closeTour();
      return;
    }
    const presentation = ["speed", "theme", "controls", "height"].includes(name);
    const bad = presentation ? this.#attrs.problems([name], this.#t) : [];
    if (bad.length) this.#ui.notices.add(bad);
    if (presentation) this.#applyPresentation();
    switch (name) {
      case "speed":
        this.#refreshControls();
        break;
      case "lang": {
        const lang = this.#attrs.lang;
        loadLanguage(lang).then(async () => {
          if (this.#tourLoading) await this.#tourWords(lang);
          this.#lang = lang;
          this.#t = this.#liveWords ? liveWords(translator(lang)) : translator(lang);
          this.#buildUI();
          this.#refreshAll();
          const bad = this.#attrs.problems(["lang"], this.#t);
          if (bad.length) this.#ui.notices.add(bad);
        });
        break;
      }
      case "theme":
        this.#applyTheme();
        break;
      case "controls":
        this.#refreshAll();
        break;
      case "op":
        this.#ui.controls.op.value = this.#attrs.op;
        break;
      case "autoplay":
        this.#setPlaying(parseBool(value));
        break;
      default: {
        // n, seed, preset, names, actions, t: a new run (bad values fall back, with a notice).
        const { cfg, actions, t, notices } = this.#attrs.run(this.#presetNames(), this.#t);
        this.#reset(cfg, { actions, t });
        if (notices.length) this.#ui.notices.add(notices);
        this.#setPlaying(t > 0 ? false : this.#attrs.autoplay);
      }
    }
    this.#wake();
  }

  #presentation = () => ({ theme: this.theme, themeSetting: this.#attrs.option("theme"), controls: this.#attrs.option("controls"), height: this.#attrs.option("height") });
  #presetNames = () => this.#engine.presets.map((p) => p.name);

  // ----- boot -----------------------------------------------------------------

  async #boot() {
    // The address before the first run rewrites it: a chapter of the tour may be asked for there.
    const params = this.hasAttribute("permalink") ? new URLSearchParams(location.search) : null;
    this.#lang = this.#attrs.lang;
    this.#t = translator(this.#lang); // English until the language's table has loaded
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
    this.#buildUI();
    await cssLoaded;
    this.#applyTheme();
    this.#applyPresentation();
    // Every bad attribute value and every bad or unknown parameter of the page's address is told
    // in one notice, a line each (they are all what the page was opened with).
    const bad = this.#attrs.problems(["lang", "theme", "controls", "height", "speed"], this.#t);
    const { cfg, actions, t, notices, linkNotices } = this.#attrs.run(this.#presetNames(), this.#t, this.hasAttribute("permalink") ? location.search : null);
    // embed.html names the parameters of its address it does not read (embed.js).
    const unknown = (this.dataset.unknownParams ?? "").split(",").filter(Boolean).map((param) => this.#t("notice.unknownParam", { param: clip(param) }));
    const lines = [...bad, ...notices, ...linkNotices.flat(), ...unknown];
    if (lines.length) this.#ui.notices.add(lines);
    this.#reset(cfg, { actions, t, keepNotices: true });
    this.#started = t > 0;
    // A shared moment opens paused, exactly as it was; Play continues the run.
    this.#setPlaying(t > 0 && !this.#sim.idle ? false : this.#attrs.autoplay);
    loading.remove();
    this.#ui.app.hidden = false;
    // A chapter of the guided tour: the `tour` attribute, or ?tour=…&step=… in a permalink page's address.
    if (this.hasAttribute("tour")) await this.#openTour(this.getAttribute("tour"), this.getAttribute("tour-step"));
    else if (params?.has("tour")) await this.#openTour(params.get("tour"), params.get("step"));
    this.#wake(); // the first state is drawn at once, in view or not
    this.#ready.resolve();
    this.dispatchEvent(new CustomEvent("ready", { bubbles: true, composed: true }));
  }

  /** Scrolled in or out of view, the tab shown or hidden: the next frame counts no wall time. */
  #updateSuspended() {
    this.#loop.restartTime();
    this.#wake();
  }

  #applyTheme() {
    // The legend and the inspector's swatch are drawn once: a new theme builds them again.
    if (this.#ui && this.#ui.theme !== this.theme) {
      this.#buildUI();
      this.#refreshAll();
    }
  }

  #applyPresentation() {
    this.#ui.present(this.#presentation());
  }

  /** What the UI's controls, cards and dialogs call (each wakes the frame loop after it). */
  #handlers = this.#wakingAfter(this.#liveAware({
    preset: (name) => this.#reset({ ...this.#config, preset: name, n: name ? 4 : this.#config.n }),
    n: (n) => this.#reset({ ...this.#config, n }),
    seed: (seed) => this.#reset({ ...this.#config, seed }),
    reset: () => this.#reset({ ...this.#config }),
    // An empty operation is told in the page's language (the engine's refusal is English).
    request: (op) => (String(op).trim() === "" ? this.#ui.notices.add(this.#t("notice.emptyOp"), "error") : this.#live ? this.#liveRequest(op) : this.#act((sim) => sim.request(op))),
    livePanel: () => import(LIVE_PANEL_URL),
    liveConnect: (address) => this.#liveConnect(address),
    liveDisconnect: () => this.#liveStop(),
    playPause: () => this.#setPlaying(!this.#playing),
    step: () => this.#step(),
    speed: (x) => (this.speed = x),
    skipQuiet: (on) => (this.#clock.skipQuiet = on),
    loss: (rate) => this.#act((sim) => sim.setLoss(rate)),
    load: (rate) => this.#act((sim) => sim.setLoad(rate)),
    share: () => {
      this.#writeUrl();
      return this.#ui.openShare();
    },
    tour: () => this.#openTour("", null, true),
    seek: (time) => this.#seek(time),
    live: () => {
      this.#seek(this.#timeline.max);
      this.#setPlaying(true);
    },
    crash: (i) => this.#act((sim) => sim.crash(i)),
    recover: (i) => this.#act((sim) => sim.recover(i)),
    behavior: (i, b) => this.#act((sim) => sim.setBehavior(i, b)),
    isolate: (i) => this.#isolate(i),
    drop: (id) => this.#act((sim) => sim.dropMessage(id)),
    delivery: (mode) => this.#act((sim) => sim.setDelivery(mode)),
    deliver: (id) => this.#deliver(id),
    fire: (node, timer) => this.#act((sim) => sim.fireTimer(node, timer)),
    explorePanel: () => import(EXPLORE_URL),
    exploreSource: () => this.#exploreSource(),
    exploreLoad: (found, source) => this.#exploreLoad(found, source),
    select: (id) => this.#select(id),
    shareDialog: () => import(SHARE_URL),
    shareTexts: (choice) => this.#shareTexts(choice),
    exportRun: (kind, choice) => this.exportRun(kind, choice),
    stats: async () => ({ StatsView: (await import(STATS_URL)).StatsView, Simulation: this.#engine.Simulation }),
    freshenLink: () => this.#sim && this.#indexUrl(this.#search()),
    redraw: () => this.#wake(),
  }), ["livePanel", "explorePanel", "shareDialog", "shareTexts", "exportRun", "stats", "freshenLink", "redraw"]);

  /**
   * Watching a live cluster, the run on screen replays what the real nodes do: what would change
   * only the replay (a crash, a behaviour, a partition, a delivery by hand ...) is refused with a
   * notice saying what to do instead; a new run (scenario, n, seed, reset) stops watching.
   */
  #liveAware(handlers) {
    for (const name of ["crash", "recover", "behavior", "isolate", "drop", "delivery", "deliver", "fire", "loss", "load", "exploreLoad"]) {
      const fn = handlers[name];
      handlers[name] = (...args) => (this.#live ? this.#ui.notices.add(this.#t("live.refused"), "info") : fn(...args));
    }
    for (const name of ["preset", "n", "seed", "reset"]) {
      const fn = handlers[name];
      handlers[name] = (...args) => {
        this.#liveStop();
        return fn(...args);
      };
    }
    return handlers;
  }

  /** Connects the Live cluster panel to the node at `address` (js/live.js is loaded now). */
  async #liveConnect(address) {
    this.#liveStop();
    let mirror;
    try {
      const { LiveMirror } = await import("./js/live.js");
      mirror = new LiveMirror({
        start: (extra, names) => {
          this.#reset({ n: names.length, seed: 1, preset: "", names, extra });
          this.#useLiveWords(true);
          this.#setPlaying(true);
          return this.#sim;
        },
        sim: () => this.#sim,
        act: (fn) => this.#liveAct(fn),
        notify: (status) => {
          // Stopped following (diverged, closed): the page is a plain run again.
          if (this.#live === mirror && status.state !== "following" && status.state !== "connecting") this.#live = null;
          this.#ui?.live?.update(status);
          this.#wake();
        },
      });
      this.#live = mirror;
      this.#ui.live?.update(mirror.status());
      await mirror.connect(address);
    } catch (e) {
      if (this.#live === mirror) this.#live = null;
      this.#ui.live?.update({ state: "failed", detail: { address: String(address) }, names: [], up: [], backlog: 0, compare: null });
      return;
    }
    if (mirror.state !== "following") this.#live = null;
  }

  /** The words of a live replay, or the usual ones (the UI is built again in them). */
  #useLiveWords(on) {
    if (this.#liveWords === on) return;
    this.#liveWords = on;
    this.#t = on ? liveWords(translator(this.#lang)) : translator(this.#lang);
    this.#buildUI();
    this.#refreshAll();
  }

  #liveStop() {
    const m = this.#live;
    this.#live = null;
    if (m) {
      m.close();
      this.#ui?.live?.update(m.status());
    }
  }

  /** A step of the live replay: applied as an action is, its events shown; an error is thrown. */
  #liveAct(fn) {
    const sim = this.#sim;
    this.#flushSeek();
    fn(sim);
    this.#timeline.fork(sim.now);
    this.#took(sim.takeEvents(), sim.now);
    this.#settle(false);
  }

  /** Send request, watching a live cluster: through a node's /req; the replay shows it. */
  async #liveRequest(op) {
    try {
      const answer = await this.#live.send(op);
      if (answer.outcome !== "accepted") this.#ui.notices.add(this.#t("live.noAnswer", { error: answer.error ?? answer.outcome }), "error");
    } catch (e) {
      this.#ui.notices.add(this.#t("live.noAnswer", { error: e?.message ?? String(e) }), "error");
    }
  }

  /** `handlers`, each (but those of `quiet`) followed by a frame that shows what it did. */
  #wakingAfter(handlers, quiet) {
    for (const [name, fn] of Object.entries(handlers)) {
      if (quiet.includes(name)) continue;
      handlers[name] = (...args) => {
        try {
          return fn(...args);
        } finally {
          this.#wake();
        }
      };
    }
    return handlers;
  }

  #buildUI() {
    const old = this.#ui;
    const ui = new PlaygroundUI({
      t: this.#t,
      lang: this.#lang,
      presentation: this.#presentation(),
      presets: this.#engine.presets,
      behaviors: this.#engine.behaviors,
      op: this.#attrs.op,
      indexUrl: new URL("index.html", MODULE_URL).href,
      on: this.#handlers,
      old,
    });
    old?.dispose();
    // The stylesheet's <link> stays where it is: moving it would load it again (unstyled meanwhile).
    if (old?.app.isConnected) old.app.replaceWith(ui.app);
    else this.shadowRoot.append(ui.app);
    this.#ui = ui;
    if (this.#live) ui.live?.update(this.#live.status());
    this.#tour?.mount(ui.tourSlot, this.#t);
    if (this.#snapshot) ui.build(this.#snapshot.n);
  }

  // ----- runs -------------------------------------------------------------------

  #reset(cfg, { actions = null, t = 0, keepNotices = false, tour = false } = {}) {
    // Another scenario chosen while a tour runs ends the tour.
    if (!tour && this.#tour) this.#closeTour();
    if (!keepNotices) this.#ui.notices.clear();
    let run = startRun(this.#engine.Simulation, cfg, actions);
    for (const p of run.problems) this.#ui.notices.add(this.#t(p.key, p.vars), p.kind);
    let events = null;
    if (t > 0) {
      events = advanceAll(run.sim, t);
      // Past the end of the run (nothing happens any more long before t): open at its end
      // instead, where the run goes idle (its last timers included), as playing it would stop.
      const last = events.length ? events.at(-1).time : 0;
      if (run.sim.idle && t - last > END_SLACK_MS) {
        run.sim.free();
        run = startRun(this.#engine.Simulation, run.cfg, run.actions);
        events = runIdle(run.sim, t);
        this.#ui.notices.add(this.#t("notice.clampedT", { t: formatTime(t), end: formatTime(run.sim.now) }));
      }
    }
    this.#sim?.free();
    this.#sim = run.sim;
    this.#config = run.cfg;
    this.#baseActions = run.baseActions;
    this.#timeline.reset();
    this.#clock.reset();
    this.#ui.narrator.reset();
    this.#stoppedAtViolation = false;
    this.#pendingSeek = null;
    this.#selection = new Selection();
    this.#ui.hover = null;
    if (events) this.#took(events, 0, false);
    this.#ui.build(run.sim.n);
    this.#settle();
    if (events?.length) {
      // Opened at a time (a link's t): the caption tells the latest milestone so far, as after a
      // seek, instead of staying empty (the latest events are enough to find it).
      this.#ui.narrator.feed(events.slice(-NARRATE_BACK), namer(this.#snapshot, this.#t), run.sim.n);
      this.#ui.narrator.rewind(run.sim.now);
    }
    if (!cfg.extra) this.#useLiveWords(false);
  }

  /** After a jump (a new run, an action, a step, a seek): everything shows the engine's state now. */
  #settle(writeUrl = true) {
    this.#actions = this.#sim.actions();
    this.#refreshSnapshot();
    this.#refreshAll();
    this.#urlDirty = true;
    if (writeUrl) this.#writeUrl();
    this.#wake();
  }

  /** Takes in the events that advance/step returned while the clock went from `before` to now. */
  #took(events, before, narrate = true) {
    const shown = this.#timeline.took(events, before, this.#sim.now);
    if (shown.length > 0) {
      if (narrate) {
        // A refusal's caption names the kind refused, as the log does (the page knows the message).
        const history = this.#timeline.history;
        const said = shown.map((e) => (e.type === "rejected" && e.kind == null ? { ...e, kind: history.refusedKind(e) } : e));
        this.#ui.narrator.feed(said, namer(this.#snapshot, this.#t), this.#sim.n);
      }
      this.#snapDirty = true;
      this.#panelsDirty = true;
    }
    // Last: the tour may pause the run here, or take it back to a milestone's instant.
    if (this.#tourListen && events.length) this.#tourListen(events);
  }

  /** Runs a user action on the simulation; refused actions become a notice. */
  #act(fn) {
    const sim = this.#sim;
    if (!sim) return false;
    this.#flushSeek();
    const recorded = this.#actions;
    const reach = this.#timeline.max;
    try {
      fn(sim);
    } catch (e) {
      this.#ui.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      return false;
    }
    // Acting in the past forks a new future: the engine dropped the recorded one, and so do we.
    this.#timeline.fork(sim.now);
    // An action's events (the REQUEST sent, a message dropped ...) are handed over at once.
    this.#took(sim.takeEvents(), sim.now);
    this.#settle(!this.#playing);
    // (#settle read the run's actions as they are now.)
    const dropped = droppedActions(recorded, this.#actions);
    if (dropped > 0) this.#forked(recorded, sim.now, reach, dropped);
    // An element waiting for its first Play (no autoplay) starts when someone acts on it.
    if (!this.#started) this.#setPlaying(true);
    return true;
  }

  /**
   * Tells that acting at `at` dropped `dropped` of the `recorded` actions after it, and offers to
   * undo: the run as it was, with its recorded future, replayed as far as it had been (`reach`,
   * the timeline's right end), shown at the same instant, paused.
   */
  #forked(recorded, at, reach, dropped) {
    const undo = () => {
      this.#reset(this.#config, { actions: recorded, t: Math.max(at, reach) });
      this.#setPlaying(false);
      this.#seek(at);
      this.#flushSeek();
      this.#ui.notices.add(this.#t("notice.unforked", { count: dropped, t: formatTime(at) }));
      this.#wake();
    };
    this.#ui.notices.add(this.#t("notice.forked", { count: dropped, t: formatTime(at) }), "info", {
      label: this.#t("notice.undo"),
      title: this.#t("notice.undo.title"),
      run: undo,
    });
  }

  /** You are the network: message `id` arrives now; the inspector lets go of it (resuming the run it paused). */
  #deliver(id) {
    if (!this.#act((sim) => sim.deliver(id))) return;
    if (this.#selection.id === id) this.#select(null);
  }

  /**
   * What the explorer starts from: the run on screen at this instant (paused there), as the
   * options of `new Simulation` with the actions recorded up to now, and the instant.
   */
  #exploreSource() {
    const sim = this.#sim;
    if (!sim) return null;
    this.#flushSeek();
    this.#setPlaying(false);
    const at = sim.now;
    return { options: { ...runOptions(this.#config), actions: this.#actions.filter((a) => a.at <= at) }, at };
  }

  /**
   * The explorer's counterexample becomes the run: the actions up to the instant it started from,
   * then its own (manual delivery, a step every 200 virtual ms), shown from that instant, paused.
   */
  #exploreLoad(found, source) {
    this.#reset(this.#config, { actions: [...source.options.actions, ...found.actions], t: source.at });
    this.#started = true;
    this.#setPlaying(false);
    this.#ui.notices.add(this.#t("explore.loaded", { steps: found.steps.length, at: formatTime(source.at) }), "info");
    this.#wake();
  }

  #isolate(i) {
    const groups = toggleIsolation(this.#snapshot.partition, i);
    this.#act((sim) => (groups ? sim.partition(groups) : sim.heal()));
  }

  #step() {
    this.#setPlaying(false);
    this.#flushSeek();
    const before = this.#sim.now;
    this.#took(this.#sim.step(), before);
    this.#clock.acc = 0;
    this.#settle();
  }

  #seek(time) {
    this.#setPlaying(false);
    this.#pendingSeek = Math.max(0, Math.floor(time));
    this.#wake();
  }

  /** Performs the last seek asked for (scrubbing asks many times per frame). */
  #flushSeek() {
    if (this.#pendingSeek === null) return;
    const time = this.#pendingSeek;
    this.#pendingSeek = null;
    const sim = this.#sim;
    if (time === sim.now && this.#clock.acc === 0) return;
    const back = time < sim.now;
    this.#timeline.seek(sim, time);
    if (back) this.#ui.narrator.rewind(sim.now);
    else this.#ui.narrator.skip();
    this.#clock.acc = 0;
    if (this.#selection.id !== null && !this.#timeline.history.live.has(this.#selection.id)) this.#select(null);
    this.#settle();
  }

  #setPlaying(on) {
    if (on && this.#pendingSeek !== null) this.#flushSeek();
    this.#playing = on;
    if (on) this.#started = true;
    if (on) this.#selection.autoPaused = false;
    this.#loop.restartTime();
    this.#refreshControls();
    if (!on) {
      this.#urlDirty = true;
      this.#writeUrl();
    }
    this.#panelsDirty = true;
    this.#ui?.invalidate();
    this.#wake();
  }

  /** Inspects message `id` (pausing the run while you look), or lets go (null: resuming it). */
  #select(id) {
    if (id === null || id === undefined) {
      if (this.#selection.clear()) this.#setPlaying(true);
    } else if (this.#timeline.history.record(id)) {
      // A message in flight, or one that arrived and was refused (its mark was picked).
      if (this.#selection.pick(id, this.#sim.snapshot(0), this.#playing)) {
        this.#playing = false;
        this.#refreshControls();
      }
    } else return;
    this.#showInspector();
    this.#wake();
  }

  #showInspector() {
    if (!this.#ui || !this.#snapshot) return;
    if (this.#selection.gone(this.#timeline.history)) return this.#select(null);
    useTheme(this.theme);
    this.#ui.inspector.update(this.#view());
  }

  // ----- the frame loop ---------------------------------------------------------

  /** Something changed: a frame shows it (and more follow while time runs). */
  #wake() {
    if (this.#sim && this.#ui && this.#connected) this.#loop.wake();
  }

  #stopLoop() {
    this.#loop.stop();
    clearTimeout(this.#narrateTimer);
    this.#narrateTimer = 0;
  }

  /** A script called a method of el.simulation that may have changed the run behind the page's back. */
  #scripted() {
    this.#snapDirty = true;
    this.#panelsDirty = true;
    this.#ui?.invalidate();
    this.#wake();
  }

  /** One frame; returns whether another is needed (time runs, or a seek waits). */
  #frame(dt) {
    const start = performance.now();
    const live = !this.suspended; // out of view: time stands still, changes are drawn
    if (!live) this.#loop.restartTime();
    try {
      const sim = this.#sim;
      if (this.#pendingSeek !== null) this.#flushSeek();
      else if (this.#playing && live) this.#tick(dt);
      else if (!this.#playing) this.#clock.mode = "paused";
      // Manual delivery with every message at its door: nothing moves until you act.
      const waiting = this.#clock.mode === "waiting";
      const more = this.#pendingSeek !== null || (live && this.#playing && !sim.idle && !waiting);
      // Going to sleep with nothing left to run: the clock holds exactly at the engine's time.
      if (!more && live && this.#playing && sim.idle) this.#clock.tick(sim, 0, this.speed, true);
      const wall = performance.now();
      // While time runs the snapshot and the panels follow at their own pace; the last frame before
      // a sleep (and every frame of a paused run) shows everything as it is.
      const paced = more && this.#playing;
      const every = Math.min(SNAPSHOT_SLOWEST_MS, SNAPSHOT_EVERY_MS * Math.max(1, (this.#snapshot?.inFlight.length ?? 0) / SNAPSHOT_IN_FLIGHT));
      if (this.#snapDirty && (!paced || wall - this.#snapWall >= every)) this.#refreshSnapshot();
      // Canvases first: setting a canvas font after a DOM change forces a style recalculation.
      this.#ui.render(this.#view(), paced);
      const mode = this.#playing ? this.#clock.mode : "paused";
      if ((this.#panelsDirty || (!more && mode !== this.#shownMode)) && (!paced || wall - this.#panelsWall >= PANELS_EVERY_MS)) this.#refreshPanels();
      else if (this.#playing && (!more || wall - this.#controlsWall >= CONTROLS_EVERY_MS)) {
        // Between panel refreshes, or in quiet time (no events), the clock moves: the timeline follows it.
        this.#controlsWall = wall;
        this.#refreshControls();
      }
      // At rest the caption tells the newest milestone now; while time runs, one at a time.
      // A preset that has shown what it shows (it may never go idle) is at rest too.
      if (more && !this.#presetDone()) this.#ui.narrator.tick(wall);
      else this.#ui.narrator.settle(wall);
      if (this.#urlDirty && (!more || wall - this.#urlWall >= URL_EVERY_MS)) this.#writeUrl();
      if (!more) this.#narrateLater();
      this.#frameTimes.add(performance.now() - start);
      return more;
    } catch (e) {
      this.#stopLoop();
      this.#ui?.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      throw e;
    }
  }

  /** Asleep with sentences waiting: the narrator speaks on a timer, without frames. */
  #narrateLater() {
    clearTimeout(this.#narrateTimer);
    this.#narrateTimer = 0;
    const wait = this.suspended ? null : this.#ui.narrator.dueIn(performance.now());
    if (wait === null) return;
    this.#narrateTimer = setTimeout(() => {
      this.#narrateTimer = 0;
      if (this.#loop.awake || this.suspended || !this.#connected) return; // a frame says it (or visibility will)
      this.#ui.narrator.tick(performance.now());
      this.#narrateLater();
    }, wait + 1);
  }

  #tick(dt) {
    const sim = this.#sim;
    const before = sim.now;
    const live = this.#timeline.history.live;
    let restAt = null;
    if (sim.delivery === "manual") {
      // Nothing arrives by itself: time runs until every message in flight is at its door.
      restAt = -Infinity;
      for (const m of live.values()) if (m.deliverAt > restAt) restAt = m.deliverAt;
    }
    const events = this.#clock.tick(sim, dt, this.speed, live.size === 0, restAt);
    if (events) this.#took(events, before);
    if (this.#clock.mode !== "idle") this.#urlDirty = true;
    // A preset that breaks safety has shown what it shows once the violation has been on screen
    // a while: it stops there, once (its view changes would go on for ever; Play goes on).
    if (!this.#stoppedAtViolation && this.#timeline.history.violations.length && this.#presetDone()) {
      this.#stoppedAtViolation = true;
      this.#setPlaying(false);
    }
  }

  #refreshSnapshot() {
    const snap = markPrimary(this.#sim.snapshot(EXECUTED_TAIL));
    this.#snapshot = snap;
    this.#snapDirty = false;
    this.#snapWall = performance.now();
    this.#lost = new Set();
    for (const m of snap.inFlight) if (m.lost) this.#lost.add(m.id);
    this.#timeline.history.adopt(snap.inFlight);
    this.#timeline.reach(snap.now);
    this.#panelsDirty = true;
  }

  #refreshAll() {
    this.#panelsDirty = true;
    this.#refreshPanels();
    this.#ui.invalidate();
  }

  /** What the panels and the canvases show (the shape is in js/panels.js). */
  #view() {
    const s = this.#snapshot;
    const sim = this.#sim;
    return {
      snapshot: s,
      history: this.#timeline.history,
      now: this.#clock.now(sim, this.#playing),
      mode: this.#playing ? this.#clock.mode : "paused",
      name: namer(s, this.#t),
      run: { ...this.#config, done: this.#presetDone(), playing: this.#playing, speed: this.speed, loss: s ? s.loss : 0, load: s ? s.load : 0, delivery: s?.delivery ?? "auto", now: sim ? sim.now : 0, max: this.#timeline.max, skipQuiet: this.#clock.skipQuiet },
      manual: s?.delivery === "manual",
      timers: s?.pendingTimers ?? [],
      selection: this.#selection.view(this.#timeline.history, s, this.#lost),
      selected: this.#selection.id,
      lost: this.#lost,
      actions: this.#actions,
      hint: s
        ? ringHint(this.#t, {
            happened: this.#timeline.history.count > 0 || s.now > 0,
            playing: this.#playing,
            idle: sim.idle,
            waiting: s.delivery === "manual" && this.#playing && this.#clock.mode === "waiting",
            flying: this.#timeline.history.live.size > 0,
          })
        : "",
      still: this.reducedMotion,
      theme: this.theme,
      playing: this.#playing,
      focus: this.#focus,
    };
  }

  /**
   * Whether the preset has played to its end: its actions are applied and nothing happens any
   * more (idle), or, for a run that never goes quiet (timeouts that double, a broken cluster),
   * it has shown what it shows: a safety violation, or a long while after its last action.
   */
  #presetDone() {
    const sim = this.#sim;
    if (!sim || !this.#config.preset) return false;
    const last = this.#baseActions.at(-1)?.at ?? 0;
    if (sim.now < last) return false;
    if (sim.idle && this.#timeline.history.count > 0) return true;
    const violation = this.#timeline.history.violations[0];
    if (violation && sim.now >= violation.time + 2000) return true;
    return sim.now >= last + DONE_AFTER_MS;
  }

  #refreshControls() {
    if (this.#ui && this.#snapshot) this.#ui.controls.update(this.#view());
  }

  #refreshPanels() {
    if (!this.#ui || !this.#snapshot) return;
    this.#panelsDirty = false;
    this.#panelsWall = this.#controlsWall = performance.now();
    if (this.#selection.gone(this.#timeline.history)) this.#select(null);
    useTheme(this.theme);
    const view = this.#view();
    this.#shownMode = view.mode;
    this.#ui.update(view, this.#attrs.option("controls") === "full");
  }

  // ----- the guided tour ----------------------------------------------------------

  /** Opens the guided tour: a chapter (at step `step`, 1-based) or, for "" or an unknown one, the chapter list. */
  async #openTour(chapter, step, moveFocus = false) {
    this.#tourLoading ??= import("./js/tour.js");
    let mod;
    try {
      mod = await this.#tourLoading;
    } catch (e) {
      this.#tourLoading = null;
      this.#ui.notices.add(this.#t("notice.error", { message: e?.message ?? String(e) }), "error");
      return;
    }
    await this.#tourWords(this.#lang);
    this.#tour ??= new mod.Tour(this.#tourHost());
    this.#tour.mount(this.#ui.tourSlot, this.#t);
    this.#tour.open(chapter, step, moveFocus);
    this.#wake();
  }

  /** The tour's words in English and in `lang` (loaded with the tour, added to the tables). */
  async #tourWords(lang) {
    const { WORDS } = await this.#tourLoading;
    for (const name of new Set(["en", lang])) {
      if (!WORDS[name] || this.#tourTables.has(name)) continue;
      try {
        addTable(name, await WORDS[name]());
        this.#tourTables.add(name);
      } catch {
        // Without its table a language shows the tour in English (the translator falls back).
      }
    }
  }

  #closeTour() {
    const tour = this.#tour;
    if (!tour) return;
    this.#tour = null;
    this.#tourListen = null;
    this.#focus = null;
    tour.dispose();
    this.#ui?.invalidate();
    this.#urlDirty = true;
    this.#writeUrl();
    this.#wake();
  }

  /** What the tour may do with the element: load a run, play and pause it, listen to it, point at things. */
  #tourHost() {
    return {
      dom: { h, setFlag, setText },
      t: () => this.#t,
      sim: () => this.#sim,
      behaviors: () => this.#engine.behaviors,
      name: (id) => namer(this.#snapshot, this.#t)(id),
      snapshot: () => this.#snapshot,
      playing: () => this.#playing,
      load: (cfg, actions = null) => {
        this.#reset({ ...DEFAULTS, names: null, ...cfg }, { actions, tour: true });
        this.#started = true;
        this.#setPlaying(false);
      },
      play: (on) => this.#setPlaying(on),
      listen: (fn) => (this.#tourListen = fn),
      /** Runs the engine instant by instant until `match(events)` returns something (or maxMs, or idle); returns it. */
      runUntil: (match, maxMs) => {
        this.#setPlaying(false);
        this.#flushSeek();
        const sim = this.#sim;
        const ear = this.#tourListen;
        this.#tourListen = null;
        const end = sim.now + maxMs;
        let hit = null;
        try {
          while (sim.now < end) {
            const before = sim.now;
            const events = sim.step();
            this.#took(events, before, false);
            hit = match(events);
            if (hit || (events.length === 0 && sim.idle)) break;
          }
        } finally {
          this.#tourListen = ear;
          this.#clock.acc = 0;
          this.#ui.narrator.skip();
          this.#settle();
        }
        return hit;
      },
      act: (fn) => this.#act(fn),
      /** Goes back to virtual time `time` (paused): the engine's fast seek, as the timeline does. */
      seek: (time) => {
        this.#seek(time);
        this.#flushSeek();
      },
      focus: (focus) => {
        this.#focus = focus;
        this.#ui.invalidate();
        this.#wake();
      },
      writeUrl: () => {
        this.#urlDirty = true;
        this.#writeUrl();
      },
      close: () => this.#closeTour(),
      notice: (text) => this.#ui.notices.add(text),
    };
  }

  // ----- permalinks, share and embed -------------------------------------------

  #run(t = this.#sim ? this.#sim.now : 0) {
    const { n, seed, preset, names, loss = 0 } = this.#config;
    return { n, seed, preset, names, loss, actions: this.#actions, baseActions: this.#baseActions, t };
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
    // A live cluster's replay is not a run a link could carry (its options, its clients).
    if (!this.hasAttribute("permalink") || !this.#sim || this.#live) return;
    // The page's language stays in its address (index.html reads it: site.js).
    const lang = new URLSearchParams(location.search).get("lang");
    // In a chapter of the tour the address is the chapter and its step (the run follows from them).
    const tour = this.#tour?.search(lang);
    const search = tour ?? (lang === null ? this.#search() : permalinkSearch(this.#run(), { lang }));
    if (search !== location.search) history.replaceState(history.state, "", location.pathname + search + location.hash);
  }

  /**
   * The permalink of the current run (an absolute URL): this page's address when the element
   * keeps it (`permalink` attribute), else the full playground next to this module.
   */
  permalink() {
    return this.hasAttribute("permalink") ? location.origin + location.pathname + this.#search() : this.#indexUrl(this.#search());
  }

  /**
   * An export of the run (js/exports.js, loaded now): "svg" (the time-space diagram of
   * [from, to] in `theme`), "png" (the ring at this instant), "json" (settings, actions and every
   * event up to the timeline's end) or "mermaid" (a sequence diagram of [from, to]). Made by
   * replaying the run in a fresh Simulation; `download`: saved as a file too.
   * @returns {Promise<{ name: string, type: string, text?: string, blob?: Blob, kinds?: string[], count?: number, arrows?: number }>}
   */
  async exportRun(kind, choice = {}) {
    const { from = 0, to = null, theme = this.theme, download = false } = exportChoice(kind, choice);
    const ex = await import(EXPORTS_URL);
    const sim = this.#sim;
    if (!sim) throw new Error("no run");
    this.#flushSeek();
    const max = Math.max(this.#timeline.max, sim.now);
    const t1 = Math.max(0, Math.min(to ?? max, max));
    const t0 = Math.max(0, Math.min(from, t1));
    const options = { ...runOptions(this.#config), actions: this.#actions };
    const names = this.#snapshot.replicas.map((r) => r.name);
    const cfg = this.#config;
    let out;
    try {
      if (kind === "json") {
        const events = ex.replay(this.#engine.Simulation, options, max);
        out = { name: ex.fileName(cfg, null, null, "json"), type: "application/json", text: ex.runJson({ config: this.#config, options, until: max, events }) };
      } else if (kind === "png") {
        const [width, height] = this.#ui.sizes.ring;
        const blob = await ex.ringPng({ RingView, view: this.#view(), width: Math.max(320, width), height: Math.max(320, height), t: this.#t });
        out = { name: ex.fileName(cfg, sim.now, sim.now, "png").replace(/-(\d+)-\d+ms/, "-$1ms"), type: "image/png", blob };
      } else {
        const messages = ex.messagesOf(ex.replay(this.#engine.Simulation, options, t1));
        if (kind === "svg") {
          const { svg, kinds, count } = ex.svgDiagram({ messages, n: sim.n, names, t0, t1, theme, t: this.#t, lang: this.#lang, formatTime });
          out = { name: ex.fileName(cfg, t0, t1, "svg"), type: "image/svg+xml", text: svg, kinds, count };
        } else if (kind === "mermaid") {
          const { text, arrows, left } = ex.mermaid({ messages, n: sim.n, names, t0, t1, t: this.#t });
          out = { name: ex.fileName(cfg, t0, t1, "mmd"), type: "text/plain", text, arrows, left };
        } else throw new Error(`unknown export ${kind}`);
      }
    } finally {
      // The exports draw in their own theme: the page's comes back.
      useTheme(this.theme);
      this.#ui.invalidate();
    }
    if (download) ex.download(out.blob ?? out.text, out.name, out.type);
    return out;
  }

  /** The texts of the Share / Embed dialog: the run with the language, theme, heights and start time chosen there. */
  #shareTexts({ controls, autoplay, atNow, start = null, height, lang = this.#lang, theme = this.#attrs.option("theme"), viewHeight = null }) {
    const now = this.#sim ? this.#sim.now : 0;
    const settings = { op: this.#ui.controls.op.value, opAttribute: this.#attrs.op, lang, theme, speed: this.speed };
    const at = atNow ? (start ?? now) : null;
    const run = this.#run(at !== null && at > 0 ? at : null);
    const out = snippets({ run, moduleUrl: MODULE_URL, settings, controls, autoplay, height, viewHeight, title: this.#t("embed.title") });
    // The link opens the full playground in the language and theme chosen (index.html reads both).
    const link = new URL(this.permalink());
    if (lang !== "en") link.searchParams.set("lang", lang);
    else if (link.searchParams.has("lang")) link.searchParams.delete("lang");
    if (theme !== "auto") link.searchParams.set("theme", theme);
    // It opens where the snippets do: at the moment chosen, or at the start.
    if (at !== null && at > 0) link.searchParams.set("t", String(Math.floor(at)));
    else link.searchParams.delete("t");
    return { ...out, permalink: link.href.replace(/%2C/g, ","), now, max: this.#timeline.max };
  }
}

if (!customElements.get("pbft-playground")) customElements.define("pbft-playground", PbftPlayground);
