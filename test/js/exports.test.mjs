// The pure makers of js/exports.js: the Mermaid sequence diagram (one arrow per message in range,
// a note past the cap), the SVG (a group per kind shown, real text, escaped names) and the JSON.

import assert from "node:assert/strict";
import { test } from "node:test";
import { JSON_FORMAT, JSON_VERSION, fileName, mermaid, messagesOf, runJson, svgDiagram } from "../../www/js/exports.js";
import { translator } from "../../www/js/i18n.js";

const t = translator("en");
let id = 0;
const sent = (time, from, to, kind, label) => ({ id: ++id, time, type: "sent", msg: id, from, to, kind, label, deliverAt: time + 50 });
const events = [sent(0, -1, 0, "request", "REQ t1"), sent(60, 0, 1, "pre-prepare", "PP v0 n1"), sent(60, 0, 2, "pre-prepare", "PP v0 n1"), sent(200, 1, 2, "prepare", "P v0 n1: x;y#z")];
events.push({ id: ++id, time: 50, type: "delivered", msg: 1, from: -1, to: 0, kind: "request" });
events.push({ id: ++id, time: 90, type: "dropped", msg: 3, from: 0, to: 2, kind: "pre-prepare", reason: "loss" });
events.sort((a, b) => a.time - b.time || a.id - b.id);
const messages = messagesOf(events);
const names = ["R0", "Apple <b>", "R2", "R3"];

test("mermaid: participants, one arrow per message in range, -x for a dropped one", () => {
  const { text, arrows, left } = mermaid({ messages, n: 4, names, t0: 0, t1: 100, t });
  const lines = text.trim().split("\n");
  assert.equal(lines[0], "sequenceDiagram");
  assert.ok(lines.includes("  participant client as Client"));
  assert.ok(lines.includes("  participant R1 as Apple <b>"));
  assert.equal(arrows, 3);
  assert.equal(left, 0);
  assert.deepEqual(lines.filter((l) => /->>|-x/.test(l)), ["  client->>R0: REQ t1", "  R0->>R1: PP v0 n1", "  R0-xR2: PP v0 n1"]);
});

test("mermaid: a label's separators are cleaned; past the cap a note tells how many were left out", () => {
  const all = mermaid({ messages, n: 4, names, t0: 0, t1: 1000, t });
  assert.ok(all.text.includes("  R1->>R2: P v0 n1 x y z"));
  const capped = mermaid({ messages, n: 4, names, t0: 0, t1: 1000, t, max: 2 });
  assert.equal(capped.arrows, 2);
  assert.equal(capped.left, 2);
  assert.match(capped.text, /Note over R0,R3: 2 more messages left out\n$/);
});

test("svg: a group per kind shown, the kinds named, names escaped", () => {
  const { svg, kinds, count } = svgDiagram({ messages, n: 4, names, t0: 0, t1: 100, theme: "dark", t });
  assert.deepEqual(kinds, ["request", "pre-prepare"]);
  assert.equal(count, 3);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes('<g class="messages" data-kind="request"'));
  assert.ok(svg.includes(">pre-prepare</text>"));
  assert.ok(svg.includes("Apple &lt;b&gt;") && !svg.includes("Apple <b>"));
  assert.ok(!svg.includes('data-kind="prepare"'), "a kind outside the range is not drawn");
});

test("json: format, version, options and events; file names", () => {
  const run = JSON.parse(runJson({ config: { n: 4, seed: 1 }, options: { n: 4, seed: 1, actions: [] }, until: 300, events }));
  assert.equal(run.format, JSON_FORMAT);
  assert.equal(run.version, JSON_VERSION);
  assert.equal(run.events.length, events.length);
  assert.equal(fileName({ n: 4, seed: 1, preset: "normal" }, 0, 800, "svg"), "pbft-n4-seed1-normal-0-800ms.svg");
  assert.equal(fileName({ n: 7, seed: 3, preset: "" }, null, null, "json"), "pbft-n7-seed3.json");
});
