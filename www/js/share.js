// The Share / Embed dialog: a permalink, an iframe snippet and a script snippet that reproduce
// the current run and settings, each with a Copy button. A native <dialog> (modal: focus stays
// inside, Escape closes it). Every field is text; snippets are escaped as HTML attribute values.
// `snippets()` makes the texts (pure: no DOM, tested in Node).

import { h, setText } from "./dom.js";
import { formatTime } from "./i18n.js";
import { CONTROLS, DEFAULT_OP, DEFAULT_SPEED } from "./options.js";
import { permalinkSearch } from "./permalink.js";

/** Escapes a string for an HTML attribute value in double quotes. */
export function escapeAttr(s) {
  return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The iframe and script snippets that embed `run`.
 * @param {object} o
 * @param {{ n: number, seed: number, preset: string, names: string[] | null, actions: object[], baseActions: object[], t: number | null }} o.run
 *   t null: the embed starts from time 0 (and may play on its own); a number: it opens paused there
 * @param {string} o.moduleUrl  the element's module (pbft-playground.js); embed.html is next to it
 * @param {{ op?: string, opAttribute?: string, lang?: string, theme?: string, speed?: number }} [o.settings]
 *   the element's settings: the operation in the box (and in the `op` attribute), the language,
 *   the theme setting and the speed; those that differ from the defaults go into both snippets
 * @param {"full" | "compact" | "none"} o.controls
 * @param {boolean} o.autoplay
 * @param {number} o.height  the iframe's height (px)
 * @param {string} o.title   the iframe's title
 * @returns {{ iframe: string, script: string, base: string }}
 */
export function snippets({ run, moduleUrl, settings = {}, controls, autoplay, height, title }) {
  const { op = DEFAULT_OP, opAttribute = DEFAULT_OP, lang = "en", theme = "auto", speed = DEFAULT_SPEED } = settings;
  const extra = {};
  if (opAttribute !== DEFAULT_OP || op !== DEFAULT_OP) extra.op = op;
  if (lang !== "en") extra.lang = lang;
  if (theme !== "auto") extra.theme = theme;
  if (speed !== DEFAULT_SPEED) extra.speed = String(speed);
  const wantsAutoplay = autoplay && run.t === null;
  // embed.html shows the compact controls unless told otherwise.
  const iframeSearch = permalinkSearch(run, {
    ...extra,
    ...(controls !== "compact" ? { controls } : {}),
    ...(wantsAutoplay ? { autoplay: "1" } : {}),
  });
  const embedUrl = new URL("embed.html" + iframeSearch, moduleUrl).href;
  const iframe = `<iframe src="${escapeAttr(embedUrl)}" title="${escapeAttr(title)}" width="100%" height="${height}" loading="lazy" frameborder="0"></iframe>`;
  // The element's attributes, in the documented order.
  const attrs = [["n", String(run.n)], ["seed", String(run.seed)]];
  if (run.preset) attrs.push(["preset", run.preset]);
  if (run.names) attrs.push(["names", run.names.join(",")]);
  if (extra.op !== undefined) attrs.push(["op", extra.op]);
  if (wantsAutoplay) attrs.push(["autoplay", null]);
  if (controls !== "full") attrs.push(["controls", controls]);
  if (extra.speed) attrs.push(["speed", extra.speed]);
  if (extra.lang) attrs.push(["lang", extra.lang]);
  if (extra.theme) attrs.push(["theme", extra.theme]);
  const a = new URLSearchParams(iframeSearch).get("a");
  if (a) attrs.push(["actions", a]);
  if (run.t !== null) attrs.push(["t", String(run.t)]);
  const attrText = attrs.map(([k, v]) => (v === null ? ` ${k}` : ` ${k}="${escapeAttr(v)}"`)).join("");
  const script = `<script type="module" src="${escapeAttr(moduleUrl)}"></script>\n<pbft-playground${attrText}></pbft-playground>`;
  return { iframe, script, base: new URL(".", moduleUrl).href };
}

export class ShareDialog {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {(choice: {controls: string, autoplay: boolean, atNow: boolean, height: number}) =>
   *          {permalink: string, iframe: string, script: string, base: string, now: number}} make
   */
  constructor(t, make) {
    this.t = t;
    this.make = make;
    let n = 0;
    const id = (name) => `share-${name}-${++n}`;
    const copyButton = (field, what) =>
      h("button", { type: "button", class: "secondary small copy", text: t("share.copy"), "aria-label": t("share.copy.label", { what }), onclick: () => this.#copy(field) });

    this.link = h("input", { type: "text", readonly: true, id: id("link"), class: "share-field", spellcheck: "false" });
    this.iframe = h("textarea", { readonly: true, id: id("iframe"), rows: "3", class: "share-field", spellcheck: "false" });
    this.script = h("textarea", { readonly: true, id: id("script"), rows: "3", class: "share-field", spellcheck: "false" });
    this.controls = h(
      "select",
      { class: "small", onchange: () => this.refresh() },
      CONTROLS.map((c) => h("option", { value: c, text: t(`share.controls.${c}`) })),
    );
    this.controls.value = "compact";
    this.autoplay = h("input", { type: "checkbox", checked: true, onchange: () => this.refresh() });
    this.atNow = h("input", { type: "checkbox", onchange: () => this.refresh() });
    this.atNowText = h("span", {});
    this.height = h("input", { type: "number", min: "240", max: "2000", step: "10", value: "600", class: "small height", onchange: () => this.refresh() });
    this.note = h("p", { class: "share-note" });
    this.status = h("p", { class: "share-status", role: "status", "aria-live": "polite" });
    const title = h("h2", { id: id("title"), text: t("share.title") });
    const block = (label, field, what) =>
      h("div", { class: "share-block" }, h("div", { class: "share-head" }, h("label", { for: field.id, text: label }), copyButton(field, what)), field);

    this.dialog = h(
      "dialog",
      { class: "share-dialog", "aria-labelledby": title.id },
      h("div", { class: "share-top" }, title, h("button", { type: "button", class: "secondary small", text: t("share.close"), onclick: () => this.close() })),
      block(t("share.link"), this.link, t("share.link")),
      h(
        "fieldset",
        { class: "share-options" },
        h("legend", { class: "visually-hidden", text: t("share.controls") }),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.controls") }), this.controls),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.height") }), this.height),
        h("label", { class: "check" }, this.autoplay, h("span", { text: t("share.autoplay") })),
        h("label", { class: "check" }, this.atNow, this.atNowText),
      ),
      block(t("share.iframe"), this.iframe, t("share.iframe")),
      block(t("share.script"), this.script, t("share.script")),
      this.note,
      this.status,
    );
    this.dialog.addEventListener("click", (e) => {
      if (e.target === this.dialog) this.close(); // a click on the backdrop
    });
  }

  get isOpen() {
    return this.dialog.open;
  }

  open() {
    setText(this.status, "");
    this.refresh();
    if (!this.dialog.open) this.dialog.showModal();
    this.link.focus();
    this.link.select();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  /** Recomputes the three texts from the run and the chosen options. */
  refresh() {
    const height = Math.max(240, Math.min(2000, Math.round(Number(this.height.value) || 600)));
    const out = this.make({ controls: this.controls.value, autoplay: this.autoplay.checked, atNow: this.atNow.checked, height });
    this.link.value = out.permalink;
    this.iframe.value = out.iframe;
    this.script.value = out.script;
    setText(this.atNowText, this.t("share.atNow", { t: formatTime(out.now) }));
    this.atNow.disabled = out.now === 0;
    setText(this.note, this.t("share.note", { base: out.base }));
  }

  async #copy(field) {
    try {
      await navigator.clipboard.writeText(field.value);
      setText(this.status, this.t("share.copied"));
    } catch {
      field.focus();
      field.select();
      setText(this.status, this.t("share.copyFailed"));
    }
  }
}
