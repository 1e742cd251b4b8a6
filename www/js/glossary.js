// The glossary: every PBFT word the page shows, with its definition in both languages
// (`term.<id>` the word, `gloss.<id>` the definition, in the i18n tables). Where a word appears
// (panels, the inspector, the status line, the legend) it is a focusable term: hovering it,
// tapping it or giving it the keyboard focus shows the definition in a tooltip, and the
// definition is the term's accessible description (aria-describedby to a hidden element of the
// same shadow root). The glossary panel lists every term. Text only (textContent).

import { h } from "./dom.js";

/** Every term, in the order the glossary panel lists them. */
export const TERMS = [
  "replica",
  "client",
  "n",
  "f",
  "quorum",
  "view",
  "primary",
  "backup",
  "request",
  "pre-prepare",
  "prepare",
  "commit",
  "reply",
  "seq",
  "timestamp",
  "digest",
  "pre-prepared",
  "prepared",
  "certificate",
  "committed",
  "executed",
  "last-executed",
  "null-request",
  "replies",
  "checkpoint",
  "stable-checkpoint",
  "watermarks",
  "gc",
  "view-change",
  "new-view",
  "status",
  "state-transfer",
  "fetch-state",
  "state",
  "byzantine",
  "equivocate",
  "crash",
  "partition",
  "safety",
];

/** The term of a message kind ("pre-prepare" → "pre-prepare", "checkpoint" → "checkpoint"), or null. */
export function kindTerm(kind) {
  return TERMS.includes(kind) ? kind : null;
}

/** The term of a replica log phase ("prepared" → "prepared"). */
export function phaseTerm(phase) {
  return TERMS.includes(phase) ? phase : null;
}

/** The id of a term's definition element (one per glossary: several elements may share a shadow root). */
const defId = (prefix, id) => `${prefix}-gloss-${id}`;

let glossaries = 0;

/**
 * One glossary per UI: the hidden definitions the terms point at, the shared tooltip, and
 * `term(id, text)` to mark a word where it appears.
 */
export class Glossary {
  /** @param {(k: string, v?: object) => string} t */
  constructor(t) {
    this.t = t;
    this.prefix = `g${++glossaries}`;
    // The definitions, hidden: aria-describedby may point at hidden elements.
    this.defs = h(
      "div",
      { class: "glossary-defs", hidden: true },
      TERMS.map((id) => h("span", { id: defId(this.prefix, id), text: t(`gloss.${id}`) })),
    );
    this.tip = h("div", { class: "term-tip", role: "tooltip", hidden: true }, h("strong", {}), h("span", {}));
    this.shownFor = null;
    this.pinned = false;
    // The glossary panel: every term and its definition.
    this.panel = h(
      "details",
      { class: "glossary panel" },
      h("summary", {}, h("span", { class: "glossary-title", text: t("glossary.title") })),
      h("p", { class: "muted small", text: t("glossary.intro") }),
      h("dl", {}, TERMS.map((id) => [h("dt", { text: t(`term.${id}`) }), h("dd", { text: t(`gloss.${id}`) })])),
    );
  }

  /** The id of term `id`'s definition element (for aria-describedby). */
  describedBy(id) {
    return defId(this.prefix, id);
  }

  /**
   * A word marked as term `id`: its definition as its accessible description and in a tooltip on
   * hover, focus and tap. `text` defaults to the term's own word. `focusable` false: no tab stop
   * of its own (words repeated in every log row; the same term is a tab stop elsewhere).
   */
  term(id, text = this.t(`term.${id}`), tag = "span", focusable = true) {
    const el = h(tag, { text });
    return this.mark(el, id, focusable);
  }

  /** Makes an existing element a term (its text unchanged). */
  mark(el, id, focusable = true) {
    el.classList.add("term");
    if (focusable) el.tabIndex = 0;
    else el.dataset.quiet = "";
    el.dataset.term = id;
    el.setAttribute("aria-describedby", this.describedBy(id));
    if (!el.dataset.wired) this.wire(el);
    return el;
  }

  /** Changes an element's term (or unmarks it: id null). */
  retarget(el, id, focusable = !("quiet" in el.dataset)) {
    if (id === null) {
      if (!el.classList.contains("term")) return;
      el.classList.remove("term");
      el.removeAttribute("tabindex");
      el.removeAttribute("aria-describedby");
      delete el.dataset.term;
      return;
    }
    if (el.dataset.term !== id || el.getAttribute("aria-describedby") !== this.describedBy(id)) this.mark(el, id, focusable);
  }

  wire(el) {
    el.dataset.wired = "1";
    el.addEventListener("pointerenter", (e) => {
      if (e.pointerType !== "touch") this.show(el);
    });
    el.addEventListener("pointerleave", (e) => {
      if (e.pointerType !== "touch" && !this.pinned) this.hide(el);
    });
    el.addEventListener("focus", () => this.show(el));
    el.addEventListener("blur", () => this.hide(el));
    // A tap (or a click) pins the definition until the next tap or Escape.
    el.addEventListener("click", (e) => {
      e.stopPropagation();
      if (this.shownFor === el && this.pinned) {
        this.hide(el, true);
        return;
      }
      this.show(el);
      this.pinned = true;
    });
    el.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.shownFor === el) {
        e.stopPropagation();
        this.hide(el, true);
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        if (this.shownFor === el) this.hide(el, true);
        else this.show(el);
      }
    });
  }

  /** Shows the definition of `el`'s term next to it. */
  show(el) {
    const id = el.dataset.term;
    if (!id) return;
    this.shownFor = el;
    this.pinned = false;
    const [word, text] = this.tip.children;
    word.textContent = this.t(`term.${id}`);
    text.textContent = this.t(`gloss.${id}`);
    this.tip.hidden = false;
    this.place(el);
  }

  hide(el = this.shownFor, force = false) {
    if (el !== this.shownFor && !force) return;
    this.shownFor = null;
    this.pinned = false;
    this.tip.hidden = true;
  }

  /** Positions the tooltip under (or above) the term, inside the app. */
  place(el) {
    const app = this.tip.offsetParent ?? this.tip.parentElement;
    if (!app) return;
    const box = app.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    const width = Math.min(320, box.width - 16);
    let left = r.left - box.left + app.scrollLeft;
    left = Math.max(8, Math.min(left, box.width - width - 8));
    this.tip.style.setProperty("--tip-left", `${left}px`);
    this.tip.style.setProperty("--tip-width", `${width}px`);
    const below = r.bottom - box.top + app.scrollTop + 6;
    this.tip.style.setProperty("--tip-top", `${below}px`);
    // Above the term when there is no room below it in the window.
    const tipHeight = this.tip.offsetHeight;
    if (r.bottom + 6 + tipHeight > (globalThis.innerHeight || Infinity) && r.top - tipHeight - 6 > 0) {
      this.tip.style.setProperty("--tip-top", `${r.top - box.top + app.scrollTop - tipHeight - 6}px`);
    }
  }
}
