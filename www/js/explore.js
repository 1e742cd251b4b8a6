// The Explore panel: every order in which the network can deliver what is in flight at the
// instant on screen (and, within bounds the reader picks, lost messages and timers going off),
// each state checked for safety by the engine itself, in a Web Worker (js/explore-worker.js) so
// the page stays responsive. The worker and its wasm are fetched only when a search starts.
// A violation found becomes recorded actions that the element loads into its timeline.
// The panel's body is loaded when it is first opened (js/ui.js; the element imports it by URL):
// what it needs of the element's modules is handed over in `lib` rather than imported, so that
// the built site keeps them in the element's own file, and its English words come with it (the
// zh-CN words are in js/i18n-zh-CN.js, loaded with the language).

/** The panel's English words (the element adds them to its table: i18n.js addTable). */
export const WORDS = {
  "explore.intro": "The explorer runs this same engine in a background worker. From the instant on screen it tries every order in which the network could deliver the messages in flight (and, if you allow it, lose some or let timers go off), and checks safety in every state it reaches: no two honest replicas execute different requests at one sequence number, none executes a request twice, and the client accepts only what honest replicas executed.",
  "explore.states": "States at most",
  "explore.states.title": "The search stops after this many distinct states (each state is remembered by a 64-bit fingerprint, about 16 bytes).",
  "explore.depth": "Steps at most",
  "explore.depth.title": "Paths longer than this many deliveries, losses and timers are not followed.",
  "explore.timers": "Timers that may fire",
  "explore.timers.title": "How many times, on one path, a running timer may go off early (a view change, a retransmission, the client's broadcast). 0: messages only.",
  "explore.drops": "Messages that may be lost",
  "explore.drops.title": "How many messages, on one path, the network may lose.",
  "explore.start": "Explore",
  "explore.start.title": "Search every order from the instant on screen (the run pauses here)",
  "explore.stop": "Stop",
  "explore.stop.title": "Stop the search and tell what it saw",
  "explore.loading": "Loading the explorer…",
  "explore.workerFailed": "the worker did not start",
  "explore.error": "The explorer could not run: {message}",
  "explore.progress": "{states} states, {depth} steps deep (longest {longest}), {rate} states/s",
  "explore.bounds": "From {at}: at most {depth} steps, {timers} timers, {drops} lost messages",
  "explore.took": "{seconds} s, {rate} states/s",
  "explore.found": "Violation found: {steps} steps, after {states} states searched.",
  "explore.none": "No violation in {states} states.",
  "explore.stopped": "Stopped after {states} states: no violation so far.",
  "explore.complete": "Every order within these bounds was tried: {ended} runs come to an end, {accepted} of them with every request accepted.",
  "explore.cut.states": "The search stopped at the state bound: orders beyond it were not tried.",
  "explore.cut.depth": "Paths longer than {depth} steps were not followed.",
  "explore.proves": "This shows that nothing unsafe can happen from this instant within these bounds; it says nothing of other instants, other faults or longer runs.",
  "explore.before": "The run had already broken safety at this instant; the explorer looks for a new violation.",
  "explore.step.deliver": "Deliver #{msg} {kind} {from} → {to}",
  "explore.step.drop": "Lose #{msg} {kind} {from} → {to}",
  "explore.step.fire": "Fire the {timer} of {node}",
  "explore.load": "Load it into the timeline",
  "explore.load.title": "Make this counterexample the run on screen, from the instant the search started",
  "explore.load.note": "Loading it replaces what came after this instant. You are the network: its steps come one every 0.2 s of virtual time; press Play or Step to watch them.",
};

let h, setFlag, setText, describeViolation, timerText, formatTime;

export const STATE_BOUNDS = [10_000, 100_000, 1_000_000];
const DEFAULTS = { states: 100_000, depth: 40, timers: 0, drops: 0 };

