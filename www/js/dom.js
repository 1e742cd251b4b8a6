// A tiny DOM builder. Text always goes through textContent / text nodes, never innerHTML.

/**
 * h("button", { class: "x", text: "Go", onclick: fn, "aria-label": "..." }, child, "text", ...)
 * Properties: `class`, `text` (textContent), `on<event>` (listener), `dataset` (object),
 * known DOM properties given non-string values (value, checked, disabled, hidden ...),
 * anything else becomes an attribute. `style` is never set (CSP-friendly).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "style") throw new Error("h(): inline styles are not allowed");
    else if (typeof v !== "string" && k in el) el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Sets textContent only when it changed (avoids needless layout work). */
export function setText(el, text) {
  const s = String(text);
  if (el.textContent !== s) el.textContent = s;
}

/** Toggles an attribute (boolean) only when needed. */
export function setFlag(el, name, on) {
  if (el.hasAttribute(name) !== !!on) el.toggleAttribute(name, !!on);
}

/** Sets an attribute only when it changed. */
export function setAttr(el, name, value) {
  const s = String(value);
  if (el.getAttribute(name) !== s) el.setAttribute(name, s);
}
