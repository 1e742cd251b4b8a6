// Panels next to the canvases: replica cards (state, log with quorum counts, per-replica
// controls), the client, the event log in plain words, the message inspector, the list of
// messages in flight, the status strip with the safety badge, the legend and notices.
// Text is always set with textContent; the words come from describe.js and the i18n tables.
//
// Every panel has `section` (its DOM) and `update(view)`, where the element's view is
//   { snapshot,   sim.snapshot() (with the last entries of each `executed`)
//     history,    model.js History: messages, marks, the log's events
//     now,        the virtual time drawn (ms)
//     mode,       "running" | "quiet" | "idle" | "waiting" | "paused"
//     name,       (node) => the node's name
//     run,        { preset, n, seed, playing, speed, loss, load, delivery, now, max, skipQuiet } (controls.js)
//     manual,     manual delivery: you are the network (deliver messages, fire timers)
//     timers,     snapshot.pendingTimers: [{ node, timer, due }]
//     selection,  the inspected message, or null: { msg, live, fate, endAt, lost, cut, autoPaused }
//     selected, lost, actions, hint, still, theme, playing }  (what the ring and the diagram add)
// The element builds it (pbft-playground.js #view); ui.js hands it to every panel and canvas.
// A panel reads the view and never changes it; it calls back through the handlers it was given.

import { h, setAttr, setFlag, setText } from "./dom.js";
import { behaviorName, behaviorText, describeEvent, describeReason, describeViolation, dropText, isResend, timerText } from "./describe.js";
import { formatTime } from "./i18n.js";
import { kindTerm, phaseTerm } from "./glossary.js";
import { clusterView, currentEntry } from "./model.js";
import { KINDS, drawLegendGlyph, drawLostGlyph, drawRefusedGlyph, drawStateSwatch } from "./theme.js";

const LOG_LINES = 150;
const MAX_PIPS = 16;
/** From this many replicas on, each card is one line (its state and the current entry's votes) that opens to the whole card. */
export const COMPACT_CARDS = 10;

/**
 * Votes toward a threshold: a pip per vote (filled up to the threshold, lighter beyond it), or
 * a bar when there are more than MAX_PIPS of them. Updated in place.
 */
class Pips {
  constructor() {
    this.el = h("span", { class: "pips", "aria-hidden": "true" });
    this.key = "";
  }

  set(have, need) {
    const key = `${have}/${need}`;
    if (key === this.key) return;
    this.key = key;
    const total = Math.max(have, need);
    if (total > MAX_PIPS) {
      // A bar: the votes' share of the threshold (CSSOM, not a style attribute: fine under a strict CSP).
      if (!this.fill) {
        this.fill = h("span", { class: "fill" });
        this.el.replaceChildren(this.fill);
        this.el.className = "pips bar";
      }
      this.el.style.setProperty("--share", String(Math.min(1, have / Math.max(1, need))));
      setFlag(this.el, "data-met", have >= need);
      return;
    }
    if (this.fill) {
      this.fill = null;
      this.el.replaceChildren();
      this.el.className = "pips";
      this.el.style.removeProperty("--share");
      this.el.removeAttribute("data-met");
    }
    while (this.el.childElementCount < total) this.el.append(h("span", { class: "pip" }));
    while (this.el.childElementCount > total) this.el.lastElementChild.remove();
    let i = 0;
    for (const pip of this.el.children) {
      const cls = i < have ? (i < need ? "pip on" : "pip extra") : "pip";
      if (pip.className !== cls) pip.className = cls;
      i++;
    }
  }
}

function pips(have, need) {
  const p = new Pips();
  p.set(have, need);
  return p.el;
}

/** One entry of a replica's log (sequence number, operation, phase, votes), updated in place. */
class EntryRow {
  constructor(t, g) {
    this.t = t;
    this.g = g;
    this.seq = g ? g.term("seq", "", "span", false) : h("span", {});
    this.seq.classList.add("seq");
    this.op = h("span", { class: "op" });
    this.chip = g ? g.term("pre-prepared", "", "span", false) : h("span", {});
    this.chip.classList.add("chip");
    this.pText = h("span", {});
    this.cText = h("span", {});
    this.pPips = new Pips();
    this.cPips = new Pips();
    this.p = h("span", { class: "votes" }, this.pText, this.pPips.el);
    this.c = h("span", { class: "votes" }, this.cText, this.cPips.el);
    this.li = h("li", { class: "entry" }, this.seq, this.op, this.chip, this.p, this.c);
  }

