// The element's shadow DOM: the layout (toolbar, status line, ring and diagram, caption, legend,
// panels, share dialog), the pointer and keyboard handling of the ring, and drawing a view.
// It knows nothing of the engine: it shows the view the element hands it (see panels.js for its
// shape) and forwards every click to the element's handlers (`on`).

import { Controls } from "./controls.js";
import { describeRefusal, describeViolation, timerText } from "./describe.js";
import { Diagram } from "./diagram.js";
import { Glossary } from "./glossary.js";
import { h, setFlag, setText } from "./dom.js";
import { CROWD } from "./flows.js";
import { Narrator } from "./narrator.js";
import { ClientPanel, EventLog, InFlightList, Inspector, Notices, ReplicaPanel, StatusStrip, buildLegend } from "./panels.js";
import { RingView } from "./ring.js";
import { useTheme } from "./theme.js";
import { LANGUAGES, addTable, formatTime } from "./i18n.js";
import { CONTROLS, THEMES } from "./options.js";

const SCALES = [0.04, 0.08, 0.15, 0.3, 0.5, 1, 2]; // diagram zoom levels, px per virtual ms
const TOUCH_REACH = 26; // px around a message that a finger may tap

/** js/live-panel.js, once loaded. */
let livePanel = null;

export class PlaygroundUI {
  /**
   * @param {object} o
   * @param {(k: string, v?: object) => string} o.t
   * @param {string} o.lang
   * @param {{ theme: string, controls: string, height: number | "fill" | null }} o.presentation
   * @param {object[]} o.presets    Simulation.presets()
   * @param {object[]} o.behaviors  Simulation.behaviors()
   * @param {string} o.op           the operation in the box
   * @param {string} o.indexUrl     the full playground (for "Open the full playground")
   * @param {object} o.on           the element's handlers: those of Controls (controls.js), plus
   *   crash(i), recover(i), behavior(i, b), isolate(i), drop(id), select(id | null),
   *   deliver(id), fire(node, timer) (manual delivery: you are the network),
   *   explorePanel() (js/explore.js, loaded), exploreSource() (what the explorer starts from), exploreLoad(found, source) (its counterexample as the run),
   *   livePanel() (js/live-panel.js, loaded), liveConnect(address), liveDisconnect() (the Live cluster panel: live-panel.js, live.js),
   *   shareDialog() (js/share-dialog.js, loaded), shareTexts(choice) (share.js), freshenLink() (the current run's URL, or null),
   *   redraw() (what the canvases show changed: a frame should draw it)
   * @param {PlaygroundUI | null} o.old  the UI this one replaces (a new language or theme)
   */
  constructor({ t, lang, presentation, presets, behaviors, op, indexUrl, on, old = null }) {
    this.t = t;
    this.on = on;
    /** The theme the legend and the swatches were drawn in. */
    this.theme = presentation.theme;
    this.hover = null;
    /** The refusal mark under the pointer (or last tapped), on the ring or on the diagram: { where, refusal }. */
    this.hoverMark = null;
    this.zoomIndex = old?.zoomIndex ?? 4;
    this.sizes = { ring: [0, 0], diagram: [0, 0] };
    this.key = "";
    this.keySnapshot = null;
    this.lastView = null;
    this.pointer = null;
    useTheme(presentation.theme);

    // The PBFT words, marked where they appear, with their definitions (glossary.js).
    this.glossary = new Glossary(t);
    const g = this.glossary;
    this.controls = new Controls(t, on, { presets, op: old ? old.controls.op.value : op });
    this.replicas = new ReplicaPanel(t, on, behaviors, g);
    this.client = new ClientPanel(t, g);
    this.log = new EventLog(t, () => this.lastView && this.log.update(this.lastView, true));
    this.log.all.checked = old?.log.all.checked ?? false;
    this.inspector = new Inspector(t, { drop: (id) => on.drop(id), deliver: (id) => on.deliver(id), close: () => on.select(null) }, g);
    this.inflight = new InFlightList(t, { pick: (id) => on.select(id), deliver: (id) => on.deliver(id), fire: (node, timer) => on.fire(node, timer) });
    this.inflight.section.addEventListener("toggle", () => this.lastView && this.inflight.update(this.lastView));
    // The Explore panel: its body (js/explore.js) is loaded when it is first opened. The explorer
    // outlives nothing: a new UI (language, theme) starts without a search.
    this.explore = null;
    this.exploreSection = h("details", { class: "explore-panel" }, h("summary", { text: t("explore.title") }));
    this.#whenOpened(this.exploreSection, on.explorePanel, (mod) => {
      const panel = { source: () => on.exploreSource(), load: (found, source) => on.exploreLoad(found, source), name: (node) => (this.lastView ? this.lastView.name(node) : String(node)), workerUrl: new URL("js/explore-worker.js", indexUrl) };
      this.explore = new mod.ExplorePanel(t, panel, this.exploreSection, { h, setFlag, setText, describeViolation, timerText, formatTime });
    });
    // Message statistics: js/stats.js is loaded when the panel is first opened.
    this.stats = { view: null };
    const statsHolder = h("div", { class: "stats-holder" }, h("p", { class: "stats-note", text: t("stats.intro") }));
    this.statsSection = h("details", { class: "stats-panel" }, h("summary", { text: t("stats.title"), title: t("stats.title.title") }), statsHolder);
    if (on.stats) {
      this.#whenOpened(this.statsSection, on.stats, ({ StatsView, Simulation }) => {
        this.stats.view = new StatsView(t, Simulation, this.theme);
        statsHolder.append(this.stats.view.root);
        if (this.lastView) this.stats.view.update(this.lastView.history);
      });
    }
    // The Live cluster panel: its body (js/live-panel.js) is loaded when it is first opened; a UI
    // built after that (a new language, or the live replay's words) has it at once.
    this.live = null;
    this.liveSection = h("details", { class: "live-panel" }, h("summary", { text: t("live.title") }));
    const buildLive = (mod) => {
      livePanel = mod;
      this.live = new mod.LivePanel(t, { connect: (address) => on.liveConnect(address), disconnect: () => on.liveDisconnect() }, this.liveSection, { h, setText });
      if (old?.live) this.live.address.value = old.live.address.value;
    };
    if (livePanel) buildLive(livePanel);
    else this.#whenOpened(this.liveSection, on.livePanel, buildLive);
    if (old) this.liveSection.open = old.liveSection.open;
    this.status = new StatusStrip(t, g);
    this.notices = new Notices(t);
    if (old) this.notices.section.replaceChildren(...old.notices.section.childNodes);
    // The Share / Embed dialog (js/share-dialog.js) is loaded when it first opens: openShare().
    this.share = null;
    this.shareCurrent = { lang, theme: presentation.themeSetting ?? "auto" };

    // The narration: a caption under the ring, read out politely by screen readers.
    const caption = h("p", { class: "caption", "aria-live": "polite", "aria-atomic": "true", "aria-label": t("narration") });
    this.narrator = new Narrator(caption, t);
    this.openFull = h("a", { class: "open-full", href: indexUrl, target: "_blank", rel: "noopener", text: t("open.full"), title: t("openFull.title") });
    // The link carries the current run; it is brought up to date when someone goes for it.
    const freshen = () => {
      const url = on.freshenLink();
      if (url) this.openFull.href = url;
    };
    for (const type of ["pointerdown", "focus", "click"]) this.openFull.addEventListener(type, freshen);

    // The guided tour's card (js/tour.js, loaded on demand) lives here, beside the ring.
    this.tourSlot = h("div", { class: "tour-slot" });
    const ringCanvas = h("canvas", { class: "ring", role: "img", "aria-label": t("ring.label"), tabindex: "0" });
    // Underneath it, the nodes and their labels (drawn again only when they change).
    const ringUnder = h("canvas", { class: "ring-under", "aria-hidden": "true" });
    const diagramCanvas = h("canvas", { class: "diagram", role: "img", "aria-label": t("diagram.label") });
    const zoom = (dir) => {
      this.zoomIndex = Math.max(0, Math.min(SCALES.length - 1, this.zoomIndex - dir));
      this.invalidate();
    };
    const zoomIn = h("button", { type: "button", class: "secondary small icon", "aria-label": t("zoomIn"), title: t("zoomIn.title"), text: "+", onclick: () => zoom(-1) });
    const zoomOut = h("button", { type: "button", class: "secondary small icon", "aria-label": t("zoomOut"), title: t("zoomOut.title"), text: "−", onclick: () => zoom(1) });
    const ringBox = h("div", { class: "canvas-box ring-box" }, ringUnder, ringCanvas);
    this.ringKey = h("p", { class: "ring-key", text: t("ring.compactKey") });
    const diagramBox = h("div", { class: "canvas-box diagram-box" }, diagramCanvas);
    const stage = h(
      "div",
      { class: "stage" },
      h(
        "section",
        { class: "view ring-view", "aria-label": t("ring.title") },
        h("h2", { class: "view-title", text: t("ring.title") }),
        ringBox,
        this.ringKey,
        this.inspector.section,
      ),
      this.tourSlot,
      h(
        "section",
        { class: "view diagram-view", "aria-label": t("diagram.title") },
        h("div", { class: "view-head" }, h("h2", { class: "view-title", text: t("diagram.title") }), h("span", { class: "zoom" }, zoomOut, zoomIn)),
        diagramBox,
      ),
    );
    const controls = this.controls;
    this.app = h(
      "div",
      { class: "app", hidden: !old, lang, dataset: { theme: presentation.theme, controls: presentation.controls } },
      this.notices.section,
      controls.toolbar,
      controls.description,
      controls.done,
      h("div", { class: "statusline" }, this.status.stats, controls.timeline, this.status.badge),
      stage,
      caption,
      h("div", { class: "legend-row" }, buildLegend(t, g), this.openFull),
      this.inflight.section,
      this.exploreSection,
      this.statsSection,
      this.liveSection,
      h("div", { class: "panels" }, this.replicas.section, h("div", { class: "side" }, this.client.section, this.log.section)),
      g.panel,
      g.defs,
      g.tip,
    );
    // A definition pinned by a tap goes away with the next tap elsewhere, or Escape.
    this.app.addEventListener("click", () => g.pinned && g.hide(undefined, true));
    this.ring = new RingView(ringCanvas, t, ringUnder);
    this.diagram = new Diagram(diagramCanvas, t);
    this.#wireRing(ringCanvas);
    this.#wireDiagram(diagramCanvas);
    this.app.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && g.shownFor) g.hide(undefined, true);
      else if (e.key === "Escape" && this.inspector.id !== null && !this.share?.isOpen) on.select(null);
    });

    this.ro = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const box = entry.contentBoxSize?.[0];
        const w = box ? box.inlineSize : entry.contentRect.width;
        const hgt = box ? box.blockSize : entry.contentRect.height;
        if (entry.target === ringBox) this.sizes.ring = [w, hgt];
        else this.sizes.diagram = [w, hgt];
      }
      this.invalidate();
    });
    this.ro.observe(ringBox);
    this.ro.observe(diagramBox);
    if (old) this.present(presentation);
  }

  /** The refusal mark `where` ("ring" | "diagram") is under the pointer (null: none). */
  #hoverMark(where, refusal, canvas) {
    const cur = this.hoverMark;
    if (refusal === null && cur?.where !== where) return;
    if (cur?.refusal === refusal) return;
    this.hoverMark = refusal === null ? null : { where, refusal };
    canvas.classList.toggle("pointer", refusal !== null || (where === "ring" && this.hover !== null));
    this.on.redraw();
  }

  /**
   * A click or a tap on a refusal mark: inspects its message (the inspector tells the check)
   * when the page has it, and keeps the mark's words shown until the pointer leaves it.
   */
  #pickMark(where, refusal, canvas) {
    this.#hoverMark(where, refusal, canvas);
    if (refusal === null) return false;
    if (refusal.msg !== null && this.lastView?.history.record(refusal.msg)) this.on.select(refusal.msg);
    this.invalidate();
    return true;
  }

  /** Pointer events: mouse hover shows a message's label or a refusal's check; a click or a tap (with a larger reach for fingers) inspects it. */
  #wireRing(canvas) {
    canvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      const { id, mark } = this.ring.pick(e.offsetX, e.offsetY);
      if (id !== this.hover) {
        this.hover = id;
        canvas.classList.toggle("pointer", id !== null);
        this.on.redraw();
      }
      this.#hoverMark("ring", mark, canvas);
    });
    canvas.addEventListener("pointerleave", () => {
      if (this.hover !== null) {
        this.hover = null;
        this.on.redraw();
      }
      this.#hoverMark("ring", null, canvas);
    });
    canvas.addEventListener("pointerdown", (e) => {
      if (e.isPrimary) this.pointer = { x: e.offsetX, y: e.offsetY, id: e.pointerId };
    });
    canvas.addEventListener("pointerup", (e) => {
      const p = this.pointer;
      this.pointer = null;
      if (!p || p.id !== e.pointerId || Math.hypot(e.offsetX - p.x, e.offsetY - p.y) > 12) return;
      const reach = e.pointerType === "touch" || e.pointerType === "pen" ? TOUCH_REACH : undefined;
      const { id, mark } = this.ring.pick(e.offsetX, e.offsetY, reach);
      if (this.#pickMark("ring", mark, canvas)) return;
      this.on.select(id);
    });
    canvas.addEventListener("pointercancel", () => (this.pointer = null));
    // Keyboard: with the ring focused, the arrow keys step through the messages in flight
    // (each opens the inspector), Escape closes it; in manual delivery Enter delivers it.
    canvas.addEventListener("keydown", (e) => {
      const dir = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      const view = this.lastView;
      if (e.key === "Enter" && view?.manual && this.inspector.id !== null && view.history.live.has(this.inspector.id)) {
        e.preventDefault();
        this.on.deliver(this.inspector.id);
        return;
      }
      if (!dir || !view) return;
      e.preventDefault();
      const ids = [...view.history.live.values()].filter((m) => m.sentAt <= view.now).map((m) => m.id).sort((a, b) => a - b);
      if (ids.length === 0) return;
      const at = ids.indexOf(this.inspector.id);
      const next = at < 0 ? (dir > 0 ? 0 : ids.length - 1) : (at + dir + ids.length) % ids.length;
      this.on.select(ids[next]);
    });
  }

  /**
   * The diagram: hovering a refusal mark tells its check; a click or a tap inspects its message,
   * or the message in flight whose head is there.
   */
  #wireDiagram(canvas) {
    canvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      const mark = this.diagram.hitMark(e.offsetX, e.offsetY);
      this.#hoverMark("diagram", mark, canvas);
      canvas.classList.toggle("pointer", mark !== null || this.diagram.hitMessage(e.offsetX, e.offsetY) !== null);
    });
    canvas.addEventListener("pointerleave", () => this.#hoverMark("diagram", null, canvas));
    canvas.addEventListener("click", (e) => {
      const touch = e.pointerType === "touch" || e.pointerType === "pen";
      const reach = touch ? TOUCH_REACH / 2 : undefined;
      if (this.#pickMark("diagram", this.diagram.hitMark(e.offsetX, e.offsetY, reach), canvas)) return;
      const id = this.diagram.hitMessage(e.offsetX, e.offsetY, touch ? TOUCH_REACH : undefined);
      if (id !== null) this.on.select(id);
    });
  }

  /** Theme, controls mode and height on the app's data attributes. */
  present({ theme, controls, height }) {
    const app = this.app;
    app.dataset.theme = theme;
    app.dataset.controls = controls;
    if (height === null) {
      delete app.dataset.height;
      app.style.removeProperty("--stage-height");
    } else if (height === "fill") {
      app.dataset.height = "fill";
      app.style.removeProperty("--stage-height");
    } else {
      app.dataset.height = "px";
      // CSSOM, not a style attribute: allowed under a strict Content-Security-Policy.
      app.style.setProperty("--stage-height", `${height}px`);
    }
    this.invalidate();
  }

  /** Rebuilds the replica cards for `n` replicas. */
  build(n) {
    this.replicas.build(n);
    this.app.dataset.compact = String(n > 4);
    // Many replicas: taller views (a lane each in the diagram), one-line cards.
    this.app.toggleAttribute("data-crowd", n >= CROWD);
  }

  /** The canvases are drawn again at the next frame (which is asked for). */
  invalidate() {
    this.key = "";
    this.on.redraw?.();
  }

  /** Every panel shows `view`; `full`: also those of the full controls (cards, client, log, list). */
  update(view, full) {
    this.lastView = view;
    this.controls.update(view);
    this.status.update(view);
    if (full) {
      this.replicas.update(view);
      this.client.update(view);
      this.log.update(view);
      this.inflight.update(view);
      if (this.stats.view && this.statsSection.open) this.stats.view.update(view.history);
    }
    this.inspector.update(view);
  }

  /**
   * Draws the ring and the diagram (skipped when nothing they show changed); `paced`: more frames
   * follow at once (time runs), so what only changes with the snapshot may wait a little.
   */
  render(view, paced = false) {
    const s = view.snapshot;
    const dpr = globalThis.devicePixelRatio || 1;
    this.lastView = view;
    const mark = this.hoverMark;
    const key = `${view.now}|${view.history.version}|${view.selected}|${this.hover}|${mark ? `${mark.where}${mark.refusal.id}` : ""}|${dpr}|${this.zoomIndex}|${view.playing}|${view.still}|${view.theme}|${view.hint}|${paced}|${view.focus?.key ?? ""}`;
    if (key === this.key && s === this.keySnapshot) return;
    this.key = key;
    this.keySnapshot = s;
    useTheme(view.theme);
    const [rw, rh] = this.sizes.ring;
    if (rw > 0 && rh > 0) {
      // Short labels (and their key under the ring) when the ring is crowded or narrow.
      const compact = s.n > 4 || rw < 420;
      if (this.app.dataset.compact !== String(compact)) this.app.dataset.compact = String(compact);
      setText(this.ringKey, this.t(s.n >= CROWD ? "ring.crowdKey" : "ring.compactKey"));
      const { history, now, lost, selected, still, hint, theme } = view;
      const hoverMark = mark?.where === "ring" ? mark.refusal : null;
      this.ring.render({ snapshot: s, history, now, lost, selected, hover: this.hover, hoverMark, width: rw, height: rh, still, hint, compact, theme, paced, focus: view.focus ?? null });
      setFlag(this.status.badge, "data-tour-focus", !!view.focus?.badge);
      // Keep the inspector away from the message it describes.
      const at = this.ring.selectedAt;
      if (at) {
        const side = at.y > at.height * 0.5 ? "top" : "bottom";
        if (this.inspector.section.dataset.at !== side) this.inspector.section.dataset.at = side;
      }
    }
    const [dw, dh] = this.sizes.diagram;
    if (dw > 0 && dh > 0) {
      this.diagram.render({
        snapshot: s,
        history: view.history,
        actions: view.actions,
        now: view.now,
        engineNow: view.run.now,
        theme: view.theme,
        windowMs: Math.max(100, (dw - 72) / SCALES[this.zoomIndex]),
        selected: view.selected,
        hoverMark: mark?.where === "diagram" ? mark.refusal : null,
        width: dw,
        height: dh,
        still: view.still,
      });
    }
  }

  /** Messages drawn on the ring in the last frame: [{ id, x, y }] in CSS px of the canvas. */
  messagePositions() {
    const hits = this.ring.hits;
    const out = [];
    for (let i = 0; i < hits.length; i += 3) out.push({ id: hits[i], x: hits[i + 1], y: hits[i + 2] });
    return out;
  }

  /**
   * Refusal marks drawn in the last frame, on the ring and on the diagram, each
   * { msg, node, from, code, x, y, text } (CSS px of its canvas; `text` what hovering it tells).
   */
  refusalMarks() {
    const view = this.lastView;
    const out = (marks) =>
      marks.map(({ refusal: r, x, y }) => ({ msg: r.msg, node: r.node, from: r.from, code: r.reason?.code ?? null, x, y, text: view ? describeRefusal(r, this.t, view.name) : "" }));
    return { ring: out(this.ring.marks), diagram: out(this.diagram.marks) };
  }

  /** Lets go of the page (this UI is replaced or the element is gone). */
  dispose() {
    this.ro.disconnect();
    this.explore?.dispose();
    this.share?.close();
    this.disposed = true;
  }

  /**
   * A part of the UI loaded on demand (`load` imports its module): its English words, if it brings
   * any, join the table. Null when it failed to load (a notice says why) or this UI is gone meanwhile.
   */
  async #part(load) {
    let mod;
    try {
      mod = await load();
    } catch (e) {
      this.notices.add(this.t("notice.error", { message: e?.message ?? String(e) }), "error");
      return null;
    }
    if (this.disposed) return null;
    if (mod.WORDS) addTable("en", mod.WORDS);
    return mod;
  }

  /** Fills `section` (a closed <details>) the first time it opens: `build` with the module `load` gives (#part). */
  #whenOpened(section, load, build) {
    let state = "closed";
    section.addEventListener("toggle", async () => {
      if (!section.open || state !== "closed") return;
      state = "loading";
      const mod = await this.#part(load);
      state = mod ? "built" : "closed";
      if (mod) build(mod);
    });
  }

  /** Opens the Share / Embed dialog, loading it (and its English words) the first time. */
  async openShare() {
    if (!this.share) {
      const mod = await this.#part(this.on.shareDialog);
      if (!mod) return;
      if (!this.share) {
        const on = this.on;
        const lib = { h, setText, formatTime, CONTROLS, LANGUAGES, THEMES };
        this.share = new mod.ShareDialog(this.t, (choice) => on.shareTexts(choice), this.shareCurrent, on.exportRun ? (kind, choice) => on.exportRun(kind, choice) : null, lib);
        this.app.append(this.share.dialog);
      }
    }
    this.share.open();
  }
}
