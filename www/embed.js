// embed.html?preset=primary-crash&n=4&autoplay ...: every known URL parameter becomes an
// attribute of one <pbft-playground> (the element checks the values and shows a notice for a
// bad one). `a` is accepted for `actions`, as in permalinks. Defaults for an iframe:
// controls="compact" and height="fill" (the element fills the iframe).

const NAMES = ["n", "seed", "preset", "names", "loss", "op", "autoplay", "controls", "speed", "lang", "theme", "height", "actions", "t", "tour"];

const params = new URLSearchParams(location.search);
const el = document.createElement("pbft-playground");
for (const name of NAMES) {
  const value = params.get(name) ?? (name === "actions" ? params.get("a") : null);
  if (value !== null) el.setAttribute(name, value); // text only: never parsed as markup
}
// A chapter of the guided tour: ?tour=view-change&step=3.
if (params.has("step")) el.setAttribute("tour-step", params.get("step").slice(0, 40));
// A parameter embed.html does not read is named in a notice by the element (a typo would pass unnoticed).
const unknown = [...new Set(params.keys())].filter((name) => !NAMES.includes(name) && name !== "a" && name !== "step");
if (unknown.length) el.dataset.unknownParams = unknown.join(",").slice(0, 200);
if (!el.hasAttribute("controls")) el.setAttribute("controls", "compact");
if (!el.hasAttribute("height")) el.setAttribute("height", "fill");
const theme = (params.get("theme") || "").toLowerCase();
if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
document.getElementById("embed").append(el);

// The element's module, shared with any other element of the page (loaded once).
await import("./pbft-playground.js");