  update(e) {
    const t = this.t;
    const cls = `entry phase-${e.phase}`;
    if (this.li.className !== cls) this.li.className = cls;
    setText(this.seq, t("log.entry", { seq: e.seq }));
    const op = e.op ?? t("log.op.null");
    setText(this.op, op);
    setAttr(this.op, "title", op);
    const chip = `chip phase-${e.phase} term`;
    if (this.chip.className !== chip) this.chip.className = chip;
    if (this.g) this.g.retarget(this.chip, phaseTerm(e.phase), false);
    setText(this.chip, t(`phase.${e.phase}`));
    setFlag(this.p, "data-met", e.prepares >= e.preparesNeeded);
    setText(this.pText, t("votes.prepare", { have: e.prepares, need: e.preparesNeeded }));
    this.pPips.set(e.prepares, e.preparesNeeded);
    setFlag(this.c, "data-met", e.commits >= e.commitsNeeded);
    setText(this.cText, t("votes.commit", { have: e.commits, need: e.commitsNeeded }));
    this.cPips.set(e.commits, e.commitsNeeded);
  }
}

// ---------------------------------------------------------------------------

export class ReplicaPanel {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {{ crash(i: number): void, recover(i: number): void, behavior(i: number, b: string): void, isolate(i: number): void }} on
   * @param {{name: string, description: string}[]} behaviors
   * @param {import("./glossary.js").Glossary | null} [g]  marks the PBFT words as glossary terms
   */
  constructor(t, on, behaviors, g = null) {
    this.t = t;
    this.g = g;
    this.on = on;
    this.behaviors = behaviors;
    this.root = h("div", { class: "replica-grid" });
    this.cards = [];
    /** One line per card, each opening to the whole card (many replicas). */
    this.compact = false;
    this.snapshot = null;
    this.section = h("section", { class: "panel replicas", "aria-labelledby": "replicas-title" }, h("h2", { id: "replicas-title", text: t("replicas.title") }), this.root);
  }

