// narrator.js: a milestone is said once, and scrubbing back unsays what came after: the caption
// then tells the latest milestone at or before the instant shown, and the later ones are said
// again when the run gets there.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Narrator } from "../../www/js/narrator.js";
import { translator } from "../../www/js/i18n.js";

const name = (i) => `R${i}`;
const submitted = { type: "submitted", client: 0, timestamp: 1, op: "x=1", time: 0 };
const prePrepared = { type: "phase", phase: "pre-prepared", replica: 0, view: 0, seq: 1, time: 40 };
const accepted = { type: "accepted", client: 0, timestamp: 1, result: "x=1", time: 600 };

function narrator() {
  const region = { textContent: "" };
  const n = new Narrator(region, translator("en"));
  n.reset("Press Send request to start.");
  return { n, region };
}

/** Says everything waiting, one sentence per interval of wall time. */
function sayAll(n, wall = { t: 0 }) {
  const said = [];
  while (n.dueIn(wall.t) !== null) {
    wall.t += 10_000;
    if (n.tick(wall.t)) said.push(n.region.textContent);
  }
  return said;
}

test("at rest (paused or ended) the caption tells the newest milestone at once, not one still waiting its turn", () => {
  const { n, region } = narrator();
  const t = translator("en");
  n.feed([submitted, prePrepared], name, 4);
  assert.equal(n.tick(0), true);
  assert.match(region.textContent, /t1/, "the request sent, said first");
  // The pre-prepare waits its turn (one sentence per interval): the run stops now.
  assert.equal(n.settle(10), true);
  assert.equal(region.textContent, t("say.pre-prepared", { replica: "R0", seq: 1, view: 0 }), "the newest, at once");
  assert.equal(n.dueIn(10), null, "nothing waits any more");
  assert.equal(n.settle(20), false, "nothing new: unchanged");
});

test("scrubbing back: the caption is the latest milestone at or before the instant, never a later one", () => {
  const { n, region } = narrator();
  const t = translator("en");
  n.feed([submitted, prePrepared, accepted], name, 4);
  sayAll(n);
  assert.match(region.textContent, /accepts/);
  n.rewind(300);
  assert.equal(region.textContent, t("say.pre-prepared", { replica: "R0", seq: 1, view: 0 }));
  n.rewind(0);
  assert.equal(region.textContent, t("say.submitted", { op: "x=1", timestamp: 1 }));
  n.rewind(-1);
  assert.equal(region.textContent, "Press Send request to start.", "before anything happened: the first words");
});

test("what came after the instant is said again when the run gets there; what came before is not", () => {
  const { n, region } = narrator();
  const wall = { t: 0 };
  n.feed([submitted, prePrepared, accepted], name, 4);
  sayAll(n, wall);
  n.rewind(300);
  // The replay feeds the events after 300 ms again.
  n.feed([accepted], name, 4);
  assert.deepEqual(sayAll(n, wall).length, 1);
  assert.match(region.textContent, /accepts/);
  // A milestone before the instant stays said.
  n.feed([prePrepared], name, 4);
  assert.equal(n.dueIn(wall.t), null, "nothing waits");
});

test("a jump forward keeps everything said", () => {
  const { n } = narrator();
  n.feed([submitted], name, 4);
  n.skip();
  assert.equal(n.dueIn(0), null);
  n.feed([submitted], name, 4);
  assert.equal(n.dueIn(0), null, "said once");
});

test("scrubbing back past the milestones still remembered says nothing, not the first words", () => {
  const { n, region } = narrator();
  const many = Array.from({ length: 1200 }, (_, i) => ({ type: "checkpoint-stable", seq: i + 1, time: 100 + i }));
  n.feed(many, name, 4);
  n.rewind(1250);
  assert.match(region.textContent, /n1151\b/, "a remembered milestone");
  n.rewind(150);
  assert.equal(region.textContent, "", "the milestones of that time are no longer kept");
});

test("a fast run does not leave the caption behind: only the freshest few sentences wait their turn", () => {
  const { n, region } = narrator();
  const crashes = Array.from({ length: 8 }, (_, i) => ({ type: "fault", id: i, time: i * 10, replica: i, action: { type: "crash", replica: i } }));
  n.feed(crashes, name, 8);
  const said = sayAll(n);
  assert.ok(said.length <= 3, `at most the three freshest are said: ${said}`);
  assert.match(region.textContent, /R7/, "the newest is said last");
  assert.ok(!said.some((s) => /R0\b/.test(s)), "the oldest was dropped");
});
