// The narration: what happens, in words, for screen readers (an aria-live region) and as a
// caption under the ring. Throttled: at most one sentence every INTERVAL_MS of wall time, the
// most important of those waiting; individual messages are never narrated, only milestones
// (the first replica to prepare / commit / execute a sequence number, a view change ...).
// What is said comes from describe.js (narration); this module only chooses when.

import { narration } from "./describe.js";

const INTERVAL_MS = 2200;
const MAX_QUEUE = 12;
const FRESH = 3; // sentences that may wait their turn at once
const MAX_RECALLED = 1000; // milestones remembered for scrubbing back (their virtual times)
const MAX_SEEN = 5000; // milestone keys remembered (oldest forgotten first)

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
    /** Milestone key → the virtual time it happened (a milestone is said once). */
    this.seen = new Map();
    /** The milestones so far, in order, with their virtual times: what scrubbing back recalls. */
    this.recalled = [];
    this.forgot = false; // whether older milestones fell out of `recalled`
    this.initial = "";
    this.lastAt = -Infinity;
    this.count = 0;
  }

  /** Forgets everything (a new run). */
  reset(text = "") {
    this.queue = [];
    this.seen.clear();
    this.recalled = [];
    this.forgot = false;
    this.initial = text;
    this.region.textContent = text;
  }

  /** Drops what waits, keeping what was already said as seen (a jump forward). */
  skip() {
    this.queue = [];
  }

  /**
   * The clock went back to `now` (a seek into the past): what happened after it is unsaid, so
   * it is said again when the run gets there, and the caption tells the latest milestone at or
   * before `now`, not one from the future.
   */
  rewind(now) {
    this.queue = [];
    for (const [key, time] of this.seen) if (time > now) this.seen.delete(key);
    while (this.recalled.length && this.recalled.at(-1).time > now) this.recalled.pop();
    // Before the milestones still remembered: say nothing rather than the first words.
    this.region.textContent = this.recalled.at(-1)?.text ?? (this.forgot ? "" : this.initial);
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
      this.recalled.push({ time: e.time, text: said.text });
    }
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE);
    if (this.recalled.length > MAX_RECALLED) {
      this.recalled.splice(0, this.recalled.length - MAX_RECALLED);
      this.forgot = true;
    }
    for (const key of this.seen.keys()) {
      if (this.seen.size <= MAX_SEEN) break;
      this.seen.delete(key);
    }
  }

  /** Wall ms from `wall` until tick() would say something (0: now), or null when nothing waits. */
  dueIn(wall = performance.now()) {
    return this.queue.length === 0 ? null : Math.max(0, this.lastAt + INTERVAL_MS - wall);
  }

  /**
   * The run came to rest (paused, ended, or nothing moves until a timer): the caption tells the
   * newest milestone at once, so it never shows an old sentence beside a finished run; what waited
   * is stale. Returns whether the caption changed.
   */
  settle(wall = performance.now()) {
    if (this.queue.length === 0) return false;
    this.queue = [];
    const text = this.recalled.at(-1)?.text;
    if (!text || text === this.region.textContent) return false;
    this.lastAt = wall;
    this.count++;
    this.region.textContent = text;
    return true;
  }

  /** Says the most important waiting sentence if the last one is old enough. */
  tick(wall = performance.now()) {
    if (this.queue.length === 0 || wall - this.lastAt < INTERVAL_MS) return false;
    // Only the freshest few wait their turn (a fast run makes more than one sentence per
    // interval, and the caption must not fall behind it); a safety violation is always said.
    if (this.queue.length > FRESH) {
      const cut = this.queue.length - FRESH;
      this.queue = this.queue.filter((q, i) => i >= cut || q.priority >= PRIORITY.violation);
    }
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