  #card(i, compact) {
    const t = this.t;
    const g = this.g;
    // The tags of a closed one-line card sit in its <summary>: there they are not focusable terms.
    const tag = (cls, id, text = "") => {
      const el = h("span", { class: `tag ${cls}`, text });
      if (g && !compact) g.mark(el, id);
      return el;
    };
    const c = {};
    c.name = h("h3", { class: "name" });
    c.role = tag("role", "primary");
    c.state = tag("state", "crash");
    c.iso = tag("iso", "partition", t("isolated"));
    const fact = (label, id) => {
      const dd = h("dd");
      const dt = h("dt", {}, g ? g.term(id, label) : label);
      return [h("div", {}, dt, dd), dd];
    };
    const [fView, dView] = fact(t("field.view"), "view");
    const [fStatus, dStatus] = fact(t("field.status"), "status");
    const [fExec, dExec] = fact(t("field.executed"), "last-executed");
    const [fCkpt, dCkpt] = fact(t("field.checkpoint"), "stable-checkpoint");
    const [fWm, dWm] = fact(t("field.watermarks"), "watermarks");
    Object.assign(c, { dView, dStatus, dExec, dCkpt, dWm });
    c.log = h("ol", { class: "log" });
    c.rows = [];
    c.crash = h("button", { type: "button", class: "secondary small", title: t("crash.title"), onclick: () => (c.up ? this.on.crash(i) : this.on.recover(i)) });
    // A toggle: pressed while the replica is cut off, and then its label is the way back.
    c.isolate = h("button", { type: "button", class: "secondary small toggle", "aria-pressed": "false", text: t("isolate"), title: t("isolate.title"), onclick: () => this.on.isolate(i) });
    c.behavior = h(
      "select",
      { class: "small", title: t("behaviorMenu.title"), onchange: () => this.on.behavior(i, c.behavior.value) },
      this.behaviors.map((b) => h("option", { value: b.name, text: behaviorName(t, b.name), title: behaviorText(t, b) })),
    );
    const body = [h("dl", { class: "facts" }, fView, fStatus, fExec, fCkpt, fWm), c.log, h("div", { class: "actions" }, c.crash, c.isolate, c.behavior)];
    if (compact) {
      // A line that tells the state and the current entry's votes; opening it shows the whole card.
      c.brief = h("span", { class: "brief" });
      c.current = h("span", { class: "current" });
      c.root = h(
        "details",
        { class: "replica compact" },
        h("summary", {}, h("span", { class: "head" }, c.name, c.role, c.state, c.iso), c.brief, c.current),
        h("div", { class: "card-body" }, ...body),
      );
      c.root.addEventListener("toggle", () => {
        c.key = "";
        if (c.root.open && this.snapshot) this.#update(c, this.snapshot.replicas[i], this.snapshot);
      });
    } else {
      c.root = h("article", { class: "replica" }, h("header", {}, c.name, c.role, c.state, c.iso), ...body);
    }
    c.up = true;
    c.key = "";
    return c;
  }

  /** Rebuilds the cards for `n` replicas (one line each from COMPACT_CARDS replicas on). */
  build(n) {
    this.compact = n >= COMPACT_CARDS;
    this.root.replaceChildren();
    this.cards = [];
    for (let i = 0; i < n; i++) {
      const c = this.#card(i, this.compact);
      this.cards.push(c);
      this.root.append(c.root);
    }
    this.root.dataset.n = String(n);
    setFlag(this.root, "data-compact", this.compact);
  }

  update({ snapshot }) {
    if (this.cards.length !== snapshot.n) this.build(snapshot.n);
    this.snapshot = snapshot;
    for (const rep of snapshot.replicas) this.#update(this.cards[rep.id], rep, snapshot);
  }

  /** One card; nothing is touched when nothing it shows changed (a closed card: only its line). */
  #update(c, rep, snapshot) {
    const t = this.t;
    const isolated = (snapshot.partition[rep.id] ?? 0) !== 0;
    const open = !this.compact || c.root.open;
    const entries = rep.log.slice(-4);
    const entry = this.compact ? currentEntry(rep) : null;
    const key = JSON.stringify([open, isolated, rep.name, rep.up, rep.behavior, rep.isPrimary, rep.status, rep.view, rep.lastExecuted, rep.stableCheckpoint, open ? [rep.lowWatermark, rep.highWatermark, entries] : entry]);
    c.up = rep.up;
    if (key === c.key) return;
    c.key = key;
    const state = !rep.up ? "crashed" : rep.behavior !== "honest" ? "byzantine" : rep.isPrimary ? "primary" : "backup";
    setAttr(c.root, "data-state", state);
    setFlag(c.root, "data-isolated", isolated);
    setText(c.name, rep.name);
    setText(c.role, rep.isPrimary ? t("role.primary") : t("role.backup"));
    setFlag(c.role, "hidden", !rep.isPrimary);
    const stateText = !rep.up ? t("crashed") : rep.behavior !== "honest" ? behaviorName(t, rep.behavior) : "";
    setText(c.state, stateText);
    if (this.g && !this.compact) this.g.retarget(c.state, !rep.up ? "crash" : rep.behavior === "equivocate" ? "equivocate" : "byzantine");
    setFlag(c.state, "hidden", !stateText);
    setFlag(c.iso, "hidden", !isolated);
    if (this.compact) {
      setText(c.brief, t("card.brief", { view: rep.view, exec: rep.lastExecuted, ckpt: rep.stableCheckpoint }));
      setText(
        c.current,
        entry && rep.up ? `${t("log.entry", { seq: entry.seq })} ${t(`phase.${entry.phase}`)} · ${t("quorum.short", { p: entry.prepares, pn: entry.preparesNeeded, c: entry.commits, cn: entry.commitsNeeded })}` : "",
      );
      if (!open) return;
    }
    setText(c.dView, rep.view);
    setText(c.dStatus, !rep.up ? t("status.down") : t(`status.${rep.status}`));
    setText(c.dExec, rep.lastExecuted);
    setText(c.dCkpt, rep.stableCheckpoint);
    setText(c.dWm, t("field.watermarks.value", { low: rep.lowWatermark, high: rep.highWatermark }));
    setText(c.crash, rep.up ? t("crash") : t("recover"));
    setAttr(c.crash, "aria-label", rep.up ? t("crash.label", { name: rep.name }) : t("recover.label", { name: rep.name }));
    setAttr(c.crash, "title", rep.up ? t("crash.title") : t("recover.title"));
    setText(c.isolate, isolated ? t("isolate.undo") : t("isolate"));
    setAttr(c.isolate, "aria-label", isolated ? t("isolate.undo.label", { name: rep.name }) : t("isolate.label", { name: rep.name }));
    setAttr(c.isolate, "title", isolated ? t("isolate.undo.title") : t("isolate.title"));
    setAttr(c.isolate, "aria-pressed", isolated ? "true" : "false");
    setAttr(c.behavior, "aria-label", t("behavior.label", { name: rep.name }));
    if (c.behavior.value !== rep.behavior && c.behavior !== c.behavior.getRootNode().activeElement) c.behavior.value = rep.behavior;
    // The log: the most recent entries with their votes, each row updated in place.
    if (entries.length === 0) {
      if (c.rows.length || !c.log.firstElementChild) {
        c.rows = [];
        c.log.replaceChildren(h("li", { class: "empty", text: t("log.none") }));
      }
      return;
    }
    if (c.rows.length === 0) c.log.replaceChildren();
    while (c.rows.length < entries.length) {
      const row = new EntryRow(t, this.g);
      c.rows.push(row);
      c.log.append(row.li);
    }
    while (c.rows.length > entries.length) c.rows.pop().li.remove();
    entries.forEach((e, k) => c.rows[k].update(e));
  }
}

