// advanceAll: a permalink's replay goes on past the engine's per-call budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { advanceAll, droppedActions } from "../../www/js/run.js";

/** A stand-in engine: one event per ms, at most `budget` ms of new work per call. */
function fakeSim(budget) {
  const sim = {
    now: 0,
    held: [],
    calls: 0,
    advance(ms) {
      sim.calls++;
      if (typeof ms !== "number" || ms < 0) throw new Error("advance: ms must be a number ≥ 0");
      const end = sim.now + ms;
      const stop = Math.min(end, sim.now + budget);
      const events = [];
      while (sim.now < stop) events.push({ time: ++sim.now });
      if (stop < end) {
        sim.held = events;
        throw new Error(`advance: stopped at ${sim.now} ms`);
      }
      return events;
    },
    takeEvents() {
      const e = sim.held;
      sim.held = [];
      return e;
    },
  };
  return sim;
}

test("advanceAll goes on where the engine stopped, and loses no event", () => {
  const sim = fakeSim(300);
  const events = advanceAll(sim, 1000);
  assert.equal(sim.now, 1000);
  assert.equal(sim.calls, 4);
  assert.deepEqual(events.map((e) => e.time), Array.from({ length: 1000 }, (_, i) => i + 1));
});

test("advanceAll within the budget is one call", () => {
  const sim = fakeSim(5000);
  assert.equal(advanceAll(sim, 10).length, 10);
  assert.equal(sim.calls, 1);
});

test("advanceAll rethrows an error that made no progress", () => {
  const sim = fakeSim(0);
  assert.throws(() => advanceAll(sim, 10), /stopped at 0 ms/);
  const bad = fakeSim(10);
  assert.throws(() => advanceAll(bad, -1), /ms must be/);
});

test("droppedActions counts the recorded actions a fork left out, by content and multiplicity", () => {
  const r = (at, op) => ({ at, type: "request", op });
  const before = [r(0, "a=1"), r(500, "b=2"), r(900, "b=2"), { at: 900, type: "crash", replica: 1 }];
  assert.equal(droppedActions(before, before), 0, "nothing dropped");
  assert.equal(droppedActions(before, [...before, r(1000, "c=3")]), 0, "an action added at the end drops nothing");
  assert.equal(droppedActions(before, [r(0, "a=1"), r(300, "x=9")]), 3, "acting at 300 ms drops the three later ones");
  assert.equal(droppedActions(before, [r(0, "a=1"), r(500, "b=2"), r(600, "x=9")]), 2, "equal operations are told apart by their time");
  assert.equal(droppedActions([r(0, "a"), r(0, "a")], [r(0, "a")]), 1, "a repeated action counts as often as it occurs");
  assert.equal(droppedActions([], []), 0);
});
