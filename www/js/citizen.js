// A good citizen on someone else's page: an element spends no frames (and no virtual time)
// while it is scrolled out of view or its tab is hidden. This watches both, and the colour
// scheme and reduced-motion preferences, and tells the element when one changes.

export class Watcher {
  /**
   * @param {Element} el
   * @param {{ visibility(): void, scheme(): void, motion(): void }} on  called after a change
   */
  constructor(el, on) {
    this.el = el;
    this.on = on;
    this.inView = true;
    this.pageVisible = true;
    this.dark = globalThis.matchMedia?.("(prefers-color-scheme: dark)") ?? null;
    this.reduced = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)") ?? null;
    this.io = null;
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

  start() {
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.pageVisible = document.visibilityState !== "hidden";
    this.dark?.addEventListener("change", this.#onScheme);
    this.reduced?.addEventListener("change", this.#onMotion);
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
    this.io?.disconnect();
  }
}
