// The narration: what happens, in words, for screen readers (an aria-live region) and as a
// caption under the ring. Throttled: at most one sentence every INTERVAL_MS of wall time, the
// most important of those waiting; individual messages are never narrated, only milestones
// (the first replica to prepare / commit / execute a sequence number, a view change ...).

import { describeFault } from "./panels.js";

const INTERVAL_MS = 2200;
const MAX_QUEUE = 12;

/** Importance of each milestone (higher wins when several wait). */
const PRIORITY = {
  violation: 9,
  accepted: 6,
  "view-changed": 6,
  "view-change-started": 5,
  fault: 5,
  "state-transferred": 4,
  "checkpoint-stable": 3,
  retransmitted: 3,
  submitted: 3,
  executed: 2,
  committed: 2,
  prepared: 1,
  "pre-prepared": 1,
};

export class Narrator {
  /**
   * @param {HTMLElement} region  an aria-live="polite" element; its text is replaced per sentence
   * @param {(k: string, v?: object) => string} t
   */
  constructor(region, t) {
    this.region = region;
    this.t = t;
    this.queue = [];
    this.seen = new Set();
    this.lastAt = -Infinity;
    this.count = 0;
  }

  /** Forgets everything (a new run, a jump in time). */
  reset(text = "") {
    this.queue = [];
    this.seen.clear();
    this.region.textContent = text;
  }

  /** Drops what waits (after a seek), keeping what was already said as seen. */
  skip() {
    this.queue = [];
  }

  /**
   * Considers new events (in order).
   * @param {object[]} events
   * @param {(node: number) => string} name
   * @param {number} n  replica count
   */
  feed(events, name, n) {
    const t = this.t;
    for (const e of events) {
      let key = null;
      let kind = e.type;
      let text = null;
      switch (e.type) {
        case "submitted":
          key = `s${e.client}:${e.timestamp}`;
          text = t("say.submitted", { op: e.op, timestamp: e.timestamp });
          break;
        case "phase":
          if (e.phase === "executed") break;
          kind = e.phase;
          key = `${e.phase}:${e.view}:${e.seq}`;
          if (e.phase === "pre-prepared") {
            if (n === 0 || e.view % n !== e.replica) break; // the primary's assignment only
            text = t("say.pre-prepared", { replica: name(e.replica), seq: e.seq, view: e.view });
          } else text = t(`say.${e.phase}`, { replica: name(e.replica), seq: e.seq });
          break;
        case "executed":
          key = `x${e.seq}`;
          text = e.op == null ? t("say.executed.null", { replica: name(e.replica), seq: e.seq }) : t("say.executed", { replica: name(e.replica), seq: e.seq, op: e.op });
          break;
        case "accepted":
          key = `a${e.client}:${e.timestamp}`;
          text = t("say.accepted", { result: e.result, timestamp: e.timestamp });
          break;
        case "retransmitted":
          key = `r${e.client}:${e.timestamp}:${e.attempt}`;
          text = t("say.retransmitted", { timestamp: e.timestamp });
          break;
        case "view-change-started":
          key = `vc${e.view}`;
          text = t("say.view-change-started", { replica: name(e.replica), view: e.view });
          break;
        case "view-changed":
          key = `v${e.view}`;
          text = t("say.view-changed", { view: e.view, primary: name(e.primary) });
          break;
        case "checkpoint-stable":
          key = `c${e.seq}`;
          text = t("say.checkpoint-stable", { seq: e.seq });
          break;
        case "state-transferred":
          key = `st${e.replica}:${e.seq}`;
          text = t("say.state-transferred", { replica: name(e.replica), seq: e.seq });
          break;
        case "fault":
          key = `f${e.id}`;
          text = describeFault(e, t);
          break;
        case "violation":
          key = "violation";
          text = t("say.violation");
          break;
        default:
          break;
      }
      if (text === null || key === null || this.seen.has(key)) continue;
      this.seen.add(key);
      this.queue.push({ text, priority: PRIORITY[kind] ?? 0 });
    }
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
  }

  /** Says the most important waiting sentence if the last one is old enough. */
  tick(wall = performance.now()) {
    if (this.queue.length === 0 || wall - this.lastAt < INTERVAL_MS) return false;
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) if (this.queue[i].priority > this.queue[best].priority) best = i;
    const { text } = this.queue[best];
    // What came before it is stale now; what came after still waits its turn.
    this.queue.splice(0, best + 1);
    this.lastAt = wall;
    this.count++;
    this.region.textContent = text;
    return true;
  }
}
