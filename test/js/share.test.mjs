// share.js: the iframe and script snippets of the Share / Embed dialog reproduce the run and
// the settings that differ from the defaults, escaped as HTML attribute values.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeActions } from "../../www/js/permalink.js";
import { escapeAttr, snippets } from "../../www/js/share.js";

const MODULE = "https://example.com/pbft/pbft-playground.js";
const actions = [{ at: 0, type: "request", op: "a&b" }, { at: 120, type: "crash", replica: 2 }];
const run = { n: 4, seed: 1, preset: "", names: null, actions, baseActions: [], t: null };

test("escapeAttr", () => {
  assert.equal(escapeAttr(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
});

test("defaults: compact controls, autoplay, only the run in the snippets", () => {
  const out = snippets({ run, moduleUrl: MODULE, controls: "compact", autoplay: true, height: 600, title: "PBFT playground" });
  assert.equal(out.base, "https://example.com/pbft/");
  const a = out.iframe.match(/a=([\w-]+)/)[1];
  assert.deepEqual(decodeActions(a), actions);
  assert.equal(
    out.iframe,
    `<iframe src="https://example.com/pbft/embed.html?n=4&amp;seed=1&amp;a=${a}&amp;autoplay=1" title="PBFT playground" width="100%" height="600" loading="lazy" frameborder="0"></iframe>`,
  );
  assert.equal(out.script, `<script type="module" src="${MODULE}"></script>\n<pbft-playground n="4" seed="1" autoplay controls="compact" actions="${a}"></pbft-playground>`);
});

test("settings that differ from the defaults go into both snippets; a moment opens paused", () => {
  const moment = { ...run, preset: "generals", names: ["Apple", "MS", "Google", "IBM"], baseActions: actions, t: 2500 };
  const settings = { op: "x=\"1\"", lang: "zh-CN", theme: "dark", speed: 8 };
  const out = snippets({ run: moment, moduleUrl: MODULE, settings, controls: "full", autoplay: true, height: 480, title: "PBFT <演示>" });
  assert.match(out.iframe, /embed\.html\?n=4&amp;seed=1&amp;preset=generals&amp;names=Apple,MS,Google,IBM&amp;t=2500&amp;op=x%3D%221%22&amp;lang=zh-CN&amp;theme=dark&amp;speed=8&amp;controls=full"/);
  assert.doesNotMatch(out.iframe, /autoplay/, "a moment opens paused");
  assert.match(out.iframe, /title="PBFT &lt;演示&gt;" width="100%" height="480"/);
  assert.equal(
    out.script.split("\n")[1],
    `<pbft-playground n="4" seed="1" preset="generals" names="Apple,MS,Google,IBM" op="x=&quot;1&quot;" speed="8" lang="zh-CN" theme="dark" t="2500"></pbft-playground>`,
  );
  // The default operation is left out unless the op attribute asked for another.
  const plain = snippets({ run, moduleUrl: MODULE, settings: { op: "warTime=1234" }, controls: "none", autoplay: false, height: 600, title: "" });
  assert.doesNotMatch(plain.script, /op=/);
  assert.match(plain.script, /controls="none"/);
  const asked = snippets({ run, moduleUrl: MODULE, settings: { op: "warTime=1234", opAttribute: "y=2" }, controls: "compact", autoplay: false, height: 600, title: "" });
  assert.match(asked.script, /op="warTime=1234"/);
});