// ---------------------------------------------------------------------------

/**
 * What the client panel shows, as a string that changes whenever the panel must be drawn again.
 * It counts accepted results with `acceptedCount`: the snapshot keeps only the latest 64 of them
 * (`accepted`), so their number stops changing once there are 64.
 */
export function clientKey(snapshot) {
  const c = snapshot.client;
  return JSON.stringify([c.view, c.outstanding, c.acceptedCount ?? c.accepted.length, snapshot.replicas.map((r) => r.name)]);
}

export class ClientPanel {
  constructor(t, g = null) {
    this.t = t;
    this.g = g;
    this.view = h("span", { class: "muted" });
    this.outstanding = h("ul", { class: "requests" });
    this.accepted = h("ol", { class: "requests accepted" });
    this.key = "";
    this.section = h(
      "section",
      { class: "panel client", "aria-labelledby": "client-title" },
      h("h2", { id: "client-title" }, g ? g.term("client", t("client.title")) : h("span", { text: t("client.title") }), " ", this.view),
      h("h3", { text: t("client.outstanding") }),
      this.outstanding,
      h("h3", { text: t("client.accepted") }),
      this.accepted,
    );
  }

  /** A line marked as a glossary term (hover and tap; not a tab stop of its own). */
  #term(id, text) {
    return this.g ? this.g.term(id, text, "span", false) : h("span", { text });
  }

  update({ snapshot, name }) {
    const t = this.t;
    const c = snapshot.client;
    const key = clientKey(snapshot);
    if (key === this.key) return;
    this.key = key;
    setText(this.view, t("client.view", { view: c.view }));
    // The requests in progress change with every reply; the accepted ones only when one is accepted.
    const some = (c.acceptedCount ?? c.accepted.length) > 0;
    const outKey = JSON.stringify([c.outstanding, some]);
    if (outKey !== this.outKey) {
      this.outKey = outKey;
      this.outstanding.replaceChildren(
        ...(c.outstanding.length
          ? c.outstanding.map((o) =>
              h(
                "li",
                { class: o.matching >= o.needed ? "met" : "" },
                this.#term("replies", t("client.replies", { timestamp: o.timestamp, op: o.op, matching: o.matching, needed: o.needed })),
                pips(o.matching, o.needed),
              ),
            )
          : [h("li", { class: "empty", text: t(some ? "client.noneWaiting" : "client.none") })]),
      );
    }
    const accKey = JSON.stringify([c.acceptedCount ?? c.accepted.length, snapshot.replicas.map((r) => r.name)]);
    if (accKey === this.accKey) return;
    this.accKey = accKey;
    const acc = c.accepted.slice(-6).reverse();
    this.accepted.replaceChildren(
      ...(acc.length
        ? acc.map((a) => h("li", { text: t("client.accepted.item", { timestamp: a.timestamp, op: a.op, result: a.result, view: a.view, from: a.replicas.map(name).join(", ") }) }))
        : [h("li", { class: "empty", text: "–" })]),
    );
  }
}

// ---------------------------------------------------------------------------

export class EventLog {
  constructor(t, onToggle) {
    this.t = t;
    this.all = h("input", { type: "checkbox", title: t("log.all.title"), onchange: () => onToggle(this.all.checked) });
    this.list = h("ol", { class: "events", "aria-live": "off" });
    this.version = -1;
    /** The list shown (history.log or history.logAll) and its newest event drawn, to add only what is new. */
    this.src = null;
    this.newest = null;
    this.section = h(
      "section",
      { class: "panel log-panel", "aria-labelledby": "log-title" },
      h("div", { class: "panel-head" }, h("h2", { id: "log-title", text: t("log.title") }), h("label", { class: "check", title: t("log.all.title") }, this.all, h("span", { text: t("log.all") }))),
      this.list,
    );
  }

