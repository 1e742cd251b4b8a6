// The guided tour's pure logic (www/js/tour-logic.js, tour-chapters.js): the quorums read off the
// engine's events, what stopped an attack, the tour's address, and its words in both languages.

import assert from "node:assert/strict";
import { test } from "node:test";
import ENGLISH from "../../www/js/i18n-tour.js";
import zh from "../../www/js/i18n-tour-zh-CN.js";
import { CHAPTERS, tourKeys } from "../../www/js/tour-chapters.js";
import { QuorumTracker, faultyOf, quorumSize, readTourParams, tourSearch } from "../../www/js/tour-logic.js";

let id = 0;
const sent = (msg, from, to, kind, seq, digest, view = 0) => ({ id: id++, type: "sent", time: id, msg, from, to, kind, view, seq, digest });
const delivered = (msg, from, to, kind) => ({ id: id++, type: "delivered", time: id, msg, from, to, kind });
const committed = (replica, seq, digest, view = 0) => ({ id: id++, type: "phase", time: id, replica, view, seq, digest, phase: "committed" });

/** Replica `to` gets a COMMIT for (seq, digest) from each of `froms`. */
function commits(tr, to, froms, seq, digest) {
  for (const from of froms) {
    const msg = 1000 + from * 10 + to;
    tr.feed(sent(msg, from, to, "commit", seq, digest));
    tr.feed(delivered(msg, from, to, "commit"));
  }
}

test("quorum sizes: 2f + 1 for n = 3f + 1", () => {
  assert.deepEqual([4, 7, 10, 31].map(quorumSize), [3, 5, 7, 21]);
});

test("a commit quorum is the replica and the senders of the matching COMMITs it had received", () => {
  const tr = new QuorumTracker();
  commits(tr, 1, [0, 2], 1, "aaaa");
  commits(tr, 1, [3], 1, "bbbb"); // another digest: not counted
  tr.feed(committed(1, 1, "aaaa"));
  commits(tr, 2, [3], 1, "aaaa"); // after R1 committed, to another replica: not R1's
  assert.deepEqual(tr.quorums.map((q) => [q.replica, q.members]), [[1, [0, 1, 2]]]);
  assert.equal(tr.pair(), null, "one quorum is no pair");
  commits(tr, 2, [0], 1, "aaaa");
  tr.feed(committed(2, 1, "aaaa"));
  const p = tr.pair();
  assert.deepEqual([p.a.replica, p.a.members, p.b.replica, p.b.members, p.overlap], [1, [0, 1, 2], 2, [0, 2, 3], [0, 2]]);
  assert.deepEqual(tr.pair([1]), null, "the quorums of faulty replicas are left out");
});

test("what stopped a rival request: the votes it lacked had to come from honest replicas of the committed quorum", () => {
  // R0 (faulty) pre-prepares "bbbb" to R2, which prepares it; in view 1 R1 commits "aaaa" with R2 and R3.
  const t2 = new QuorumTracker();
  for (const e of [sent(1, 0, 2, "pre-prepare", 1, "bbbb"), sent(2, 2, 1, "prepare", 1, "bbbb")]) t2.feed(e);
  for (const from of [2, 3]) {
    t2.feed(sent(2000 + from, from, 1, "commit", 1, "aaaa", 1));
    t2.feed(delivered(2000 + from, from, 1, "commit"));
  }
  t2.feed(committed(1, 1, "aaaa", 1));
  t2.feed({ id: id++, type: "executed", time: id, replica: 1, seq: 1, digest: "aaaa", op: "warTime=1234" });
  const s = t2.stopped(4, [0]);
  assert.equal(s.op, "warTime=1234");
  assert.deepEqual(s.a.members, [1, 2, 3]);
  assert.deepEqual(s.rival.supporters, [0, 2]);
  assert.deepEqual(s.rival.needed, [1], "one vote short, and R1 (honest, in the quorum, not a supporter) is the one it lacked");
  assert.deepEqual(s.b.members, [0, 1, 2]);
  assert.deepEqual(s.stoppers, [1]);
  assert.ok(s.overlap.includes(1));
  assert.equal(new QuorumTracker().stopped(4, []), null, "nothing committed: nothing to tell");
});