/** The words of one step of a counterexample (`{ step, msg, from, to, kind }` or `{ step: "fire", node, timer }`). */
export function stepText(t, step, name) {
  if (step.step === "fire") return t("explore.step.fire", { timer: timerText(t, step.timer), node: name(step.node) });
  const v = { msg: step.msg, kind: String(step.kind ?? "").toUpperCase(), from: name(step.from), to: name(step.to) };
  return t(step.step === "drop" ? "explore.step.drop" : "explore.step.deliver", v);
}

export class ExplorePanel {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {{ source(): { options: object, at: number } | null, load(found: object, source: object): void, name(node: number): string, workerUrl: URL }} on
   * @param {HTMLDetailsElement} section  the panel (its summary in it), which this fills
   * @param {{ h, setFlag, setText, describeViolation, timerText, formatTime }} lib  js/dom.js's, describe.js's and i18n.js's
   */
  constructor(t, on, section, lib) {
    ({ h, setFlag, setText, describeViolation, timerText, formatTime } = lib);
    this.t = t;
    this.on = on;
    this.worker = null;
    this.ready = false;
    this.queued = null;
    this.id = 0;
    this.running = false;
    this.found = null;
    const fmt = new Intl.NumberFormat(t.lang);
    this.fmt = (x) => fmt.format(x);
    const number = (key, value, min, max) =>
      h("input", { type: "number", class: `explore-${key}`, value: String(value), min: String(min), max: String(max), step: "1", inputmode: "numeric", "aria-label": t(`explore.${key}`), title: t(`explore.${key}.title`) });
    this.states = h(
      "select",
      { class: "explore-states", "aria-label": t("explore.states"), title: t("explore.states.title") },
      STATE_BOUNDS.map((n) => h("option", { value: String(n), text: this.fmt(n), selected: n === DEFAULTS.states })),
    );
    this.depth = number("depth", DEFAULTS.depth, 1, 1000);
    this.timers = number("timers", DEFAULTS.timers, 0, 20);
    this.drops = number("drops", DEFAULTS.drops, 0, 20);
    const field = (label, input) => h("label", { class: "field" }, h("span", { text: label }), input);
    this.startButton = h("button", { type: "button", class: "explore-start", text: t("explore.start"), title: t("explore.start.title"), onclick: () => this.start() });
    this.stopButton = h("button", { type: "button", class: "secondary explore-stop", text: t("explore.stop"), title: t("explore.stop.title"), disabled: true, onclick: () => this.stop() });
    this.status = h("p", { class: "explore-status", role: "status", "aria-live": "polite" });
    this.result = h("div", { class: "explore-result" });
    this.section = section;
    section.append(
      h("p", { class: "muted small explore-intro", text: t("explore.intro") }),
      h(
        "div",
        { class: "explore-bounds" },
        field(t("explore.states"), this.states),
        field(t("explore.depth"), this.depth),
        field(t("explore.timers"), this.timers),
        field(t("explore.drops"), this.drops),
      ),
      h("div", { class: "actions" }, this.startButton, this.stopButton),
      this.status,
      this.result,
    );
  }

  /** The bounds in the inputs, each clamped to its range. */
  bounds() {
    const whole = (input, lo, hi, dflt) => {
      const x = Math.floor(Number(input.value));
      const v = Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : dflt;
      input.value = String(v);
      return v;
    };
    return {
      states: Number(this.states.value) || DEFAULTS.states,
      depth: whole(this.depth, 1, 1000, DEFAULTS.depth),
      timers: whole(this.timers, 0, 20, DEFAULTS.timers),
      drops: whole(this.drops, 0, 20, DEFAULTS.drops),
    };
  }

