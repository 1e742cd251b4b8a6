// A good citizen on someone else's page: an element lets no virtual time pass (and spends no
// frames but those that draw a change) while it is scrolled out of view or its tab is hidden.
// This watches both, the colour scheme and reduced-motion preferences, and the device pixel
// ratio (browser zoom, another screen), and tells the element when one changes.

export class Watcher {
  /**
   * @param {Element} el
   * @param {{ visibility(): void, scheme(): void, motion(): void, resolution?(): void }} on  called after a change
   */
  constructor(el, on) {
    this.el = el;
    this.on = on;
    this.inView = true;
    this.pageVisible = true;
    this.dark = globalThis.matchMedia?.("(prefers-color-scheme: dark)") ?? null;
    this.reduced = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)") ?? null;
    this.io = null;
    this.resolution = null;
  }

  /** Scrolled out of view or in a hidden tab. */
  get hidden() {
    return !this.inView || !this.pageVisible;
  }

  /** The system asks for a dark colour scheme. */
  get prefersDark() {
    return !!this.dark?.matches;
  }

  /** The system asks for reduced motion. */
  get prefersReducedMotion() {
    return !!this.reduced?.matches;
  }

  #onVisibility = () => {
    this.pageVisible = document.visibilityState !== "hidden";
    this.on.visibility();
  };

  #onScheme = () => this.on.scheme();

  #onMotion = () => this.on.motion();

  #onResolution = () => {
    this.#watchResolution();
    this.on.resolution?.();
  };

  /** A query that matches the current pixel ratio only: it changes when the ratio does. */
  #watchResolution() {
    this.resolution?.removeEventListener("change", this.#onResolution);
    this.resolution = globalThis.matchMedia?.(`(resolution: ${globalThis.devicePixelRatio || 1}dppx)`) ?? null;
    this.resolution?.addEventListener("change", this.#onResolution);
  }

  start() {
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.pageVisible = document.visibilityState !== "hidden";
    this.dark?.addEventListener("change", this.#onScheme);
    this.reduced?.addEventListener("change", this.#onMotion);
    this.#watchResolution();
    if (typeof IntersectionObserver === "function") {
      this.io ??= new IntersectionObserver((entries) => {
        this.inView = entries[entries.length - 1].isIntersecting;
        this.on.visibility();
      });
      this.io.observe(this.el);
    }
  }

  stop() {
    document.removeEventListener("visibilitychange", this.#onVisibility);
    this.dark?.removeEventListener("change", this.#onScheme);
    this.reduced?.removeEventListener("change", this.#onMotion);
    this.resolution?.removeEventListener("change", this.#onResolution);
    this.resolution = null;
    this.io?.disconnect();
  }
}
