// panels.js: what makes a panel draw again (the panels themselves need a DOM: e2e/).

import assert from "node:assert/strict";
import { test } from "node:test";
import { clientKey } from "../../www/js/panels.js";

/** A snapshot's client after `count` accepted results, of which it keeps the latest 64. */
const snapshot = (count) => {
  const accepted = [];
  for (let t = Math.max(1, count - 63); t <= count; t++) accepted.push({ timestamp: t, op: `k=${t}`, result: "ok", view: 0, replicas: [0, 1] });
  return { client: { view: 0, outstanding: [], accepted, acceptedCount: count }, replicas: [{ name: "R0" }, { name: "R1" }] };
};

test("clientKey: changes with every accepted result, past the 64 the snapshot keeps", () => {
  assert.equal(snapshot(100).client.accepted.length, 64);
  const keys = [0, 1, 63, 64, 65, 100, 101].map((n) => clientKey(snapshot(n)));
  assert.equal(new Set(keys).size, keys.length, "one key per count");
  assert.equal(clientKey(snapshot(100)), clientKey(snapshot(100)), "the same picture, the same key");
});

test("clientKey: changes with the client's view, its outstanding requests and the replicas' names", () => {
  const base = clientKey(snapshot(70));
  const s = snapshot(70);
  s.client.view = 1;
  assert.notEqual(clientKey(s), base);
  const o = snapshot(70);
  o.client.outstanding = [{ timestamp: 71, op: "x=1", replies: [], matching: 0, needed: 2 }];
  assert.notEqual(clientKey(o), base);
  const r = snapshot(70);
  r.replicas[1].name = "Bob";
  assert.notEqual(clientKey(r), base);
});
