// Wall time to virtual time: each animation frame, how far the engine advances.
// At `speed` virtual ms per wall ms, with the fractions carried over (`acc`), so that a slow
// speed still advances by whole milliseconds; in quiet time (only timers pending, nothing in
// flight) at least 1x, stopping exactly at the next instant something happens. In manual
// delivery ("you are the network") nothing arrives by itself: the clock runs until every message
// in flight has reached its receiver's door (its deliverAt), then waits for you. No DOM.

export class Clock {
  constructor() {
    /** When nothing is in flight, let time run at least 1x until the next timer fires. */
    this.skipQuiet = true;
    this.reset();
  }

  reset() {
    /** Virtual ms owed to the engine (less than 1 after each tick). */
    this.acc = 0;
    /** "idle" | "quiet" | "running" | "waiting" | "paused": what the last tick did. */
    this.mode = "idle";
  }

  /**
   * Advances `sim` for `dt` wall ms.
   * @param {{ idle: boolean, now: number, nextEventTime: number | undefined, advance(ms: number): object[] }} sim
   * @param {number} dt      wall ms since the last frame
   * @param {number} speed   virtual ms per wall ms
   * @param {boolean} quiet  nothing is in flight
   * @param {number | null} [restAt]  manual delivery: the latest deliverAt of the messages in
   *   flight (-Infinity: none), past which nothing moves; null: automatic delivery
   * @returns {object[] | null} the events `advance` returned (null when the engine was not asked)
   */
  tick(sim, dt, speed, quiet, restAt = null) {
    if (sim.idle) {
      // Nothing in flight, no timer, no scheduled action: the clock holds until you act.
      this.acc = 0;
      this.mode = "idle";
      return null;
    }
    if (restAt !== null) {
      if (sim.now >= restAt) {
        if (sim.nextEventTime === undefined) {
          // Every message waits at its door and nothing is scheduled: your move.
          this.acc = 0;
          this.mode = "waiting";
          return null;
        }
        quiet = true; // nothing moves until the next scheduled action
      } else {
        // Messages fly on, and stop at their doors.
        this.mode = "running";
        this.acc += dt * speed;
        const whole = Math.floor(this.acc);
        if (whole <= 0) return null;
        const ms = Math.min(whole, restAt - sim.now);
        this.acc = ms < whole ? 0 : this.acc - whole;
        return sim.advance(ms);
      }
    }
    if (this.skipQuiet && quiet) {
      // Stop exactly at the next instant something happens, so that the next burst starts from its sender.
      this.mode = "quiet";
      this.acc = 0;
      const budget = Math.max(1, Math.floor(dt * Math.max(1, speed)));
      const next = sim.nextEventTime;
      const ms = next === undefined ? budget : Math.max(0, Math.min(budget, next - sim.now));
      return sim.advance(ms);
    }
    this.mode = "running";
    this.acc += dt * speed;
    const whole = Math.floor(this.acc);
    if (whole <= 0) return null;
    this.acc -= whole;
    return sim.advance(whole);
  }

  /** The virtual time to draw: the engine's, plus the fraction owed while playing. */
  now(sim, playing) {
    return sim ? sim.now + (playing ? this.acc : 0) : 0;
  }
}

/** Script time of the last frames (for el.frameStats(), tests and benchmarks). */
export class FrameTimes {
  constructor(size = 1200) {
    this.times = new Float64Array(size);
    this.count = 0;
  }

  add(ms) {
    this.times[this.count++ % this.times.length] = ms;
  }

  reset() {
    this.count = 0;
  }

  /** { count, mean, p95, max } in ms. */
  stats() {
    const n = Math.min(this.count, this.times.length);
    const a = Array.from(this.times.subarray(0, n)).sort((x, y) => x - y);
    const mean = a.reduce((s, x) => s + x, 0) / Math.max(1, n);
    return { count: n, mean, p95: a[Math.floor(n * 0.95)] ?? 0, max: a[n - 1] ?? 0 };
  }
}
