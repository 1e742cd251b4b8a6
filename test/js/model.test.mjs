// model.js: what the renderers read, derived from the event stream; the inspector's selection;
// partitions. timeline.js: the run's events for scrubbing, with one fork path. clock.js: wall
// time to virtual time. All against a stand-in engine (the real one: pkg.test.mjs).

import assert from "node:assert/strict";
import { test } from "node:test";
import { Clock, FrameTimes } from "../../www/js/clock.js";
import { History, Selection, currentEntry, faultIntervals, inspection, toggleIsolation } from "../../www/js/model.js";
import { Timeline } from "../../www/js/timeline.js";

const sent = (id, time, from = 0, to = 1, kind = "prepare") => ({ id: 100 + id, time, type: "sent", msg: id, from, to, kind, deliverAt: time + 50, label: `P ${id}`, view: 0, seq: 1 });
const delivered = (id, time) => ({ id: 200 + id, time, type: "delivered", msg: id, from: 0, to: 1, kind: "prepare" });
const dropped = (id, time, reason = "loss") => ({ id: 300 + id, time, type: "dropped", msg: id, from: 0, to: 1, kind: "prepare", reason });

test("History: messages live, end with their fate; log, marks and violations", () => {
  const h = new History();
  h.ingest([sent(1, 0), sent(2, 0), { id: 9, time: 10, type: "phase", replica: 1, view: 0, seq: 1, digest: "d", phase: "prepared" }]);
  assert.deepEqual([...h.live.keys()], [1, 2]);
  h.ingest([dropped(2, 40, "partition"), delivered(1, 50), { id: 10, time: 60, type: "violation", violation: { code: "order" } }]);
  assert.equal(h.live.size, 0);
  assert.deepEqual(h.ended.map((m) => [m.id, m.fate, m.endAt]), [[2, "partition", 40], [1, "delivered", 50]]);
  assert.equal(h.marks.length, 1);
  assert.deepEqual(h.log.map((e) => e.type), ["phase", "dropped", "violation"], "sent/delivered only in the verbose log");
  assert.equal(h.logAll.length, 6);
  assert.equal(h.violations.length, 1);
  assert.deepEqual([...h.recentlyEnded(50, 20)].map((m) => m.id), [1, 2], "newest first");
  assert.deepEqual([...h.recentlyEnded(50, 5)].map((m) => m.id), [1]);
  const v = h.version;
  assert.equal(h.adopt([{ id: 7, from: 1, to: 2, kind: "commit", sentAt: 5, deliverAt: 90, label: "C" }]), true);
  assert.equal(h.version, v + 1);
  assert.deepEqual(h.messages.map((m) => m.id), [1, 2, 7], "kept in send order");
  assert.equal(h.adopt([{ id: 7 }]), false);
});

const rejected = (id, time, msg, node = 1, from = 0, reason = { code: "conflicting-vote", kind: "prepare", view: 0, seq: 1 }) => ({ id: 400 + id, time, type: "rejected", node, from, reason, msg });