  #item(e, name, n) {
    const cls = e.type === "violation" ? "bad" : e.type === "accepted" ? "good" : e.type === "fault" || e.type === "dropped" ? "warn" : e.type === "view-changed" || e.type === "view-change-started" ? "view-event" : e.type === "rejected" && !isResend(e.reason) ? "refused" : "";
    return h("li", { class: cls }, h("time", { text: formatTime(e.time) }), h("span", { text: describeEvent(e, this.t, name, n) }));
  }

  /**
   * Newest first; only when the history's log changed (or `force`). The log only grows while a
   * run goes on: the lines of the events that are new since the last update are put on top and
   * the oldest beyond LOG_LINES taken off; the list is built again only when the history was
   * rebuilt (a seek back, a new run) or the other list was chosen.
   */
  update({ history, snapshot, name }, force = false) {
    const t = this.t;
    if (!force && history.logVersion === this.version) return;
    this.version = history.logVersion;
    const src = this.all.checked ? history.logAll : history.log;
    const n = snapshot?.n ?? 0;
    let from = -1; // index in src of the newest line shown
    if (!force && src === this.src && this.newest !== null) {
      for (let i = src.length - 1; i >= 0 && src.length - i <= LOG_LINES + 1; i--) {
        if (src[i] === this.newest) {
          from = i;
          break;
        }
      }
    }
    this.src = src;
    this.newest = src.at(-1) ?? null;
    if (from >= 0 && this.list.firstElementChild?.classList.contains("empty") === false) {
      if (from === src.length - 1) return;
      const fresh = document.createDocumentFragment();
      for (let i = src.length - 1; i > from; i--) fresh.append(this.#item(src[i], name, n));
      this.list.prepend(fresh);
      while (this.list.childElementCount > LOG_LINES) this.list.lastElementChild.remove();
      return;
    }
    const items = [];
    for (let i = src.length - 1; i >= 0 && items.length < LOG_LINES; i--) items.push(this.#item(src[i], name, n));
    if (items.length === 0) items.push(h("li", { class: "empty", text: t("log.empty") }));
    this.list.replaceChildren(...items);
  }
}

// ---------------------------------------------------------------------------

export class Inspector {
  constructor(t, on, g = null) {
    this.t = t;
    this.g = g;
    this.title = h("h2", {});
    this.titleText = h("span", {});
    this.titleKind = g ? g.term("request", "") : h("span", {});
    this.title.append(this.titleText, this.titleKind);
    // The label's abbreviations spelled out, each field name a glossary term.
    this.fields = h("dl", { class: "fields", "aria-label": t("inspector.fields") });
    this.route = h("span", { class: "route" });
    this.timing = h("span", { class: "muted" });
    this.label = h("code", { class: "label", title: t("inspector.label.title") });
    this.detail = h("pre", { class: "detail" });
    this.note = h("p", { class: "note" });
    this.refusal = h("p", { class: "note refused", hidden: true });
    this.paused = h("span", { class: "muted small", text: t("inspector.paused") });
    this.deliver = h("button", { type: "button", class: "primary deliver", text: t("inspector.deliver"), title: t("inspector.deliver.title"), hidden: true, onclick: () => on.deliver(this.id) });
    this.drop = h("button", { type: "button", class: "danger", text: t("inspector.drop"), title: t("inspector.drop.title"), onclick: () => on.drop(this.id) });
    this.close = h("button", { type: "button", class: "secondary", text: t("inspector.close"), title: t("inspector.close.title"), onclick: () => on.close() });
    this.swatch = h("canvas", { class: "swatch", width: 16, height: 16, "aria-hidden": "true" });
    this.section = h(
      "section",
      { class: "inspector", hidden: true, "aria-live": "polite", "aria-labelledby": "inspector-title" },
      h("div", { class: "inspector-head" }, this.swatch, this.title, this.route),
      this.fields,
      this.detail,
      h("p", { class: "meta" }, this.label, this.timing),
      this.note,
      this.refusal,
      h("div", { class: "actions" }, this.deliver, this.drop, this.close, this.paused),
    );
    this.title.id = "inspector-title";
    this.id = null;
  }

  /** The message's fields in words: kind, view, sequence number, digest, timestamp, sender, receiver. */
  #fields(m, name) {
    const t = this.t;
    const key = `${m.id}|${m.kind}|${m.view}|${m.seq}|${m.digest}|${m.timestamp}|${name(m.from)}|${name(m.to)}`;
    if (key === this.fieldsKey) return;
    this.fieldsKey = key;
    const rows = [];
    const row = (label, id, value) => {
      const dt = h("dt", {}, this.g && id ? this.g.term(id, label) : label);
      rows.push(h("div", {}, dt, h("dd", { text: value })));
    };
    row(t("inspector.field.kind"), kindTerm(m.kind), m.kind.toUpperCase());
    if (m.view !== null && m.view !== undefined) row(t("inspector.field.view"), "view", `v${m.view}`);
    if (m.seq !== null && m.seq !== undefined) row(t("inspector.field.seq"), "seq", `n${m.seq}`);
    if (m.digest) row(t("inspector.field.digest"), "digest", m.digest);
    if (m.timestamp !== null && m.timestamp !== undefined) row(t("inspector.field.timestamp"), "timestamp", `t${m.timestamp}`);
    row(t("inspector.field.from"), m.from < 0 ? "client" : "replica", name(m.from));
    row(t("inspector.field.to"), m.to < 0 ? "client" : "replica", name(m.to));
    this.fields.replaceChildren(...rows);
  }

  /**
   * Shows `view.selection` ({ msg (in-flight entry or history record), live, fate, endAt, refusal, lost, cut, autoPaused }), or hides;
   * in manual delivery a message in flight can be delivered from here (`view.manual`).
   */
  update({ selection: info, name, manual = false, now = 0 }) {
    const t = this.t;
    if (!info) {
      this.section.hidden = true;
      this.id = null;
      return;
    }
    const m = info.msg;
    this.id = m.id;
    this.section.hidden = false;
    drawLegendGlyph(this.swatch, m.kind, 16);
    // "Message 12 · PRE-PREPARE", the kind a glossary term.
    const [before, after = ""] = t("inspector.title", { id: m.id, kind: "\u0000" }).split("\u0000");
    setText(this.titleText, before);
    setText(this.titleKind, m.kind.toUpperCase() + after);
    if (this.g) this.g.retarget(this.titleKind, kindTerm(m.kind));
    this.#fields(m, name);
    setText(this.route, t("inspector.route", { from: name(m.from), to: name(m.to) }));
    setText(this.label, m.label);
    setText(this.detail, m.detail ?? "");
    setFlag(this.detail, "hidden", !m.detail);
    const timing = manual && info.live ? "inspector.timing.manual" : "inspector.timing";
    setText(this.timing, t(timing, { sent: formatTime(m.sentAt), arrives: formatTime(m.deliverAt) }));
    let note = "";
    if (info.refusal) {
      // Delivered, then refused: the refusal (below) says when and why.
    } else if (!info.live) {
      note = info.fate === "delivered" ? t("inspector.gone.delivered", { t: formatTime(info.endAt) }) : t("inspector.gone.dropped", { t: formatTime(info.endAt), reason: dropText(t, info.fate) });
    } else if (info.lost) note = t("inspector.lost");
    else if (info.cut) note = t("inspector.cut");
    const waiting = !note && !info.refusal && info.live && manual && now >= m.deliverAt;
    if (waiting) note = t("inspector.waiting", { to: name(m.to) });
    // A message that arrived and failed a check: the check, in words.
    const r = info.refusal;
    setText(this.refusal, r ? t(isResend(r.reason) ? "inspector.ignored" : "inspector.refused", { node: name(r.node), t: formatTime(r.time), reason: describeReason(r.reason, t, name) }) : "");
    setFlag(this.refusal, "hidden", !r);
    this.refusal.classList.toggle("refused", !!r && !isResend(r.reason));
    this.refusal.classList.toggle("ignored", !!r && isResend(r.reason));
    setText(this.note, note);
    setFlag(this.note, "hidden", !note);
    this.note.classList.toggle("waiting", waiting);
    setFlag(this.paused, "hidden", !info.autoPaused || (manual && info.live));
    this.drop.disabled = !info.live;
    setFlag(this.deliver, "hidden", !(manual && info.live));
  }
}

