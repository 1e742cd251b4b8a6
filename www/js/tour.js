// The guided tour: chapters (js/tour-chapters.js) played on the real engine of the element. A
// chapter loads its run, plays it, and pauses at each milestone the engine's events reach: the
// card says what happened, the ring points at it, a question asks the reader what comes next
// (the answer is told once they pick), and Next plays on to the next milestone. Back and a deep
// link (?tour=view-change&step=3, or the tour / tour-step attributes) rebuild the run and let the
// engine run instant by instant to that step's milestone: the same run, deterministically.
//
// Loaded on demand by the element (a dynamic import), with the element's `host`: load(cfg),
// play(on), listen(fn), runUntil(match, maxMs), act(fn), focus(spec), name(id), snapshot() …
// and dom (js/dom.js's h, setFlag, setText: handed over rather than imported, so that the built
// site keeps them inside the element's own file instead of a chunk shared with this one).

import english from "./i18n-tour.js";
import { CHAPTERS } from "./tour-chapters.js";
import { QuorumTracker, faultyOf, readTourParams, tourSearch } from "./tour-logic.js";

export { CHAPTERS };

/** The tour's words by language (the element adds them to its tables: i18n.js addTable). */
export const WORDS = { en: async () => english, "zh-CN": async () => (await import("./i18n-tour-zh-CN.js")).default };

let h, setFlag, setText;

const FAST_FORWARD_MS = 60_000; // virtual ms a step's milestone may take to come when run instant by instant
const VERDICT_MS = 20_000; // virtual ms the "break it" run goes on before its verdict (it stops earlier when quiet)
const OPS = ["warTime=1234", "retreat=no", "warTime=2345", "supply=7"];

export class Tour {
  constructor(host) {
    ({ h, setFlag, setText } = host.dom);
    this.host = host;
    this.chapter = null; // the chapter shown, or null: the chapter list
    this.index = 0; // the step shown
    this.match = null; // what the shown step's milestone matched (its vars and focus come from it)
    this.waiting = false; // playing on toward the next step's milestone
    this.answers = new Map(); // step index -> the choice picked
    this.tracker = new QuorumTracker();
    this.verdict = null;
    this.slot = null;
    this.t = host.t();
  }

  /** The address of what is shown (a chapter and its step), or null for the chapter list. */
  search(lang) {
    return this.chapter ? tourSearch(this.chapter.id, this.index, lang ?? "en") : null;
  }

  /** Puts the card in `slot` (a new UI: another language or theme), in the words of `t`. */
  mount(slot, t) {
    this.slot = slot;
    this.t = t;
    this.#build();
    this.#render(false);
  }

  dispose() {
    this.host.listen(null);
    this.host.focus(null);
    this.slot?.replaceChildren();
    this.slot = null;
  }

  /**
   * Opens chapter `id` at `step` (1-based text, as in an address), or the chapter list;
   * `moveFocus` when the reader asked for it (a button), not when a page opens at it.
   */
  open(id, step, moveFocus = false) {
    const { chapter, step: k, problems } = readTourParams(id, step, CHAPTERS);
    for (const p of problems) this.host.notice(this.t("tour.notice.bad", { param: p, value: String(p === "tour" ? id : step).slice(0, 40) }));
    if (!chapter) {
      this.chapter = null;
      this.host.listen(null);
      this.host.focus(null);
      this.#render(moveFocus);
      this.host.writeUrl();
      return;
    }
    this.chapter = CHAPTERS.find((c) => c.id === chapter);
    this.answers = new Map();
    this.#goto(k, moveFocus);
  }

  // ----- driving the engine ---------------------------------------------------------

