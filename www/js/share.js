// The texts of the Share / Embed dialog (js/share-dialog.js, loaded when it first opens): the
// iframe and script snippets that reproduce the current run and settings, escaped as HTML
// attribute values. `snippets()` makes them (pure: no DOM, tested in Node).

import { DEFAULT_OP, DEFAULT_SPEED } from "./options.js";
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