test("History: a refused message is marked where it landed, with the check, and only recent ones are kept", () => {
  const h = new History();
  h.ingest([sent(1, 0, 0, 1, "new-view"), sent(2, 0)]);
  h.ingest([delivered(1, 50), rejected(1, 50, 1, 1, 0, { code: "new-view-not-from-primary", view: 1, primary: 1 })]);
  // The refusal: who refused what from whom, and why; on the message's record too.
  assert.deepEqual(h.refusals, [{ id: 401, time: 50, node: 1, from: 0, msg: 1, kind: "new-view", reason: { code: "new-view-not-from-primary", view: 1, primary: 1 } }]);
  const m = h.record(1);
  assert.equal(m.fate, "delivered");
  assert.equal(m.refusal, h.refusals[0]);
  assert.equal(h.record(2).refusal, null, "a message still in flight was refused by no one");
  // The log line knows the message's kind (the engine's event does not carry it); the event itself is untouched.
  assert.equal(h.log.at(-1).type, "rejected");
  assert.equal(h.log.at(-1).kind, "new-view");
  // A message kept aside and refused later: no message id; the kind comes from the reason (or is unknown).
  const aside = rejected(2, 70, null, 3, 2, { code: "conflicting-vote", kind: "commit", view: 0, seq: 4 });
  h.ingest([aside, rejected(3, 80, undefined, 2, 3, { code: "uncertified-state", seq: 8 })]);
  // A resent vote that was ignored is no failed check: no mark.
  h.ingest([rejected(4, 75, null, 1, 2, { code: "duplicate-vote", kind: "prepare", seq: 4 })]);
  assert.equal("kind" in aside, false, "the engine's event is not changed");
  assert.deepEqual(h.refusals.slice(1).map((r) => [r.msg, r.node, r.from, r.kind]), [[null, 3, 2, "commit"], [null, 2, 3, null]]);
  // Recent ones, newest first, for the ring (drawn for a while after arrival).
  assert.deepEqual([...h.recentRefusals(80, 20)].map((r) => r.id), [403, 402]);
  assert.deepEqual([...h.recentRefusals(80, 40)].map((r) => r.id), [403, 402, 401]);
  assert.deepEqual([...h.recentRefusals(60, 40)].map((r) => r.id), [401], "later ones are not drawn yet");
  assert.deepEqual([...h.recentRefusals(500, 40)], []);
  // The inspector tells the check of a refused message.
  const seen = inspection(h, 1, { partition: [0, 0, 0, 0] }, new Set(), null);
  assert.deepEqual([seen.live, seen.fate, seen.refusal?.reason.code], [false, "delivered", "new-view-not-from-primary"]);
  // Picking a refused message (its mark) works like picking one in flight.
  const s = new Selection();
  s.pick(1, { inFlight: [] }, false);
  assert.equal(s.gone(h), false);
  assert.equal(s.view(h, { partition: [0, 0, 0, 0] }, new Set()).refusal.node, 1);
  // Bounded: a flood of refusals keeps only the newest.
  const many = [];
  for (let i = 0; i < 5000; i++) many.push(rejected(1000 + i, 100 + i, null));
  h.ingest(many);
  assert.ok(h.refusals.length <= 2000, `${h.refusals.length} refusals kept`);
  assert.equal(h.refusals.at(-1).time, 5099, "the newest are kept");
  h.reset();
  assert.deepEqual(h.refusals, []);
});

test("faultIntervals and currentEntry", () => {
  const actions = [
    { at: 10, type: "crash", replica: 1 },
    { at: 20, type: "set-behavior", replica: 2, behavior: "silent" },
    { at: 30, type: "partition", groups: [[0, 1, 2], [3]] },
    { at: 40, type: "recover", replica: 1 },
    { at: 50, type: "heal" },
    { at: 60, type: "set-behavior", replica: 2, behavior: "honest" },
    { at: 500, type: "crash", replica: 0 },
  ];
  const f = faultIntervals(actions, 4, 100);
  assert.deepEqual(f.crashed[1], [[10, 40]]);
  assert.deepEqual(f.crashed[0], [], "after t");
  assert.deepEqual(f.byzantine[2], [{ from: 20, to: 60, behavior: "silent" }]);
  assert.deepEqual(f.isolated[3], [[30, 50]]);
  assert.deepEqual(faultIntervals(actions.slice(0, 1), 4, 100).crashed[1], [[10, Infinity]]);
  assert.equal(currentEntry({ log: [{ seq: 3, phase: "executed" }, { seq: 5, phase: "prepared" }, { seq: 4, phase: "committed" }] }).seq, 4);
  assert.equal(currentEntry({ log: [] }), null);
});

test("toggleIsolation: isolate, isolate another, join back", () => {
  assert.deepEqual(toggleIsolation([0, 0, 0, 0], 3), [[0, 1, 2], [3]]);
  assert.deepEqual(toggleIsolation([0, 0, 0, 1], 1), [[0, 2], [1], [3]]);
  assert.deepEqual(toggleIsolation([0, 2, 0, 1], 3), [[0, 2, 3], [1]]);
  assert.equal(toggleIsolation([0, 0, 0, 1], 3), null, "no one left isolated: heal");
});