/**
 * A list of the messages in flight as buttons (the keyboard way to pick one). In manual delivery
 * ("you are the network") each message has a Deliver button, and the timers running are listed
 * with a Fire button each; the list opens when manual delivery starts.
 */
export class InFlightList {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {{ pick(id: number): void, deliver(id: number): void, fire(node: number, timer: string): void }} on
   */
  constructor(t, on) {
    this.t = t;
    this.on = on;
    this.summary = h("summary", {});
    this.list = h("ul", { class: "inflight" });
    this.timersTitle = h("h3", { class: "timers-title", text: t("timers.title"), hidden: true });
    this.timers = h("ul", { class: "inflight timers", hidden: true });
    this.section = h("details", { class: "inflight-list" }, this.summary, this.list, this.timersTitle, this.timers);
    this.key = "";
    this.manual = false;
  }

  update({ history, now, name, manual = false, timers = [], lost = new Set(), snapshot }) {
    const t = this.t;
    const live = [...history.live.values()].filter((m) => m.sentAt <= now);
    if (manual !== this.manual) {
      // Manual delivery starts: this list is how you play it from the keyboard.
      if (manual) this.section.open = true;
      this.manual = manual;
      this.section.dataset.manual = String(manual);
    }
    setText(this.summary, manual ? t("inflight.list.manual", { count: live.length, timers: timers.length }) : t("inflight.list", { count: live.length }));
    if (!this.section.open) return;
    const group = (node) => (node < 0 ? 0 : snapshot?.partition[node] ?? 0);
    const doomed = (m) => lost.has(m.id) || group(m.from) !== group(m.to);
    const key = `${manual}|${live.map((m) => (manual && doomed(m) ? `${m.id}x` : m.id)).join(",")}|${manual ? timers.map((x) => `${x.node}:${x.timer}:${x.due}`).join(",") : ""}`;
    if (key === this.key) return;
    this.key = key;
    // A Deliver or Fire button that had the focus goes away with its message: the focus moves to
    // the button now at its place (the next message's), so the keyboard can go on delivering.
    const active = this.section.getRootNode().activeElement;
    const focused = active && this.section.contains(active) && active.tagName === "BUTTON" ? active : null;
    const focusList = focused?.closest("ul");
    const focusAt = focused ? [...focusList.children].indexOf(focused.closest("li")) : -1;
    const focusClass = focused?.classList.contains("deliver") ? "deliver" : focused?.classList.contains("fire") ? "fire" : focused ? "link" : null;
    const shown = live.slice(0, 60);
    const items = shown.map((m) => {
      const text = t("inflight.item", { id: m.id, from: name(m.from), to: name(m.to), label: m.label });
      const pick = h("button", { type: "button", class: "link", title: t("inflight.pick.title"), onclick: () => this.on.pick(m.id), text });
      if (!manual) return h("li", {}, pick);
      const label = t("inflight.deliver.label", { id: m.id, kind: m.kind.toUpperCase(), from: name(m.from), to: name(m.to) });
      const deliver = h("button", { type: "button", class: "secondary small deliver", text: t("inflight.deliver"), "aria-label": label, title: t("inflight.deliver.title"), onclick: () => this.on.deliver(m.id) });
      const note = doomed(m) ? h("span", { class: "muted small doomed", text: t("inflight.doomed") }) : null;
      return h("li", { class: "pickable" }, deliver, pick, note);
    });
    if (live.length > shown.length) items.push(h("li", { class: "muted", text: t("inflight.more", { count: live.length - shown.length }) }));
    if (live.length === 0) items.push(h("li", { class: "muted", text: t("inflight.none") }));
    this.list.replaceChildren(...items);
    setFlag(this.timersTitle, "hidden", !manual);
    setFlag(this.timers, "hidden", !manual);
    if (!manual) {
      if (focused && !focused.isConnected) (this.list.querySelector("button") ?? this.summary).focus();
      return;
    }
    const rows = timers.map((x) => {
      const who = name(x.node);
      const timer = timerText(t, x.timer);
      const fire = h("button", { type: "button", class: "secondary small fire", text: t("timers.fire"), "aria-label": t("timers.fire.label", { timer, node: who }), title: t("timers.fire.title"), onclick: () => this.on.fire(x.node, x.timer) });
      return h("li", { class: "pickable" }, fire, h("span", { text: t("timers.item", { node: who, timer, due: formatTime(x.due) }) }));
    });
    if (rows.length === 0) rows.push(h("li", { class: "muted", text: t("timers.none") }));
    this.timers.replaceChildren(...rows);
    if (focused && !focused.isConnected) {
      const list = focusList === this.timers ? this.timers : this.list;
      const buttons = [...list.querySelectorAll(`button.${focusClass}`)];
      const next = buttons[Math.min(focusAt, buttons.length - 1)] ?? list.querySelector("button") ?? this.summary;
      next.focus();
    }
  }
}

