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

test("the status line's view is the one a quorum installed; a change under way is named", async () => {
  const { clusterView } = await import("../../www/js/model.js");
  const rep = (view, status = "normal", up = true) => ({ view, status, up });
  const snap = (replicas) => ({ n: replicas.length, quorum: 3, replicas });
  // Only the faulty R0 moved on: the cluster is still in view 0.
  assert.deepEqual(clusterView(snap([rep(1, "view-change"), rep(0), rep(0), rep(0)])), { view: 0, changing: 1 });
  // f + 1 crashed: view 1 is never installed.
  assert.deepEqual(clusterView(snap([rep(0, "normal", false), rep(0, "normal", false), rep(1, "view-change"), rep(1, "view-change")])), { view: 0, changing: 1 });
  // Installed by three, the crashed R0 still in view 0.
  assert.deepEqual(clusterView(snap([rep(0, "normal", false), rep(1), rep(1), rep(1)])), { view: 1, changing: null });
  // Two in view 2 and one already asking for 3: view 2 is installed by a quorum (one is past it).
  assert.deepEqual(clusterView(snap([rep(2), rep(2), rep(3, "view-change"), rep(1)])), { view: 2, changing: 3 });
});

test("exactly one replica is marked primary: the cluster view's", async () => {
  const { markPrimary } = await import("../../www/js/model.js");
  // After a view change to 1, the crashed R0 still calls itself primary of view 0.
  const snap = { n: 4, quorum: 3, replicas: [0, 1, 1, 1].map((view, i) => ({ id: i, view, status: "normal", up: i !== 0, isPrimary: i === view % 4 })) };
  markPrimary(snap);
  assert.deepEqual(snap.replicas.map((r) => r.isPrimary), [false, true, false, false]);
  assert.equal(snap.replicas[0].ownPrimary, true, "the engine's own flag is kept");
});