test("without a rival, the verdict is two honest quorums and their honest overlap", () => {
  const tr = new QuorumTracker();
  commits(tr, 1, [0, 2], 1, "aaaa");
  tr.feed(committed(1, 1, "aaaa"));
  commits(tr, 3, [0, 2], 1, "aaaa");
  tr.feed(committed(3, 1, "aaaa"));
  const s = tr.stopped(4, [0]);
  assert.equal(s.rival, null);
  assert.deepEqual(s.overlap, [0, 2]);
  assert.deepEqual(s.stoppers, [2], "the faulty R0 is in the overlap, the honest R2 too");
});

test("faulty replicas are the crashed and the not honest", () => {
  const replicas = [{ id: 0, up: true, behavior: "equivocate" }, { id: 1, up: false, behavior: "honest" }, { id: 2, up: true, behavior: "honest" }];
  assert.deepEqual(faultyOf({ replicas }), [0, 1]);
});

test("the tour's address: chapter and 1-based step, clamped, bad values named", () => {
  assert.deepEqual(readTourParams(null, null, CHAPTERS), { chapter: null, step: 0, problems: [] });
  assert.deepEqual(readTourParams("", null, CHAPTERS), { chapter: "", step: 0, problems: [] });
  assert.deepEqual(readTourParams("view-change", "3", CHAPTERS), { chapter: "view-change", step: 2, problems: [] });
  assert.deepEqual(readTourParams("view-change", "99", CHAPTERS), { chapter: "view-change", step: 5, problems: [] });
  assert.deepEqual(readTourParams("view-change", "x", CHAPTERS), { chapter: "view-change", step: 0, problems: ["step"] });
  assert.deepEqual(readTourParams("nope", "2", CHAPTERS), { chapter: "", step: 0, problems: ["tour"] });
  assert.equal(tourSearch("view-change", 2), "?tour=view-change&step=3");
  assert.equal(tourSearch("generals", 0, "zh-CN"), "?tour=generals&step=1&lang=zh-CN");
});

test("every chapter has a run first, distinct step ids, questions with a right answer, and ends with “try this”", () => {
  const ids = CHAPTERS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.length >= 10);
  for (const c of CHAPTERS) {
    assert.ok(c.steps[0].run, `${c.id} starts with a run`);
    assert.equal(new Set(c.steps.map((s) => s.id)).size, c.steps.length, c.id);
    assert.equal(c.steps.at(-1).id, "try", `${c.id} ends with try`);
    for (const s of c.steps) if (s.q) assert.ok(s.q[1] >= 0 && s.q[1] < s.q[0], `${c.id}.${s.id}`);
  }
  assert.ok(CHAPTERS.reduce((k, c) => k + c.steps.filter((s) => s.q).length, 0) >= 10, "questions to predict");
});

test("every word of the tour exists in both of its tables (i18n-tour.js, i18n-tour-zh-CN.js), with the same placeholders", () => {
  const keys = tourKeys();
  assert.deepEqual(keys.filter((k) => !Object.hasOwn(ENGLISH, k)), [], "missing in English");
  assert.deepEqual(keys.filter((k) => !Object.hasOwn(zh, k)), [], "missing in zh-CN");
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join();
  assert.deepEqual(keys.filter((k) => ph(ENGLISH[k]) !== ph(zh[k])), []);
  // The words of the tour's controls too (js/tour.js).
  for (const k of ["tour.back", "tour.next", "tour.skip", "tour.right", "tour.wrong", "tour.end", "tour.budget", "tour.overBudget", "tour.send", "tour.close"]) {
    assert.ok(ENGLISH[k] && zh[k], k);
  }
});