// ---------------------------------------------------------------------------

export class StatusStrip {
  constructor(t, g = null) {
    this.t = t;
    const term = (el, id) => (g ? g.mark(el, id) : el);
    this.view = term(h("span", { class: "stat stat-view" }), "view");
    this.primaryName = term(h("span", {}), "primary");
    this.changing = term(h("span", { hidden: true }), "view-change");
    this.primary = h("span", { class: "stat" }, this.primaryName, this.changing);
    // "n = 4, f = 1, quorum 3": each a glossary term.
    this.n = term(h("span", {}), "n");
    this.f = term(h("span", {}), "f");
    this.q = term(h("span", {}), "quorum");
    this.fq = h("span", { class: "stat muted" }, this.n, t("status.sep"), this.f, t("status.sep"), this.q);
    this.mode = h("span", { class: "stat mode" });
    this.badge = h("p", { class: "safety", role: "status", "aria-live": "polite" });
    this.badgeIcon = h("span", { class: "icon", "aria-hidden": "true" });
    this.badgeText = term(h("span", {}), "safety");
    this.badge.append(this.badgeIcon, this.badgeText);
    this.stats = h("div", { class: "stats" }, this.view, this.primary, this.fq, this.mode);
    this.section = h("div", { class: "status" }, this.stats, this.badge);
  }