  get #steps() {
    return this.chapter.steps;
  }

  /**
   * Feeds a batch of events to the tracker and looks in it for step `k`'s milestone: what it
   * matched, or null. `chain`: steps after k whose milestones come at the same instant are found
   * too, and events after that instant are left for later (the run goes back to it).
   * @returns {{ k: number, hit: unknown, time: number } | null}
   */
  #scan(events, k, chain = false) {
    const ctx = { tracker: this.tracker, n: this.host.sim().n };
    let found = null;
    for (const e of events) {
      if (chain && found && e.time > found.time) break;
      this.tracker.feed(e);
      const step = this.#steps[k];
      // A chain stops at a step that loads a run of its own.
      if (!step || typeof step.until !== "function" || (found && (!chain || step.run))) continue;
      const hit = step.until(e, ctx);
      if (hit) {
        found = { k, hit, time: e.time };
        k++;
      }
    }
    return found;
  }

  /** The milestone of step k in a batch (every event fed to the tracker): what it matched, or null. */
  #find(events, k) {
    return this.#scan(events, k)?.hit ?? null;
  }

  #load(run) {
    this.tracker = new QuorumTracker();
    this.verdict = null;
    this.host.listen(null);
    this.host.load(run);
  }

  /**
   * Shows step `k` from scratch: the run of its part of the chapter rebuilt, the engine run
   * instant by instant through the milestones before it, paused at its own.
   */
  #goto(k, moveFocus = true) {
    const steps = this.#steps;
    let start = k;
    while (start > 0 && !steps[start].run) start--;
    this.#load(steps[start].run);
    let match = null;
    for (let j = start; j <= k; j++) {
      match = this.#reach(j);
      if (match === undefined) {
        // The milestone did not come (it should, in a deterministic run): show the step anyway.
        match = null;
        break;
      }
    }
    this.#show(k, match, moveFocus);
  }

  /** Runs the engine to step j's milestone (instant by instant); returns what it matched, null for "now", undefined if it never came. */
  #reach(j) {
    const step = this.#steps[j];
    if (step.until === "now") return null;
    const hit = this.host.runUntil((events) => this.#find(events, j), FAST_FORWARD_MS);
    return hit ?? undefined;
  }

  #show(k, match, moveFocus) {
    const step = this.#steps[k];
    this.index = k;
    this.match = match;
    this.waiting = false;
    this.host.play(false);
    if (step.verdict) this.#judge();
    this.#arm();
    this.host.focus(this.#focusSpec());
    this.#render(moveFocus);
    this.host.writeUrl();
    // "Try this" and the reader's own run go on by themselves: the reader watches or acts.
    if (step.id === "try" || step.controls) this.host.play(true);
  }

  /** Listens for the next step's milestone while the run plays (by Next, or the toolbar's Play). */
  #arm() {
    const next = this.#steps[this.index + 1];
    if (!next || next.run || next.until === "now") {
      this.host.listen((events) => this.#find(events, -1));
      return;
    }
    const k = this.index + 1;
    this.host.listen((events) => {
      const found = this.#scan(events, k, true);
      if (!found) return;
      // A frame's batch may run past the milestone: the run goes back to its instant.
      if (this.host.sim().now > found.time) this.host.seek(found.time);
      this.#show(found.k, found.hit, this.#focusInCard());
    });
  }

  #next() {
    const k = this.index + 1;
    const step = this.#steps[k];
    if (!step) return;
    if (this.waiting) {
      // Skip ahead: the engine runs instant by instant to the milestone.
      const hit = this.host.runUntil((events) => this.#find(events, k), FAST_FORWARD_MS);
      this.#show(k, hit ?? null, true);
      return;
    }
    if (step.run) this.#load(step.run);
    if (step.until === "now") return this.#show(k, null, true);
    this.#arm();
    this.waiting = true;
    this.host.play(true);
    this.#render(false);
  }

  /** The break-it verdict: the run goes on until it is quiet, then the quorums it formed. */
  #judge() {
    const sim = this.host.sim();
    this.host.runUntil((events) => {
      this.#find(events, -1);
      return null;
    }, VERDICT_MS);
    const snap = sim.snapshot(0);
    const faulty = faultyOf(snap);
    const broken = snap.violations.length > 0;
    const stopped = broken ? null : this.tracker.stopped(snap.n, faulty);
    this.verdict = { broken, stopped, faulty, violation: snap.violations[0] ?? null };
  }

  // ----- words and marks ------------------------------------------------------------

  #key(k = this.index) {
    return `tour.${this.chapter.id}.${this.#steps[k].id}`;
  }

  /** A step's words: values naming replicas become their names. */
  #vars(raw = {}) {
    const out = {};
    for (const [k, v] of Object.entries(raw)) {
      if (v && typeof v === "object" && "node" in v) out[k] = this.host.name(v.node);
      else if (v && typeof v === "object" && "nodes" in v) out[k] = v.nodes.map((x) => this.host.name(x)).join(this.t("tour.and"));
      else out[k] = v;
    }
    return out;
  }

  #stepVars(k = this.index) {
    const step = this.#steps[k];
    const n = this.host.sim()?.n ?? 4;
    const f = Math.floor((n - 1) / 3);
    const base = { n, f, q: 2 * f + 1 };
    if (step.verdict) return { ...base, ...this.#verdictVars() };
    return { ...base, ...(this.match && step.vars ? this.#vars(step.vars(this.match)) : {}) };
  }

  #verdictVars() {
    const v = this.verdict;
    if (!v) return {};
    const s = v.stopped;
    const faulty = v.faulty.length ? this.#vars({ x: { nodes: v.faulty } }).x : this.t("tour.nobody");
    if (v.broken) return { faulty };
    if (!s) return { faulty };
    return this.#vars({
      faulty: faulty,
      seq: s.seq,
      op: s.op ?? "",
      replica: { node: s.a.replica },
      members: { nodes: s.a.members },
      others: { nodes: s.b ? s.b.members : [] },
      other: { node: s.b?.replica ?? s.a.replica },
      support: s.rival ? s.rival.supporters.length : 0,
      supporters: { nodes: s.rival ? s.rival.supporters : [] },
      honest: { nodes: s.stoppers },
    });
  }

  /** The verdict's text key: broken, nothing committed, a rival stopped short, or two honest quorums. */
  #verdictKey() {
    const v = this.verdict;
    if (!v) return "tour.break-it.verdict.none";
    if (v.broken) return "tour.break-it.verdict.broken";
    if (!v.stopped) return "tour.break-it.verdict.none";
    return v.stopped.rival ? "tour.break-it.verdict.rival" : "tour.break-it.verdict.pair";
  }

  #focusSpec() {
    const step = this.#steps[this.index];
    let spec = null;
    if (step.verdict) {
      const s = this.verdict?.stopped;
      if (s) spec = { quorums: [s.a.members, s.b ? s.b.members : []], honest: s.stoppers, nodes: this.verdict.faulty };
      else if (this.verdict?.broken) spec = { badge: true };
    } else if (step.focus && this.match) spec = step.focus(this.match, { tracker: this.tracker });
    if (!spec) return null;
    return { ...spec, key: `${this.chapter.id}.${this.index}.${JSON.stringify(spec)}` };
  }

  // ----- the card ---------------------------------------------------------------------

  #focusInCard() {
    const active = this.slot?.getRootNode()?.activeElement;
    return !!active && !!this.card?.contains(active);
  }

  #build() {
    const t = this.t;
    this.heading = h("p", { class: "tour-chapter" });
    this.count = h("span", { class: "tour-count" });
    this.title = h("h3", { class: "tour-title", tabindex: "-1" });
    this.text = h("p", { class: "tour-text" });
    this.question = h("div", { class: "tour-question", role: "group" });
    this.extra = h("div", { class: "tour-extra" });
    this.status = h("p", { class: "tour-status", role: "status", "aria-live": "polite" });
    this.back = h("button", { type: "button", class: "secondary tour-back", text: t("tour.back"), title: t("tour.back.title"), onclick: () => this.#goto(this.index - 1) });
    this.nextButton = h("button", { type: "button", class: "primary tour-next", text: t("tour.next"), title: t("tour.next.title"), onclick: () => this.#next() });
    this.nextChapter = h("button", { type: "button", class: "primary tour-next-chapter", text: t("tour.nextChapter"), title: t("tour.nextChapter.title"), onclick: () => this.#openNextChapter() });
    this.menuButton = h("button", { type: "button", class: "secondary tour-menu", text: t("tour.chapters"), title: t("tour.chapters.title"), onclick: () => this.open("", null, true) });
    this.closeButton = h("button", { type: "button", class: "secondary small tour-close", "aria-label": t("tour.close"), title: t("tour.close.title"), text: "×", onclick: () => this.host.close() });
    this.list = h("ol", { class: "tour-list" });
    this.card = h(
      "section",
      { class: "tour", "aria-label": t("tour.label") },
      h("div", { class: "tour-head" }, this.heading, this.closeButton),
      this.list,
      this.title,
      this.text,
      this.question,
      this.extra,
      this.status,
      h("div", { class: "tour-nav" }, this.back, this.count, this.nextButton, this.nextChapter, this.menuButton),
    );
    this.slot.replaceChildren(this.card);
  }

  #openNextChapter() {
    const i = CHAPTERS.indexOf(this.chapter);
    this.open(CHAPTERS[(i + 1) % CHAPTERS.length].id, null, true);
  }

  #render(moveFocus) {
    if (!this.card) return;
    const t = this.t;
    const menu = !this.chapter;
    this.card.dataset.view = menu ? "menu" : "step";
    setFlag(this.list, "hidden", !menu);
    for (const el of [this.title, this.text, this.question, this.extra, this.status, this.back, this.count, this.nextButton, this.nextChapter, this.menuButton]) setFlag(el, "hidden", menu);
    if (menu) {
      setText(this.heading, t("tour.label"));
      this.list.replaceChildren(
        ...CHAPTERS.map((c, i) =>
          h(
            "li",
            {},
            h("button", { type: "button", class: "link tour-chapter-button", dataset: { chapter: c.id }, text: t("tour.chapterItem", { k: i + 1, title: t(`tour.${c.id}.title`) }), onclick: () => this.open(c.id, null, true) }),
            h("span", { class: "muted small", text: ` ${t(`tour.${c.id}.summary`)}` }),
          ),
        ),
      );
      if (moveFocus) this.list.querySelector("button")?.focus();
      return;
    }
    const steps = this.#steps;
    const k = this.index;
    const key = this.#key();
    const vars = this.#stepVars();
    const ci = CHAPTERS.indexOf(this.chapter);
    setText(this.heading, t("tour.chapterOf", { k: ci + 1, total: CHAPTERS.length, title: t(`tour.${this.chapter.id}.title`) }));
    setText(this.count, t("tour.stepOf", { k: k + 1, total: steps.length }));
    setText(this.title, t(`${key}.title`, vars));
    const step = steps[k];
    setText(this.text, t(step.verdict ? this.#verdictKey() : `${key}.text`, vars));
    this.card.dataset.step = step.id;
    this.card.dataset.try = String(step.id === "try");
    this.#renderQuestion(step, key, vars);
    this.#renderExtra(step);
    setFlag(this.back, "disabled", k === 0);
    const last = k === steps.length - 1;
    setFlag(this.nextButton, "hidden", last);
    setFlag(this.nextChapter, "hidden", !last);
    setText(this.nextButton, t(this.waiting ? "tour.skip" : "tour.next"));
    this.nextButton.title = t(this.waiting ? "tour.skip.title" : "tour.next.title");
    const next = steps[k + 1];
    setText(this.status, this.waiting && next ? t("tour.running", { title: t(`tour.${this.chapter.id}.${next.id}.title`, this.#stepVars(k)) }) : last ? t("tour.end") : "");
    if (moveFocus) {
      this.title.focus({ preventScroll: true });
      this.card.scrollIntoView?.({ block: "nearest" });
    }
  }

  #renderQuestion(step, key, vars) {
    const t = this.t;
    if (!step.q) {
      this.question.replaceChildren();
      setFlag(this.question, "hidden", true);
      return;
    }
    setFlag(this.question, "hidden", false);
    const [count, answer] = step.q;
    const picked = this.answers.get(this.index);
    const qid = `tour-q-${this.chapter.id}-${this.index}`;
    const label = h("p", { class: "tour-q", id: qid, text: t(`${key}.q`, vars) });
    this.question.setAttribute("aria-labelledby", qid);
    const choices = [];
    for (let i = 0; i < count; i++) {
      const state = picked === undefined ? "" : i === answer ? "right" : i === picked ? "wrong" : "";
      choices.push(
        h("button", {
          type: "button",
          class: `secondary tour-choice ${state}`,
          "aria-pressed": String(picked === i),
          dataset: { choice: String(i) },
          text: t(`${key}.c${i + 1}`, vars),
          onclick: () => this.#pick(i),
        }),
      );
    }
    const reveal = h("p", { class: "tour-answer", role: "status", "aria-live": "polite" });
    if (picked !== undefined) {
      reveal.dataset.right = String(picked === answer);
      reveal.append(h("strong", { text: t(picked === answer ? "tour.right" : "tour.wrong") }), " ", t(`${key}.a`, vars));
    }
    this.question.replaceChildren(label, h("div", { class: "tour-choices" }, choices), reveal);
  }

  #pick(i) {
    if (this.answers.has(this.index)) return;
    this.answers.set(this.index, i);
    this.#render(false);
    this.question.querySelector(`[data-choice="${i}"]`)?.focus();
  }

  /** "Break it yourself": a behaviour menu per replica (at most f faulty at once) and Send request. */
  #renderExtra(step) {
    const t = this.t;
    if (!step.controls) {
      this.extra.replaceChildren();
      setFlag(this.extra, "hidden", true);
      return;
    }
    setFlag(this.extra, "hidden", false);
    const snap = this.host.snapshot();
    const n = snap.n;
    const f = Math.floor((n - 1) / 3);
    const names = this.host.behaviors().map((b) => b.name);
    const note = h("p", { class: "tour-budget", role: "status", "aria-live": "polite" });
    const budget = () => setText(note, t("tour.budget", { used: faultyOf(this.host.snapshot()).length, f }));
    const menus = snap.replicas.map((r) => {
      const select = h(
        "select",
        {
          class: "tour-behavior",
          dataset: { replica: String(r.id) },
          "aria-label": t("behavior.label", { name: this.host.name(r.id) }),
          title: t("tour.behavior.title"),
          onchange: () => {
            const want = select.value;
            const others = faultyOf(this.host.snapshot()).filter((x) => x !== r.id);
            if (want !== "honest" && others.length >= f) {
              select.value = "honest";
              setText(note, t("tour.overBudget", { f }));
              return;
            }
            this.host.act((sim) => sim.setBehavior(r.id, want));
            budget();
          },
        },
        names.map((b) => h("option", { value: b, text: t(`behaviorName.${b}`), selected: b === r.behavior })),
      );
      return h("label", { class: "field" }, h("span", { class: "field-label", text: this.host.name(r.id) }), select);
    });
    let sent = 0;
    const send = h("button", {
      type: "button",
      class: "primary tour-send",
      text: t("tour.send"),
      title: t("tour.send.title"),
      onclick: () => {
        const op = OPS[sent++ % OPS.length];
        this.host.act((sim) => sim.request(op));
      },
    });
    this.extra.replaceChildren(h("div", { class: "tour-menus" }, menus), h("div", { class: "actions" }, send), note);
    budget();
  }
}
