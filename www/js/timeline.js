// The run's history as the page keeps it: every event the engine returned, so that scrubbing
// back only needs the engine's fast seek (which returns no events), and the History (model.js)
// that the renderers read, fed with the stored events up to the engine's time.
//
//   floor ≤ time ≤ end     the stored events cover virtual time [floor, end], in order
//   fed                    how many of them the History has taken in (those with time ≤ now)
//   max                    the latest time reached (the timeline's right end)
//
// The engine is the source of truth: what the page no longer keeps (events older than the
// floor, after MAX_EVENTS) comes back by replay (sim.seek(t, true, since)): the events of a
// stretch before t as long as the one stored, so memory stays bounded however long the run
// and however far back the scrub. No DOM here.

import { History, cutBack } from "./model.js";

const MAX_EVENTS = 200_000; // events kept for scrubbing (older ones are replayed by the engine)

/** The first index of `events` (sorted by time) whose time is after `t`. */
function after(events, t) {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].time <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Timeline {
  /** @param {{ history?: History, maxEvents?: number }} [options] */
  constructor({ history = new History(), maxEvents = MAX_EVENTS } = {}) {
    /** What the renderers read. */
    this.history = history;
    this.maxEvents = maxEvents;
    this.reset();
  }

  /** A new run: nothing stored, nothing shown, time 0. */
  reset() {
    this.events = [];
    this.floor = 0;
    this.end = 0;
    this.fed = 0;
    this.max = 0;
    this.history.reset();
  }

  /**
   * Takes in the events that advance/step returned while the clock went from `before` to `now`.
   * Live (`before` at the end of the stored events) they are all new; after a seek back the
   * engine replays the recorded future, whose events are already stored: only newer ones count.
   * @returns {object[]} the events newly shown (fed to the History), for the narrator
   */
  took(events, before, now) {
    if (events.length) this.#store(before >= this.end ? events : events.filter((e) => e.time > this.end));
    if (now > this.end) this.end = now;
    this.reach(now);
    return this.#feed(now);
  }

  /** Notes that the clock reached `now` (the timeline's right end follows it). */
  reach(now) {
    if (now > this.max) this.max = now;
  }

  /**
   * Acting at `now` (an action was just applied there): when that is in the past, the engine
   * has dropped the recorded future, and so do we (the stored events after now).
   * The one place where a run forks.
   */
  fork(now) {
    if (now >= this.max) return false;
    this.events.length = this.fed;
    this.end = now;
    this.max = now;
    return true;
  }

  /**
   * Moves `sim` to virtual time `time` and the History with it.
   * @param {{ now: number, seek(t: number, withEvents?: boolean, since?: number): object[] | undefined, advance(ms: number): object[] }} sim
   */
  seek(sim, time) {
    const back = time < sim.now;
    if (time < this.floor) {
      // Older than the stored events: a replay returns those of a stretch before there as long
      // as the one stored held (later ones come back by replaying forward when needed, below).
      const since = Math.max(0, time - Math.max(1, Math.floor((this.end - this.floor) / 2)));
      this.events = sim.seek(time, true, since);
      this.floor = since;
      this.end = time;
      this.#rebuild(sim.now);
    } else if (time > this.end) {
      // Beyond the stored events: replay forward from their end, keeping what comes.
      const from = this.end;
      sim.seek(from);
      this.#feed(sim.now);
      this.took(sim.advance(time - from), from, sim.now);
    } else {
      sim.seek(time); // fast: from the engine's saved copies, no events
      if (back) this.#rebuild(sim.now);
      else this.#feed(sim.now);
    }
  }

  #store(events) {
    for (const e of events) this.events.push(e);
    const cut = cutBack(this.events, this.maxEvents);
    if (cut > 0) {
      this.fed = Math.max(0, this.fed - cut);
      this.floor = this.events[0]?.time ?? 0;
    }
  }

  /** Feeds the History the stored events up to `now`; returns them. */
  #feed(now) {
    const ev = this.events;
    let end = this.fed;
    while (end < ev.length && ev[end].time <= now) end++;
    if (end === this.fed) return [];
    const batch = ev.slice(this.fed, end);
    this.fed = end;
    this.history.ingest(batch);
    return batch;
  }

  /** Rebuilds the History from the stored events with time ≤ now (after a seek back). */
  #rebuild(now) {
    this.history.reset();
    const end = after(this.events, now);
    this.history.ingest(end === this.events.length ? this.events : this.events.slice(0, end));
    this.fed = end;
  }
}