test("Selection: picking pauses a playing run, letting go resumes it; the inspector's view", () => {
  const h = new History();
  h.ingest([sent(1, 0, 0, 3)]);
  const snapshot = { partition: [0, 0, 0, 1], inFlight: [{ id: 1, detail: "PREPARE v=0 n=1" }] };
  const s = new Selection();
  assert.equal(s.view(h, snapshot, new Set()), null);
  assert.equal(s.pick(1, snapshot, true), true, "pause");
  const v = s.view(h, snapshot, new Set([1]));
  assert.deepEqual([v.msg.id, v.msg.detail, v.live, v.lost, v.cut, v.autoPaused], [1, "PREPARE v=0 n=1", true, true, true, true]);
  assert.equal(s.pick(1, snapshot, false), false, "already paused");
  h.ingest([delivered(1, 50)]);
  const gone = inspection(h, 1, snapshot, new Set(), null);
  assert.deepEqual([gone.live, gone.fate, gone.endAt], [false, "delivered", 50]);
  assert.equal(s.gone(h), false, "the history still has it");
  h.reset();
  assert.equal(s.gone(h), true);
  assert.equal(s.clear(), true, "resume");
  assert.equal(s.clear(), false);
});

/**
 * A stand-in engine: one event every 10 ms of virtual time (a "sent" at each multiple of 10),
 * seek() to any time, seek(t, true, since) returning every event from since (default 0) to t.
 * Records its calls.
 */
function fakeSim() {
  const at = (t) => ({ id: t, time: t, type: "phase", replica: 0, view: 0, seq: t, digest: "d", phase: "prepared" });
  const between = (a, b) => {
    const out = [];
    for (let t = Math.floor(a / 10) * 10 + 10; t <= b; t += 10) out.push(at(t));
    return out;
  };
  return {
    now: 0,
    calls: [],
    advance(ms) {
      const events = between(this.now, this.now + ms);
      this.now += ms;
      this.calls.push(["advance", ms]);
      return events;
    },
    seek(t, withEvents = false, since = 0) {
      this.calls.push(since ? ["seek", t, withEvents, since] : ["seek", t, withEvents]);
      this.now = t;
      return withEvents ? between(0, t).filter((e) => e.time >= since) : undefined;
    },
  };
}

test("Timeline: events are stored as they come; scrubbing back and forth uses the fast seek", () => {
  const sim = fakeSim();
  const tl = new Timeline();
  const shown = tl.took(sim.advance(100), 0, sim.now);
  assert.equal(shown.length, 10);
  assert.deepEqual([tl.end, tl.max, tl.events.length, tl.history.log.length], [100, 100, 10, 10]);
  // Back to 45: the History shows the events up to 45, from the stored ones.
  tl.seek(sim, 45);
  assert.deepEqual(sim.calls.at(-1), ["seek", 45, false]);
  assert.equal(tl.history.log.length, 4);
  assert.equal(tl.max, 100, "the timeline keeps its right end");
  // Playing on from 45: the engine replays the recorded future; only events after the stored end are new.
  const before = sim.now;
  assert.equal(tl.took(sim.advance(30), before, sim.now).length, 3, "the stored events up to 75 are shown again");
  assert.equal(tl.events.length, 10, "nothing stored twice");
  // Forward to 80 within the stored events, then beyond them (replayed forward and kept).
  tl.seek(sim, 80);
  assert.equal(tl.history.log.length, 8);
  tl.seek(sim, 130);
  assert.deepEqual(sim.calls.slice(-2), [["seek", 100, false], ["advance", 30]]);
  assert.deepEqual([tl.end, tl.max, tl.events.length, tl.history.log.length], [130, 130, 13, 13]);
});

test("Timeline: acting in the past forks (the one fork path); the live edge does not", () => {
  const sim = fakeSim();
  const tl = new Timeline();
  tl.took(sim.advance(100), 0, sim.now);
  assert.equal(tl.fork(100), false, "at the live edge nothing is dropped");
  tl.seek(sim, 45);
  assert.equal(tl.fork(45), true);
  assert.deepEqual([tl.end, tl.max, tl.events.length], [45, 45, 4]);
  tl.took(sim.advance(20), 45, sim.now);
  assert.deepEqual(tl.events.map((e) => e.time), [10, 20, 30, 40, 50, 60]);
});

