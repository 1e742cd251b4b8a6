// The Share / Embed dialog: a permalink, an iframe snippet and a script snippet that reproduce
// the current run and settings, each with a Copy button, and the exports. A native <dialog>
// (modal: focus stays inside, Escape closes it). Every field is text. Loaded when the dialog
// first opens (the element imports it by URL, js/ui.js openShare): what it needs of the
// element's modules is handed over in `lib` rather than imported, so that the built site keeps
// them in the element's own file, and the dialog's English words come with it (the zh-CN words
// are in js/i18n-zh-CN.js, loaded with the language).

/** The dialog's English words (the element adds them to its table: i18n.js addTable). */
export const WORDS = {
  "share.title": "Share or embed this run",
  "share.link": "Link to this run",
  "share.iframe": "Embed with an iframe",
  "share.script": "Embed with a script",
  "share.copy": "Copy",
  "share.copy.label": "Copy: {what}",
  "share.copied": "Copied to the clipboard.",
  "share.copyFailed": "Select the text and copy it (Ctrl+C / ⌘C).",
  "share.controls": "Controls",
  "share.controls.full": "full",
  "share.controls.compact": "compact",
  "share.controls.none": "none",
  "share.autoplay": "Play on its own",
  "share.atNow": "Open paused at a moment (now: {t})",
  "share.height": "iframe height (px)",
  "share.note": "Both snippets load the playground from {base}. To host it yourself, copy the files of dist/ (npm run build) to your site and use their address instead.",
  "share.close": "Close",
  "share.close.title": "Close this dialog (Escape)",
  "share.copy.title": "Copy the text to the clipboard",
  "share.link.title": "Opens the full playground on this run: at the start, or paused at the moment chosen below",
  "share.iframe.title": "Paste into a web page: the playground in a frame of its own",
  "share.script.title": "Paste into a web page: the playground as an element of the page",
  "share.controls.title": "Which controls the embed shows",
  "share.height.title": "The height of the iframe in pixels",
  "share.autoplay.title": "The embed starts playing by itself when it is visible (not when it opens paused at a moment)",
  "share.atNow.title": "The link and the embeds open paused at the chosen time instead of at the start",
  "share.lang": "Language",
  "share.lang.title": "The language of the embed",
  "share.lang.en": "English",
  "share.lang.zh-CN": "简体中文 (Chinese)",
  "share.theme": "Theme",
  "share.theme.title": "Light, dark, or following the reader’s system",
  "share.theme.auto": "automatic",
  "share.theme.light": "light",
  "share.theme.dark": "dark",
  "share.start": "Start at (ms)",
  "share.start.title": "The virtual time (in ms) the embed opens at, paused",
  "share.viewHeight": "View height (script)",
  "share.viewHeight.title": "The height of the ring and the diagram in the script embed",
  "share.viewHeight.auto": "responsive",
  "share.viewHeight.px": "{px} px",
  "export.title": "Export",
  "export.from": "From (ms)",
  "export.from.title": "The start of the time range the diagram and the sequence diagram show (virtual ms)",
  "export.to": "To (ms)",
  "export.to.title": "The end of the time range the diagram and the sequence diagram show (virtual ms)",
  "export.theme": "Diagram colours",
  "export.theme.title": "The colours of the exported diagram: light or dark",
  "export.svg": "Diagram (SVG)",
  "export.svg.title": "Download the time-space diagram of the chosen range as an SVG image, with real text and a legend, for a blog post",
  "export.png": "Ring (PNG)",
  "export.png.title": "Download the ring at this instant as a PNG image",
  "export.json": "Run (JSON)",
  "export.json.title": "Download the run as JSON: its settings, its actions and every event, which replay it in a fresh Simulation",
  "export.mermaid": "Sequence diagram (text)",
  "export.mermaid.title": "Download the messages of the chosen range as a Mermaid sequenceDiagram, one arrow per message",
  "export.saved": "Saved {name}.",
  "export.failed": "The export failed: {message}",
};

/** The heights of the ring and the diagram the dialog offers for the script embed ("" responsive). */
const VIEW_HEIGHTS = ["", "320", "420", "520", "640"];

let h, setText, formatTime;

export class ShareDialog {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {(choice: {controls: string, autoplay: boolean, atNow: boolean, start: number | null, height: number,
   *                    lang: string, theme: string, viewHeight: number | null}) =>
   *          {permalink: string, iframe: string, script: string, base: string, now: number, max: number}} make
   * @param {{ lang: string, theme: string }} [current]  the element's language and theme setting (the defaults offered)
   * @param {((kind: string, choice: object) => Promise<object>) | null} [exportRun]  the exports (none: no Export part)
   * @param {{ h, setText, formatTime, CONTROLS: string[], LANGUAGES: string[], THEMES: string[] }} lib
   *   js/dom.js's h and setText, i18n.js's formatTime and LANGUAGES, options.js's CONTROLS and THEMES
   */
  constructor(t, make, current = { lang: "en", theme: "auto" }, exportRun = null, lib) {
    ({ h, setText, formatTime } = lib);
    const { CONTROLS, LANGUAGES, THEMES } = lib;
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
    // An embed opened paused at a moment does not play on its own: the box says so by being off.
    this.autoplay.disabled = this.atNow.checked;
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
