// The Share / Embed dialog: a permalink, an iframe snippet and a script snippet that reproduce
// the current run and settings, each with a Copy button. A native <dialog> (modal: focus stays
// inside, Escape closes it). Every field is text; snippets are escaped as HTML attribute values.
// `snippets()` makes the texts (pure: no DOM, tested in Node).

import { h, setText } from "./dom.js";
import { LANGUAGES, formatTime } from "./i18n.js";
import { CONTROLS, DEFAULT_OP, DEFAULT_SPEED, THEMES } from "./options.js";

/** The heights of the ring and the diagram the dialog offers for the script embed ("" responsive). */
export const VIEW_HEIGHTS = ["", "320", "420", "520", "640"];
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
 * @param {number | null} [o.viewHeight]  the script embed's ring and diagram height (px; null: responsive)
 * @returns {{ iframe: string, script: string, base: string }}
 */
export function snippets({ run, moduleUrl, settings = {}, controls, autoplay, height, title, viewHeight = null }) {
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
  if (run.loss > 0) attrs.push(["loss", String(run.loss)]);
  if (extra.op !== undefined) attrs.push(["op", extra.op]);
  if (wantsAutoplay) attrs.push(["autoplay", null]);
  if (controls !== "full") attrs.push(["controls", controls]);
  if (extra.speed) attrs.push(["speed", extra.speed]);
  if (extra.lang) attrs.push(["lang", extra.lang]);
  if (extra.theme) attrs.push(["theme", extra.theme]);
  if (viewHeight) attrs.push(["height", String(viewHeight)]);
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
   * @param {(choice: {controls: string, autoplay: boolean, atNow: boolean, start: number | null, height: number,
   *                    lang: string, theme: string, viewHeight: number | null}) =>
   *          {permalink: string, iframe: string, script: string, base: string, now: number, max: number}} make
   * @param {{ lang: string, theme: string }} [current]  the element's language and theme setting (the defaults offered)
   */
  constructor(t, make, current = { lang: "en", theme: "auto" }, exportRun = null) {
    this.t = t;
    this.make = make;
    this.exportRun = exportRun;
    let n = 0;
    const id = (name) => `share-${name}-${++n}`;
    const copyButton = (field, what) =>
      h("button", { type: "button", class: "secondary small copy", text: t("share.copy"), "aria-label": t("share.copy.label", { what }), title: t("share.copy.title"), onclick: () => this.#copy(field) });

    this.link = h("input", { type: "text", readonly: true, id: id("link"), class: "share-field", spellcheck: "false", title: t("share.link.title") });
    this.iframe = h("textarea", { readonly: true, id: id("iframe"), rows: "3", class: "share-field", spellcheck: "false", title: t("share.iframe.title") });
    this.script = h("textarea", { readonly: true, id: id("script"), rows: "3", class: "share-field", spellcheck: "false", title: t("share.script.title") });
    this.controls = h(
      "select",
      { class: "small", title: t("share.controls.title"), onchange: () => this.refresh() },
      CONTROLS.map((c) => h("option", { value: c, text: t(`share.controls.${c}`) })),
    );
    this.controls.value = "compact";
    this.lang = h(
      "select",
      { class: "small", title: t("share.lang.title"), onchange: () => this.refresh() },
      LANGUAGES.map((l) => h("option", { value: l, text: t(`share.lang.${l}`), lang: l })),
    );
    this.lang.value = LANGUAGES.includes(current.lang) ? current.lang : "en";
    this.theme = h(
      "select",
      { class: "small", title: t("share.theme.title"), onchange: () => this.refresh() },
      THEMES.map((x) => h("option", { value: x, text: t(`share.theme.${x}`) })),
    );
    this.theme.value = THEMES.includes(current.theme) ? current.theme : "auto";
    this.viewHeight = h(
      "select",
      { class: "small", title: t("share.viewHeight.title"), onchange: () => this.refresh() },
      VIEW_HEIGHTS.map((px) => h("option", { value: px, text: px ? t("share.viewHeight.px", { px }) : t("share.viewHeight.auto") })),
    );
    this.autoplay = h("input", { type: "checkbox", checked: true, title: t("share.autoplay.title"), onchange: () => this.refresh() });
    this.atNow = h("input", { type: "checkbox", title: t("share.atNow.title"), onchange: () => {
      // Ticked: the start time is the current moment until someone types another.
      if (this.atNow.checked && !this.startEdited) this.start.value = String(this.now ?? 0);
      this.refresh();
    } });
    this.atNowText = h("span", {});
    this.start = h("input", { type: "number", min: "0", step: "100", value: "0", class: "small start", title: t("share.start.title"), disabled: true, onchange: () => {
      this.startEdited = true;
      this.refresh();
    } });
    this.height = h("input", { type: "number", min: "240", max: "2000", step: "10", value: "600", class: "small height", title: t("share.height.title"), onchange: () => this.refresh() });
    this.note = h("p", { class: "share-note" });
    this.status = h("p", { class: "share-status", role: "status", "aria-live": "polite" });
    const title = h("h2", { id: id("title"), text: t("share.title") });
    // Exports (made in the page, offline): the diagram of a time range as SVG, the ring as PNG,
    // the run as JSON and as a text sequence diagram; exports.js is loaded at the first click.
    const num = (name, value) => h("input", { type: "number", min: "0", step: "100", value, class: "small start", title: t(`export.${name}.title`), onchange: () => (this.rangeEdited = true) });
    this.from = num("from", "0");
    this.to = num("to", "0");
    this.svgTheme = h(
      "select",
      { class: "small", title: t("export.theme.title") },
      ["light", "dark"].map((x) => h("option", { value: x, text: t(`share.theme.${x}`) })),
    );
    this.svgTheme.value = current.theme === "dark" ? "dark" : "light";
    const exportButton = (kind) => h("button", { type: "button", class: "secondary small export", dataset: { export: kind }, text: t(`export.${kind}`), title: t(`export.${kind}.title`), onclick: () => this.#export(kind) });
    this.exports = h(
      "fieldset",
      { class: "share-options share-export" },
      h("legend", { text: t("export.title") }),
      h("label", { class: "field" }, h("span", { class: "field-label", text: t("export.from") }), this.from),
      h("label", { class: "field" }, h("span", { class: "field-label", text: t("export.to") }), this.to),
      h("label", { class: "field" }, h("span", { class: "field-label", text: t("export.theme") }), this.svgTheme),
      h("div", { class: "export-buttons" }, ["svg", "png", "json", "mermaid"].map(exportButton)),
    );
    const block = (label, field, what) =>
      h("div", { class: "share-block" }, h("div", { class: "share-head" }, h("label", { for: field.id, text: label }), copyButton(field, what)), field);

    this.dialog = h(
      "dialog",
      { class: "share-dialog", "aria-labelledby": title.id },
      h("div", { class: "share-top" }, title, h("button", { type: "button", class: "secondary small", text: t("share.close"), title: t("share.close.title"), onclick: () => this.close() })),
      block(t("share.link"), this.link, t("share.link")),
      h(
        "fieldset",
        { class: "share-options" },
        h("legend", { class: "visually-hidden", text: t("share.controls") }),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.controls") }), this.controls),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.lang") }), this.lang),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.theme") }), this.theme),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.height") }), this.height),
        h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.viewHeight") }), this.viewHeight),
        h("label", { class: "check" }, this.autoplay, h("span", { text: t("share.autoplay") })),
        h(
          "div",
          { class: "share-start" },
          h("label", { class: "check" }, this.atNow, this.atNowText),
          h("label", { class: "field" }, h("span", { class: "field-label", text: t("share.start") }), this.start),
        ),
      ),
      block(t("share.iframe"), this.iframe, t("share.iframe")),
      block(t("share.script"), this.script, t("share.script")),
      this.exportRun ? this.exports : null,
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
    this.startEdited = false;
    this.rangeEdited = false;
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
    const start = Math.max(0, Math.floor(Number(this.start.value) || 0));
    const choice = {
      controls: this.controls.value,
      autoplay: this.autoplay.checked,
      atNow: this.atNow.checked,
      start: this.atNow.checked ? start : null,
      height,
      lang: this.lang.value,
      theme: this.theme.value,
      viewHeight: this.viewHeight.value ? Number(this.viewHeight.value) : null,
    };
    const out = this.make(choice);
    this.now = out.now;
    if (this.atNow.checked && !this.startEdited) this.start.value = String(Math.floor(out.now));
    this.start.disabled = !this.atNow.checked;
    this.link.value = out.permalink;
    this.iframe.value = out.iframe;
    this.script.value = out.script;
    setText(this.atNowText, this.t("share.atNow", { t: formatTime(out.now) }));
    this.atNow.disabled = out.now === 0 && !this.atNow.checked;
    setText(this.note, this.t("share.note", { base: out.base }));
    // The export range: the whole run so far, until someone types another.
    if (!this.rangeEdited) {
      this.from.value = "0";
      this.to.value = String(Math.ceil(out.max ?? out.now));
    }
  }

  /** The export range and theme chosen. */
  exportChoice() {
    const from = Math.max(0, Math.floor(Number(this.from.value) || 0));
    const to = Math.max(from, Math.floor(Number(this.to.value) || 0));
    return { from, to, theme: this.svgTheme.value, download: true };
  }

  async #export(kind) {
    try {
      const out = await this.exportRun(kind, this.exportChoice());
      setText(this.status, this.t("export.saved", { name: out.name }));
    } catch (e) {
      setText(this.status, this.t("export.failed", { message: e?.message ?? String(e) }));
    }
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
