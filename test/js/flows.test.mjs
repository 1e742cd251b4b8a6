// flows.js and the History's runs (model.js): with many replicas a multicast is drawn as one flow,
// so the page must know which messages are copies of one multicast and when all of them ended.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CROWD, MIN_FLOW, countByKind, sameMulticast } from "../../www/js/flows.js";
import { History } from "../../www/js/model.js";

const sent = (msg, time, from, to, kind = "prepare", seq = 1) => ({ id: 1000 + msg, time, type: "sent", msg, from, to, kind, deliverAt: time + 50 + msg, label: `${kind} ${msg}`, view: 0, seq });
const delivered = (msg, time) => ({ id: 2000 + msg, time, type: "delivered", msg });
const dropped = (msg, time) => ({ id: 3000 + msg, time, type: "dropped", msg, reason: "loss" });

test("sameMulticast: the same sender, kind, view, sequence number and send time", () => {
  const a = { from: 1, kind: "prepare", sentAt: 10, view: 0, seq: 3 };
  assert.ok(sameMulticast(a, { ...a, to: 2 }));
  for (const change of [{ from: 2 }, { kind: "commit" }, { sentAt: 11 }, { view: 1 }, { seq: 4 }]) assert.ok(!sameMulticast(a, { ...a, ...change }), JSON.stringify(change));
  assert.ok(CROWD >= 7 && CROWD <= 16 && MIN_FLOW >= 2);
});

test("History runs: copies of a multicast share one run, which counts the ones that ended", () => {
  const h = new History();
  // R1 multicasts a PREPARE to R0, R2, R3; R2 one to R0, R1, R3 at the same instant; then R0 a COMMIT to R1.
  h.ingest([sent(1, 0, 1, 0), sent(2, 0, 1, 2), sent(3, 0, 1, 3), sent(4, 0, 2, 0), sent(5, 0, 2, 1), sent(6, 0, 2, 3), sent(7, 5, 0, 1, "commit")]);
  assert.equal(h.runs.length, 3);
  assert.deepEqual(h.runs.map((r) => r.members.map((m) => m.id)), [[1, 2, 3], [4, 5, 6], [7]]);
  assert.ok(h.messages.every((m) => m.run.members.includes(m)));
  const [a, b] = h.runs;
  assert.deepEqual([a.ended, a.lastEnd], [0, -Infinity]);
  h.ingest([delivered(1, 51), dropped(2, 30), delivered(4, 54)]);
  assert.deepEqual([a.ended, a.lastEnd, b.ended, b.lastEnd], [2, 51, 1, 54]);
  h.ingest([delivered(3, 53)]);
  assert.deepEqual([a.ended, a.lastEnd], [3, 53], "every copy ended: the run is over at 53");
  // A message adopted from a snapshot (no "sent" event seen) is a run of its own, in send order.
  h.adopt([{ id: 8, from: 3, to: 0, kind: "commit", sentAt: 2, deliverAt: 80, label: "C" }]);
  assert.deepEqual(h.runs.map((r) => r.sentAt), [0, 0, 2, 5]);
  assert.deepEqual(h.runs[2].members.map((m) => m.id), [8]);
  h.reset();
  assert.deepEqual(h.runs, []);
});

test("History: a reset changes the epoch (what was drawn from the old history is stale)", () => {
  const h = new History();
  const e = h.epoch;
  h.ingest([sent(1, 0, 1, 0)]);
  assert.equal(h.epoch, e, "events do not change it");
  h.reset();
  assert.notEqual(h.epoch, e);
});

test("countByKind: counts in protocol order, unknown kinds last", () => {
  const ms = ["commit", "prepare", "prepare", "weird", "pre-prepare", "commit", "prepare"].map((kind) => ({ kind }));
  assert.deepEqual(countByKind(ms, ["pre-prepare", "prepare", "commit"]), [["pre-prepare", 1], ["prepare", 3], ["commit", 2], ["weird", 1]]);
  assert.deepEqual(countByKind([], ["prepare"]), []);
});
