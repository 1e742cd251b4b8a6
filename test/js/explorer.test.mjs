// The JS boundary of the explorer build (www/pkg-explore, `npm run build:wasm`): `new Explorer(options,
// bounds)` and `run(steps)` called with the battery of wrong values in every position, each bound
// field included. Each call either does what it says or throws an Error (never a trap) whose
// message names the parameter and what it needs; a refused `run` changes nothing (the search then
// ends as it would have), and the module still searches afterwards. Then what a search gives back:
// the counterexample's actions replay in a fresh run to the violation it reports. Run by the "pkg"
// stage of scripts/test.mjs, after "build".

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BAD, MAX_TIME, attempt } from "./bad-values.mjs";

const PKG = new URL("../../www/pkg-explore/", import.meta.url);
const { initSync, Explorer, Simulation } = await import(new URL("pbft_explore.js", PKG).href);
initSync({ module: readFileSync(fileURLToPath(new URL("pbft_explore_bg.wasm", PKG))) });

const isWhole = (v) => typeof v === "number" && Number.isInteger(v);
const inRange = (lo, hi) => (v) => isWhole(v) && v >= lo && v <= hi;
const orAbsent = (ok) => (v) => v === undefined || v === null || ok(v);
/** An object with nothing in it (what `{}` means to the option readers). */
const empty = (v) => typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;

/** Every state of backup-crash from its start, messages only: the search is complete at this count. */
const BACKUP_CRASH_STATES = 1516;

/** Runs `ex` to its end; returns its progress. */
function finish(ex) {
  while (!ex.run(100_000));
  return ex.progress();
}

/** The module still searches: backup-crash from its start is explored completely. */
function assertSearches(what) {
  const ex = new Explorer({ preset: "backup-crash" }, {});
  const p = finish(ex);
  ex.free();
  assert.ok(p.complete, `${what}: a search afterwards is complete`);
  assert.equal(p.states, BACKUP_CRASH_STATES, `${what}: a search afterwards sees every state`);
}

const BOUND_FIELDS = [
  { field: "at", valid: orAbsent(inRange(0, MAX_TIME)), says: /^new Explorer: bounds\.at must be a whole number of virtual ms from 0 to 9007199254740991, got / },
  { field: "states", valid: orAbsent(inRange(1, 5_000_000)), says: /^new Explorer: bounds\.states must be a whole number from 1 to 5000000, got / },
  { field: "depth", valid: orAbsent(inRange(1, 1000)), says: /^new Explorer: bounds\.depth must be a whole number from 1 to 1000, got / },
  { field: "timers", valid: orAbsent(inRange(0, 20)), says: /^new Explorer: bounds\.timers must be a whole number from 0 to 20, got / },
  { field: "drops", valid: orAbsent(inRange(0, 20)), says: /^new Explorer: bounds\.drops must be a whole number from 0 to 20, got / },
];

