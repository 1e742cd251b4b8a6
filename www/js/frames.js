// When the element asks for animation frames: only while something moves. A change (an action,
// a hover, a resize, a new theme ...) wakes the loop for one frame; the frame tells whether
// another is needed (time runs, a seek waits); otherwise the loop sleeps and the page requests
// no frames at all until the next change. No DOM beyond requestAnimationFrame.

export class FrameLoop {
  #raf = 0;
  #inFrame = false;
  #again = false;
  #lastTs = null;

  /**
   * @param {(dt: number, ts: number) => boolean} frame  draws one frame (`dt`: wall ms since the
   *   previous frame of this run of the loop, 16.7 after a sleep); returns whether another is needed
   * @param {{ request?: (cb: FrameRequestCallback) => number, cancel?: (id: number) => void }} [raf]
   */
  constructor(frame, { request = (cb) => requestAnimationFrame(cb), cancel = (id) => cancelAnimationFrame(id) } = {}) {
    this.frame = frame;
    this.request = request;
    this.cancel = cancel;
  }

  /** A frame is requested (or being drawn). */
  get awake() {
    return this.#raf !== 0 || this.#inFrame;
  }

  /** Something changed: it is drawn at the next frame (a change during a frame asks for one more). */
  wake() {
    if (this.#inFrame) this.#again = true;
    else if (!this.#raf) this.#raf = this.request(this.#run);
  }

  /** The next frame counts no wall time since the last one (after a pause, a jump, a suspension). */
  restartTime() {
    this.#lastTs = null;
  }

  /** No more frames until the next wake(). */
  stop() {
    if (this.#raf) this.cancel(this.#raf);
    this.#raf = 0;
    this.#again = false;
    this.#lastTs = null;
  }

  #run = (ts) => {
    this.#raf = 0;
    const dt = this.#lastTs === null ? 16.7 : Math.min(100, Math.max(0, ts - this.#lastTs));
    this.#lastTs = ts;
    this.#inFrame = true;
    this.#again = false;
    let more = false;
    try {
      more = this.frame(dt, ts);
    } finally {
      this.#inFrame = false;
    }
    if (more || this.#again) this.#raf = this.request(this.#run);
    else this.#lastTs = null; // asleep: the next frame starts a new run of the loop
  };
}

/** Methods of a Simulation that only read it: calling them changes nothing on screen. */
const READERS = new Set(["snapshot", "actions", "constructor", "toJSON", "toString"]);

/**
 * `sim` as scripts see it (`el.simulation`): the same object for every read, but a call to any
 * method that may change the run (request, crash, advance, seek ...) also calls `changed()`
 * afterwards, so that a sleeping page wakes up and shows it.
 * @template {object} T
 * @param {T} sim
 * @param {() => void} changed
 * @returns {T}
 */
export function watched(sim, changed) {
  const wrappers = new Map();
  return new Proxy(sim, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function" || READERS.has(prop)) return value;
      let wrapper = wrappers.get(prop);
      if (!wrapper) {
        wrapper = function (...args) {
          try {
            return value.apply(target, args);
          } finally {
            changed();
          }
        };
        wrappers.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}
