// The narration: what happens, in words, for screen readers (an aria-live region) and as a
// caption under the ring. Throttled: at most one sentence every INTERVAL_MS of wall time, the
// most important of those waiting; individual messages are never narrated, only milestones
// (the first replica to prepare / commit / execute a sequence number, a view change ...).
// What is said comes from describe.js (narration); this module only chooses when.

import { narration } from "./describe.js";

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
  rejected: 4,
  "checkpoint-stable": 3,
  retransmitted: 3,
  submitted: 3,
  fired: 3,
  picked: 2,
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
    /** What was said (or skipped as said): its key and the virtual time of its event. */
    this.seen = new Map();
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
   * After a seek to `now`: nothing of the future is said, nor counted as said; the caption tells
   * the last milestone at or before `now` (the latest of `events[0, end)` that has words).
   * @param {object[]} events  the run's events in time order, those before `end` at or before now
   */
  rewind(events, end, name, n, now) {
    this.queue = [];
    for (const [key, time] of this.seen) if (time > now) this.seen.delete(key);
    let text = "";
    for (let i = end - 1; i >= 0 && i >= end - 20_000; i--) {
      const said = narration(events[i], this.t, name, n);
      if (said !== null && (PRIORITY[said.kind] ?? 0) > 0) {
        text = said.text;
        break;
      }
    }
    this.region.textContent = text;
  }

  /**
   * Considers new events (in order).
   * @param {object[]} events
   * @param {(node: number) => string} name
   * @param {number} n  replica count
   */
  feed(events, name, n) {
    for (const e of events) {
      const said = narration(e, this.t, name, n);
      if (said === null || this.seen.has(said.key)) continue;
      this.seen.set(said.key, e.time);
      this.queue.push({ text: said.text, priority: PRIORITY[said.kind] ?? 0 });
    }
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
  }

  /** Wall ms from `wall` until tick() would say something (0: now), or null when nothing waits. */
  dueIn(wall = performance.now()) {
    return this.queue.length === 0 ? null : Math.max(0, this.lastAt + INTERVAL_MS - wall);
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