/** Every parameter: `make(v)` builds an explorer with `v` in one position, valid values elsewhere. */
const PARAMS = [
  { what: "new Explorer(options)", make: (v) => new Explorer(v, { states: 50 }), valid: orAbsent(empty), says: /^new Explorer: invalid options: / },
  { what: "new Explorer(…, bounds)", make: (v) => new Explorer({ preset: "backup-crash" }, v), valid: orAbsent(empty), says: /^new Explorer: (bounds must be an object such as \{ at: 0, states: 100000, depth: 40, timers: 0, drops: 0 \}, got |bounds has no field "[^"]*" \(known: at, states, depth, timers, drops\)|reading bounds(\.\w+)? threw: )/ },
  ...BOUND_FIELDS.map(({ field, valid, says }) => ({
    what: `new Explorer(…, { ${field} })`,
    // A small state bound keeps the accepted values quick (states itself excepted: it is the value).
    make: (v) => new Explorer({ preset: "backup-crash" }, field === "states" ? { states: v } : { states: 50, [field]: v }),
    valid,
    says,
  })),
];

for (const p of PARAMS) {
  test(`${p.what}: every wrong value is a clear Error, no trap`, () => {
    let refused = 0;
    for (const [label, make] of BAD) {
      const what = `${p.what} with ${label}`;
      const v = make();
      const { threw, value } = attempt(() => p.make(v), what);
      if (threw) {
        refused++;
        assert.match(threw.message, p.says, `${what}: the message names the parameter and what it needs`);
        assert.ok(threw.message.length < 600, `${what}: a short message (${threw.message.length} characters)`);
      } else {
        assert.ok(p.valid(v), `${what}: accepted a value it should refuse`);
        assert.equal(typeof value.run(10), "boolean", `${what}: the accepted explorer runs`);
        value.free();
      }
    }
    assert.ok(refused > BAD.length / 2, `${p.what}: most of the battery is refused (${refused} of ${BAD.length})`);
    assertSearches(p.what);
  });
}

test("run(steps): every wrong value is a clear Error, no trap, and the search goes on unchanged", () => {
  const ex = new Explorer({ preset: "backup-crash" }, {});
  ex.run(100);
  const before = JSON.stringify({ ...ex.progress(), elapsedMs: 0 });
  let refused = 0;
  for (const [label, make] of BAD) {
    const what = `run with ${label}`;
    const v = make();
    // A value it takes would run the search on; those are the accepted ones, not tried here.
    if (inRange(1, 1e9)(v)) continue;
    const { threw } = attempt(() => ex.run(v), what);
    if (threw) {
      refused++;
      assert.match(threw.message, /^run: steps must be a whole number from 1 to 1000000000, got /, `${what}: the message names the parameter`);
      assert.equal(JSON.stringify({ ...ex.progress(), elapsedMs: 0 }), before, `${what}: a refused run changes nothing`);
    } else {
      assert.fail(`${what}: accepted a value it should refuse`);
    }
  }
  assert.ok(refused > BAD.length / 2, `run: most of the battery is refused (${refused} of ${BAD.length})`);
  const p = finish(ex);
  assert.ok(p.complete);
  assert.equal(p.states, BACKUP_CRASH_STATES, "after every refusal the search ends as it would have");
  ex.free();
});

test("bounds are read as JS reads an options object: inherited fields count, an inherited unknown one is refused", () => {
  assert.throws(() => new Explorer({ preset: "backup-crash" }, Object.create({ states: 0 })), /^Error: new Explorer: bounds\.states must be a whole number from 1 to 5000000, got 0$/);
  assert.throws(() => new Explorer({ preset: "backup-crash" }, Object.create({ sates: 10 })), /^Error: new Explorer: bounds has no field "sates"/);
  const ex = new Explorer({ preset: "backup-crash" }, Object.create({ states: 5 }));
  ex.run(1_000_000);
  assert.ok(ex.progress().states <= 6, `the bound of 5 states holds (${ex.progress().states})`);
  ex.free();
});

test("the naive quorum's counterexample replays in a fresh run to the violation it reports", () => {
  const ex = new Explorer({ preset: "naive-quorum" }, {});
  const p = finish(ex);
  const found = ex.counterexample();
  ex.free();
  assert.ok(found, `a violation in ${p.states} states`);
  assert.equal(found.violation.code, "agreement");
  assert.equal(found.steps.length, found.trace.length, "a line of trace per step");
  assert.equal(found.actions.length, found.steps.length + 1, "the switch to manual delivery, then a step per action");
  const base = new Simulation({ preset: "naive-quorum" });
  const baseActions = base.actions();
  base.free();
  const end = found.actions.at(-1).at;
  const replay = (actions) => {
    const sim = new Simulation({ preset: "naive-quorum", actions });
    sim.advance(end);
    const s = sim.snapshot();
    sim.free();
    return s;
  };
  const pre = baseActions.filter((a) => a.at <= 0);
  const broken = replay([...pre, ...found.actions]);
  assert.equal(broken.violations.length, 1, "the replay breaks agreement");
  assert.equal(broken.violations[0].code, "agreement");
  const short = replay([...pre, ...found.actions.slice(0, -1)]);
  assert.equal(short.violations.length, 0, "without its last step nothing is broken: the path is minimal at its end");
});