  update({ snapshot, history, mode, name: nameOf }) {
    const t = this.t;
    const { view, changing } = snapshot.cluster ?? clusterView(snapshot);
    setText(this.view, t("status.view", { view }));
    const name = snapshot.replicas[view % snapshot.n]?.name ?? "";
    setText(this.primaryName, t("status.primary", { name }));
    setText(this.changing, changing === null ? "" : ` · ${t("status.changing", { view: changing })}`);
    setFlag(this.changing, "hidden", changing === null);
    setText(this.n, t("status.n", { n: snapshot.n }));
    setText(this.f, t("status.f", { f: snapshot.f }));
    // The quorum in force: the commits a request needs (the paper's 2f + 1, or the naive rule's
    // "more than n/3", which the cards count against too).
    setText(this.q, t("status.q", { q: snapshot.commitsNeeded }));
    setText(this.mode, t(`status.${mode}`));
    setAttr(this.mode, "data-mode", mode);
    const bad = snapshot.violations.length > 0;
    setAttr(this.badge, "data-ok", bad ? "false" : "true");
    setText(this.badgeIcon, bad ? "✕" : "✓");
    if (bad) {
      const last = history.violations.at(-1)?.violation ?? snapshot.violations.at(-1);
      const description = describeViolation(last, t, nameOf);
      setText(this.badgeText, t("safety.bad", { description }));
      this.badge.removeAttribute("title");
    } else {
      setText(this.badgeText, t("safety.ok"));
      setAttr(this.badge, "title", t("safety.ok.title"));
    }
  }
}

// ---------------------------------------------------------------------------

/** The legend: a glyph (colour + shape) per message kind, plus "lost" and "refused". */
export function buildLegend(t, g = null) {
  const items = KINDS.map((kind) => {
    const c = h("canvas", { width: 16, height: 16, "aria-hidden": "true" });
    drawLegendGlyph(c, kind, 16);
    const id = kindTerm(kind);
    return h("li", { dataset: { kind } }, c, g && id ? g.term(id, t(`band.${kind}`)) : h("span", { text: t(`band.${kind}`) }));
  });
  const lost = h("canvas", { width: 16, height: 16, "aria-hidden": "true" });
  drawLostGlyph(lost, 16);
  items.push(h("li", {}, lost, h("span", { text: t("legend.lost") })));
  const refused = h("canvas", { width: 16, height: 16, "aria-hidden": "true" });
  drawRefusedGlyph(refused, 16);
  items.push(h("li", { dataset: { mark: "refused" } }, refused, h("span", { text: t("legend.refused") })));
  // Every other visual: the states of a node on the ring, its glows, the styles of a lane.
  const states = ["primary", "view-change", "isolated", "crashed", "byzantine", "glow-executed", "glow-view", "glow-checkpoint", "lane-crashed", "lane-byzantine", "lane-isolated"].map((what) => {
    const c = h("canvas", { width: 24, height: 16, "aria-hidden": "true", class: "swatch" });
    drawStateSwatch(c, what, 16);
    return h("li", { dataset: { state: what } }, c, h("span", { text: t(`legend.${what}`) }));
  });
  return h(
    "figure",
    { class: "legend" },
    h("figcaption", { class: "visually-hidden", text: t("legend") }),
    h("ul", { "aria-label": t("legend") }, items),
    h("ul", { class: "legend-states", "aria-label": t("legend.states") }, states),
  );
}

/** Polite notices (bad URL parameters, refused actions), each dismissible. */
export class Notices {
  constructor(t) {
    this.t = t;
    this.section = h("div", { class: "notices", role: "status", "aria-live": "polite" });
  }

  /**
   * Shows a notice; `text` may be an array of lines. `action` ({ label, title, run }) adds a
   * button that runs it and hides the notice (Undo).
   */
  add(text, kind = "info", action = null) {
    const lines = Array.isArray(text) ? text : [text];
    const body = h("span", { class: "notice-text" }, lines.map((line) => h("span", { class: "line", text: line })));
    const dismiss = h("button", { type: "button", class: "link", text: this.t("notice.dismiss"), title: this.t("notice.dismiss.title"), onclick: () => item.remove() });
    const act = action && h("button", { type: "button", class: "link notice-action", text: action.label, title: action.title, onclick: () => (item.remove(), action.run()) });
    const item = h("div", { class: `notice ${kind}` }, body, ...(act ? [act] : []), dismiss);
    this.section.append(item);
    while (this.section.children.length > 4) this.section.firstElementChild.remove();
    return item;
  }

  clear() {
    this.section.replaceChildren();
  }
}