test("Timeline: far beyond its memory the page asks the engine for a stretch as long as the one it kept", () => {
  const sim = fakeSim();
  const tl = new Timeline({ maxEvents: 20 });
  tl.took(sim.advance(1000), 0, sim.now);
  const kept = tl.end - tl.floor;
  tl.seek(sim, 500);
  const since = 500 - Math.floor(kept / 2);
  assert.deepEqual(sim.calls.at(-1), ["seek", 500, true, since]);
  assert.deepEqual([tl.floor, tl.end], [since, 500]);
  assert.ok(tl.events.length > 0 && tl.events.length <= 20, `${tl.events.length} events`);
  assert.ok(tl.events.every((e) => e.time >= since && e.time <= 500));
  assert.equal(tl.history.log.at(-1).time, 500);
  // Scrubbing within that stretch is fast again; below it, another stretch.
  tl.seek(sim, since + 20);
  assert.deepEqual(sim.calls.at(-1), ["seek", since + 20, false]);
});

test("Timeline: beyond its memory the page asks the engine for a full replay", () => {
  const sim = fakeSim();
  const tl = new Timeline({ maxEvents: 20 });
  tl.took(sim.advance(300), 0, sim.now);
  assert.ok(tl.events.length <= 20);
  assert.ok(tl.floor > 0, `floor ${tl.floor}`);
  tl.seek(sim, 50);
  assert.deepEqual(sim.calls.at(-1), ["seek", 50, true]);
  assert.deepEqual([tl.floor, tl.end], [0, 50]);
  assert.deepEqual(tl.history.log.map((e) => e.time), [10, 20, 30, 40, 50]);
  tl.reset();
  assert.deepEqual([tl.events.length, tl.end, tl.max, tl.history.count], [0, 0, 0, 0]);
});

test("Clock: speed, carried fractions, idle and quiet time", () => {
  const calls = [];
  const sim = { idle: false, now: 0, nextEventTime: 40, advance: (ms) => (calls.push(ms), [ms]) };
  const c = new Clock();
  assert.equal(c.tick(sim, 10, 0.07, false), null, "0.7 ms owed: nothing yet");
  assert.equal(c.mode, "running");
  assert.deepEqual(c.tick(sim, 10, 0.07, false), [1], "1.4 ms: one whole ms");
  assert.ok(Math.abs(c.acc - 0.4) < 1e-9);
  assert.ok(Math.abs(c.now(sim, true) - 0.4) < 1e-9);
  assert.equal(c.now(sim, false), 0);
  // Quiet: at least 1x, up to the next event.
  assert.deepEqual(c.tick(sim, 16, 0.07, true), [16]);
  assert.equal(c.mode, "quiet");
  assert.deepEqual(c.tick(sim, 100, 1, true), [40], "stops at the next event");
  c.skipQuiet = false;
  c.tick(sim, 16, 0.07, true);
  assert.equal(c.mode, "running");
  sim.idle = true;
  assert.equal(c.tick(sim, 16, 1, false), null);
  assert.deepEqual([c.mode, c.acc], ["idle", 0]);
});

test("Clock: manual delivery runs until every message is at its door, then waits", () => {
  const sim = { idle: false, now: 0, nextEventTime: undefined, advance: (ms) => ((sim.now += ms), [ms]) };
  const c = new Clock();
  assert.deepEqual(c.tick(sim, 100, 1, false, 130), [100]);
  assert.equal(c.mode, "running");
  assert.deepEqual(c.tick(sim, 100, 1, false, 130), [30], "stops exactly at the last deliverAt");
  assert.equal(c.acc, 0);
  assert.equal(c.tick(sim, 100, 1, false, 130), null);
  assert.deepEqual([c.mode, c.acc], ["waiting", 0]);
  assert.equal(c.tick(sim, 100, 1, true, -Infinity), null, "nothing in flight, only timers: waiting too");
  assert.equal(c.mode, "waiting");
  // A scheduled action (a preset's) still comes: quiet time is skipped up to it.
  sim.nextEventTime = 400;
  assert.deepEqual(c.tick(sim, 16, 0.07, false, 130), [16]);
  assert.equal(c.mode, "quiet");
  assert.deepEqual(c.tick(sim, 1000, 1, false, 130), [254], "up to the action, exactly");
});

test("FrameTimes", () => {
  const f = new FrameTimes(4);
  for (const ms of [1, 2, 3, 4, 10]) f.add(ms);
  assert.deepEqual(f.stats(), { count: 4, mean: 19 / 4, p95: 10, max: 10 });
  f.reset();
  assert.equal(f.stats().count, 0);
});