  start() {
    const source = this.on.source();
    if (!source) return;
    this.id += 1;
    this.found = null;
    this.source = source;
    const message = { type: "start", id: this.id, options: source.options, bounds: { at: source.at, ...this.bounds() } };
    this.result.replaceChildren();
    this.#running(true);
    if (!this.worker) {
      setText(this.status, this.t("explore.loading"));
      try {
        this.worker = new Worker(this.on.workerUrl, { type: "module" });
      } catch (e) {
        this.#failed(e?.message ?? String(e));
        return;
      }
      this.worker.onmessage = (e) => this.#message(e.data);
      this.worker.onerror = (e) => {
        e.preventDefault?.();
        this.#failed(e.message || this.t("explore.workerFailed"));
      };
    }
    if (this.ready) this.worker.postMessage(message);
    else this.queued = message;
  }

  stop() {
    if (this.worker && this.running) this.worker.postMessage({ type: "stop" });
  }

  #running(on) {
    this.running = on;
    this.startButton.disabled = on;
    this.stopButton.disabled = !on;
    setFlag(this.section, "data-running", on);
  }

  #failed(message) {
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    this.#running(false);
    setText(this.status, this.t("explore.error", { message }));
  }

  #message(m) {
    if (!m || typeof m !== "object") return;
    if (m.type === "ready") {
      this.ready = true;
      if (this.queued) this.worker.postMessage(this.queued);
      this.queued = null;
      return;
    }
    if (m.type === "error") {
      if (m.id === this.id || m.id === 0) {
        this.#running(false);
        setText(this.status, this.t("explore.error", { message: m.message }));
      }
      return;
    }
    if (m.id !== this.id) return; // a search replaced since
    const t = this.t;
    const rate = m.elapsedMs > 0 ? Math.round((m.states / m.elapsedMs) * 1000) : 0;
    const progress = t("explore.progress", { states: this.fmt(m.states), depth: m.depth, longest: m.maxDepth, rate: this.fmt(rate) });
    if (m.type === "progress") {
      setText(this.status, progress);
      return;
    }
    this.#running(false);
    this.#report(m, m.type === "stopped", rate);
  }

  /** The end of a search: a violation with its steps and a Load button, or what was searched. */
  #report(m, stopped, rate) {
    const t = this.t;
    const name = (node) => this.on.name(node);
    const b = m.bounds;
    const bounds = t("explore.bounds", { at: formatTime(b.at), depth: b.depth, timers: b.timers, drops: b.drops });
    const took = t("explore.took", { seconds: (m.elapsedMs / 1000).toFixed(1), rate: this.fmt(rate) });
    const lines = [];
    if (m.violationsBefore > 0) lines.push(h("p", { class: "muted small", text: t("explore.before") }));
    const c = m.counterexample;
    if (c) {
      this.found = c;
      setText(this.status, t("explore.found", { steps: c.steps.length, states: this.fmt(m.states) }));
      lines.push(
        h("p", { class: "explore-violation", text: describeViolation(c.violation, t, name) }),
        h("ol", { class: "explore-steps" }, c.steps.map((s) => h("li", { text: stepText(t, s, name) }))),
        h("div", { class: "actions" }, h("button", { type: "button", class: "explore-load", text: t("explore.load"), title: t("explore.load.title"), onclick: () => this.on.load(c, this.source) })),
        h("p", { class: "muted small", text: t("explore.load.note") }),
      );
    } else {
      setText(this.status, stopped ? t("explore.stopped", { states: this.fmt(m.states) }) : t("explore.none", { states: this.fmt(m.states) }));
      if (!stopped) {
        if (m.complete) lines.push(h("p", { class: "small", text: t("explore.complete", { ended: this.fmt(m.ended), accepted: this.fmt(m.endedAccepted) }) }));
        if (m.statesCut) lines.push(h("p", { class: "small", text: t("explore.cut.states") }));
        if (m.depthCut) lines.push(h("p", { class: "small", text: t("explore.cut.depth", { depth: b.depth }) }));
        lines.push(h("p", { class: "muted small", text: t("explore.proves") }));
      }
    }
    lines.unshift(h("p", { class: "muted small", text: `${bounds} · ${took}` }));
    this.result.replaceChildren(...lines);
  }

  dispose() {
    this.worker?.terminate();
    this.worker = null;
  }
}
