// The JS boundary of the built engine (www/pkg, `npm run build:wasm`): every method, getter and
// static of Simulation is called with a battery of wrong values. Each call either does what it
// says or throws an Error (never a WebAssembly.RuntimeError: a trap) whose message names the
// method, the parameter and what it needs; a refused call changes nothing, and the simulation
// still commits a request afterwards. Run by the "pkg" stage of scripts/test.mjs, after "build".

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BAD, MAX_TIME, attempt, nestedArray, throwingGetter, throwingProxy } from "./bad-values.mjs";

const PKG = new URL("../../www/pkg/", import.meta.url);
const { initSync, Simulation } = await import(new URL("pbft_playground.js", PKG).href);
initSync({ module: readFileSync(fileURLToPath(new URL("pbft_playground_bg.wasm", PKG))) });

const isWhole = (v) => typeof v === "number" && Number.isInteger(v);
const inRange = (lo, hi) => (v) => isWhole(v) && v >= lo && v <= hi;
const replicaId = inRange(0, 3);

/** What is in flight, and what timers run, in the fixture below (the values deliver and fireTimer take). */
const FIXTURE = (() => {
  const sim = new Simulation({ n: 4, seed: 7 });
  sim.request("warTime=1234");
  sim.advance(150);
  const snap = sim.snapshot();
  sim.free();
  return { flying: snap.inFlight.map((m) => m.id), timers: snap.pendingTimers };
})();
const hasTimer = (node, timer) => FIXTURE.timers.some((x) => x.node === node && x.timer === timer);

/**
 * Every method and its parameters: `call(sim, value)` puts the value in one position, valid
 * values elsewhere; `valid(v)` says whether it is a value the method takes; a refusal's message
 * must match `says` (method, parameter and what it needs).
 */
const PARAMS = [
  { what: "request(op, client)", call: (s, v) => s.request("x=1", v), valid: (v) => v === undefined || v === null || v === 0, says: /^request: client must be a whole number \(a client of this run\) from 0 to 0, got / },
  { what: "request(op)", call: (s, v) => s.request(v), valid: (v) => typeof v === "string" && v.trim() !== "" && v.length <= 200 && v.isWellFormed(), says: /^request: (the operation must be (a string, got |well-formed text, got a string with a lone surrogate)|invalid operation: the operation is (empty|longer than 200 characters))/ },
  { what: "crash(replica)", call: (s, v) => s.crash(v), valid: replicaId, says: /^crash: replica must be a (replica id, a )?whole number from 0 to 3, got / },
  { what: "recover(replica)", call: (s, v) => s.recover(v), valid: replicaId, says: /^recover: replica must be a (replica id, a )?whole number from 0 to 3, got / },
  { what: "setBehavior(replica)", call: (s, v) => s.setBehavior(v, "silent"), valid: replicaId, says: /^setBehavior: replica must be a (replica id, a )?whole number from 0 to 3, got / },
  { what: "setBehavior(behavior)", call: (s, v) => s.setBehavior(1, v), valid: () => false, says: /^setBehavior: (the behaviour must be a string|unknown behavior)/ },
  { what: "setBehavior(params)", call: (s, v) => s.setBehavior(1, "replay", v), valid: (v) => v === undefined || v === null || (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0), says: /^setBehavior: (invalid behaviour parameters: (params|reading params)|behavior "replay" has no parameter)/ },
  { what: "dropMessage(id)", call: (s, v) => s.dropMessage(v), valid: (v) => isWhole(v) && v >= 0 && v <= MAX_TIME, says: /^dropMessage: (id must be a whole number \(a message id\) from 0 to \d+, got |no message \d+ is in flight)/ },
  { what: "deliver(id)", call: (s, v) => s.deliver(v), valid: (v) => FIXTURE.flying.includes(v), says: /^deliver: id must be (a whole number \(a message id\) from 0 to \d+, got |the id of a message in flight, got \d+ \(no such message in flight\))/ },
  { what: "fireTimer(node)", call: (s, v) => s.fireTimer(v, "retransmit"), valid: (v) => isWhole(v) && hasTimer(v, "retransmit"), says: /^fireTimer: (node must be a node number, a whole number from -1 to 3 \(replica i is i, the client is -1\), got |timer must be a timer running at node -?\d+, got "retransmit" \((replica \d+ has none running|running at .*)\))/ },
  { what: "fireTimer(timer)", call: (s, v) => s.fireTimer(-1, v), valid: (v) => v === "retransmit", says: /^fireTimer: timer must be (a string, got .* \(a timer code, one of: view-change, retransmit, fetch, behavior, load\)|a string of at most 40 characters|a timer code, one of: view-change, retransmit, fetch, behavior, load, got )/ },
  { what: "setDelivery(mode)", call: (s, v) => s.setDelivery(v), valid: () => false, says: /^setDelivery: mode must be "auto" or "manual", got / },
  { what: "partition(groups)", call: (s, v) => s.partition(v), valid: (v) => Array.isArray(v) && v.every((g) => Array.isArray(g) && g.every(replicaId)) && new Set(v.flat()).size === v.flat().length, says: /^partition: (groups(\[\d+\])*( must| threw)|reading groups|invalid partition)/ },
  { what: "setLoad(rate)", call: (s, v) => s.setLoad(v), valid: (v) => isWhole(v) && v >= 0 && v <= 50, says: /^setLoad: rate must be a whole number of requests per second from 0 to 50, got / },
  { what: "setLoss(rate)", call: (s, v) => s.setLoss(v), valid: (v) => typeof v === "number" && v >= 0 && v <= 1, says: /^setLoss: rate must be a number from 0 to 1, got / },
  { what: "setLinkLatency(a)", call: (s, v) => s.setLinkLatency(v, 2, 100, 200), valid: (v) => isWhole(v) && v >= -1 && v <= 3 && v !== 2, says: /^setLinkLatency: (a must be a node number, a whole number from -1 to 3|a and b must be two different nodes)/ },
  { what: "setLinkLatency(b)", call: (s, v) => s.setLinkLatency(0, v, 100, 200), valid: (v) => isWhole(v) && v >= -1 && v <= 3 && !Object.is(v, 0) && v !== 0, says: /^setLinkLatency: (b must be a node number, a whole number from -1 to 3|a and b must be two different nodes)/ },
  { what: "setLinkLatency(min)", call: (s, v) => s.setLinkLatency(0, 1, v, 60_000), valid: inRange(1, 60_000), says: /^setLinkLatency: min must be a whole number of virtual ms from 1 to 60000, got / },
  { what: "setLinkLatency(max)", call: (s, v) => s.setLinkLatency(0, 1, 1, v), valid: inRange(1, 60_000), says: /^setLinkLatency: max must be a whole number of virtual ms from 1 to 60000, got / },
  { what: "advance(ms)", call: (s, v) => s.advance(v), valid: (v) => isWhole(v) && v >= 0 && v <= MAX_TIME - 150, says: /^advance: ms must be a whole number of virtual ms from 0 to \d+, got / },
  { what: "runUntilIdle(maxMs)", call: (s, v) => s.runUntilIdle(v), valid: (v) => typeof v === "number" && v >= 0 && (Number.isInteger(v) || v === Infinity), says: /^runUntilIdle: maxMs must be a whole number of virtual ms >= 0, or Infinity, got / },
  { what: "seek(t)", call: (s, v) => s.seek(v), valid: inRange(0, MAX_TIME), says: /^seek: t must be a whole number of virtual ms from 0 to 9007199254740991, got / },
  { what: "seek(t, withEvents)", call: (s, v) => s.seek(100, v), valid: (v) => v === undefined || v === null || typeof v === "boolean", says: /^seek: withEvents must be true or false \(or left out\), got / },
  { what: "snapshot(executedTail)", call: (s, v) => s.snapshot(v), valid: (v) => v === undefined || v === null || inRange(0, MAX_TIME)(v), says: /^snapshot: executedTail must be a whole number from 0 to 9007199254740991, got / },
];

/** A run with messages in flight: a request on its way. */
function fixture() {
  const sim = new Simulation({ n: 4, seed: 7 });
  sim.request("warTime=1234");
  sim.advance(150);
  return sim;
}

/** The run still works: a new request commits at every replica and the client accepts it. */
function assertWorks(sim, what) {
  const events = sim.runUntilIdle(60_000);
  assert.ok(Array.isArray(events), `${what}: runUntilIdle returns events`);
  const t = sim.request("x=1");
  assert.equal(typeof t, "number", `${what}: request returns a timestamp`);
  sim.runUntilIdle(60_000);
  const snap = sim.snapshot();
  assert.ok(snap.client.accepted.some((a) => a.op === "x=1"), `${what}: the request after it was accepted`);
  for (const r of snap.replicas) assert.ok(r.executed.some((e) => e.op === "x=1"), `${what}: replica ${r.id} executed it`);
}

const state = (sim) => JSON.stringify({ snapshot: sim.snapshot(), actions: sim.actions(), now: sim.now, next: sim.nextEventTime });

for (const p of PARAMS) {
  test(`${p.what}: every wrong value is a clear Error, no trap, and changes nothing`, () => {
    let refused = 0;
    for (const [label, make] of BAD) {
      const what = `${p.what} with ${label}`;
      const sim = fixture();
      const before = state(sim);
      const v = make();
      const { threw } = attempt(() => p.call(sim, v), what);
      if (threw) {
        refused++;
        assert.match(threw.message, p.says, `${what}: the message names the parameter and what it needs`);
        assert.ok(threw.message.length < 600, `${what}: a short message (${threw.message.length} characters)`);
        assert.equal(state(sim), before, `${what}: a refused call changes nothing`);
        assertWorks(sim, what);
      } else {
        assert.ok(p.valid(v), `${what}: accepted a value it should refuse`);
        // Accepted: the run stays usable.
        assert.equal(typeof sim.snapshot().now, "number", `${what}: snapshot after it`);
        attempt(() => sim.runUntilIdle(10_000), `${what}, then runUntilIdle`);
      }
      sim.free();
    }
    assert.ok(refused >= BAD.length / 2, `${p.what}: refused ${refused} of ${BAD.length}`);
  });
}

test("text kept as given (an operation, a name) must be well-formed: a lone surrogate is refused, not turned into U+FFFD", () => {
  const sim = fixture();
  const before = state(sim);
  for (const [op, at] of [["\uD800", 0], ["k=\uDC00x", 2], ["a\uD83D", 1], ["\uDE00\uD83D", 0]]) {
    const { threw } = attempt(() => sim.request(op), `request(${JSON.stringify(op)})`);
    assert.ok(threw, `request(${JSON.stringify(op)}) refused`);
    assert.equal(threw.message, `request: the operation must be well-formed text, got a string with a lone surrogate (half of a UTF-16 pair) at index ${at}`);
  }
  assert.equal(state(sim), before, "nothing changed");
  // Whole pairs, and U+FFFD itself, are text like any other.
  for (const op of ["emoji=\uD83D\uDE00", "k=\uFFFD"]) {
    sim.request(op);
    sim.runUntilIdle(60_000);
    assert.ok(sim.snapshot().client.accepted.some((a) => a.op === op), `${JSON.stringify(op)} accepted as given`);
  }
  const { threw } = attempt(() => new Simulation({ n: 4, names: ["A", "B\uDBFF", "C", "D"] }), "names with a lone surrogate");
  assert.match(threw.message, /^invalid options: names\[1\] must be well-formed text, got a string with a lone surrogate \(half of a UTF-16 pair\) at index 1$/);
  sim.free();
});

test("an options object is read as JS reads one: inherited fields and getters count, an inherited unknown field is refused", () => {
  class Options {
    constructor() {
      this.seed = 3;
    }
    get n() {
      return 7;
    }
  }
  for (const [what, options] of [["Object.create({ n: 7, seed: 3 })", Object.create({ n: 7, seed: 3 })], ["a class with get n()", new Options()], ["a null-prototype object", Object.assign(Object.create(null), { n: 7, seed: 3 })]]) {
    const sim = new Simulation(options);
    assert.equal(sim.n, 7, `${what}: n read`);
    assert.equal(sim.snapshot().seed, 3, `${what}: seed read`);
    sim.free();
  }
  assert.throws(() => new Simulation(Object.create({ nn: 7 })), /^Error: invalid options: unknown field `nn`, expected one of: /);
  assert.throws(() => new Simulation(Object.create({ n: 0 })), /^Error: invalid options: n must be/);
  // Behaviour parameters likewise.
  const sim = fixture();
  assert.throws(() => sim.setBehavior(1, "replay", Object.create({ nope: 1 })), /^Error: setBehavior: .*nope/);
  assert.throws(() => sim.setBehavior(1, "replay", Object.create({ every: -1 })), /^Error: setBehavior: invalid behaviour parameters: params\.every must be a whole number/);
  sim.setBehavior(1, "replay", Object.create({ every: 300 }));
  sim.free();
});

/** Valid values each method must take (the battery above must not be refusing everything). */
test("valid values are still taken", () => {
  const sim = fixture();
  sim.crash(-0);
  sim.recover(0);
  sim.setBehavior(3, "replay", { every: 300 });
  sim.setBehavior(3, "honest", null);
  sim.setLoss(0.25);
  sim.setLoss(-0);
  sim.setLinkLatency(0, -1, 100, 200);
  sim.partition([[0, 1, 2], [3]]);
  sim.heal();
  const id = sim.snapshot().inFlight[0]?.id;
  if (id !== undefined) sim.dropMessage(id);
  sim.setDelivery("manual");
  assert.equal(sim.delivery, "manual");
  const next = sim.snapshot().inFlight[0]?.id;
  if (next !== undefined) sim.deliver(next);
  const timer = sim.snapshot().pendingTimers[0];
  if (timer) sim.fireTimer(timer.node, timer.timer);
  sim.setDelivery("auto");
  assert.equal(sim.delivery, "auto");
  assert.ok(Array.isArray(sim.advance(0)));
  assert.ok(Array.isArray(sim.runUntilIdle(Infinity)));
  assert.equal(sim.seek(100), undefined);
  assert.ok(Array.isArray(sim.seek(200, true)));
  assert.equal(sim.snapshot(0).replicas[0].executed.length, 0);
  assert.ok(sim.actions().some((a) => a.type === "heal"));
  assertWorks(sim, "after valid calls");
});

test("new Simulation(options): wrong options are clear Errors, no trap", () => {
  const sayOptions = /^invalid options: (options must be an object such as \{ n: 4, seed: 7 \}, got |reading options threw|unknown field `)/;
  for (const [label, make] of BAD) {
    const v = make();
    const { threw, value } = attempt(() => new Simulation(v), `new Simulation(${label})`);
    if (threw) assert.match(threw.message, sayOptions, `new Simulation(${label})`);
    else {
      assert.ok(v === undefined || v === null || (typeof v === "object" && !Array.isArray(v)), `new Simulation(${label}) accepted`);
      assertWorks(value, `new Simulation(${label})`);
      value.free();
    }
  }
});

/** Each option: what it takes, and the words its refusal must use. */
const OPTIONS = {
  n: { valid: inRange(1, 128), says: /^invalid options: n must be (a whole number from 1 to 128|between 1 and 128 replicas), got / },
  seed: { valid: inRange(0, MAX_TIME), says: /^invalid options: seed must be a whole number from 0 to 9007199254740991, got / },
  preset: { valid: () => false, says: /^invalid options: (preset \(a name from Simulation\.presets\(\)\) must be a string|unknown preset)/ },
  checkpointInterval: { valid: inRange(1, 8), says: /^invalid options: (checkpointInterval must be a whole number from 1 to 1024, got |invalid config: log window L)/ },
  logWindow: { valid: inRange(4, 1024), says: /^invalid options: (logWindow must be a whole number from 1 to 1024, got |invalid config: log window L)/ },
  latencyMin: { valid: inRange(1, 140), says: /^invalid options: (latencyMin must be a whole number of virtual ms from 1 to 60000, got |invalid latency range)/ },
  latencyMax: { valid: inRange(60, 60_000), says: /^invalid options: (latencyMax must be a whole number of virtual ms from 1 to 60000, got |invalid latency range)/ },
  loss: { valid: (v) => typeof v === "number" && v >= 0 && v <= 1, says: /^invalid options: (loss must be a number from 0 to 1, got |loss rate must be between 0 and 1)/ },
  names: { valid: (v) => Array.isArray(v) && v.length === 0, says: /^invalid options: (names(\[\d+\])? must|reading names|invalid names)/ },
  naiveQuorum: { valid: (v) => typeof v === "boolean", says: /^invalid options: naiveQuorum must be true or false, got / },
  viewChangeTimeout: { valid: inRange(1, MAX_TIME), says: /^invalid options: viewChangeTimeout must be a whole number of virtual ms from 1 to 9007199254740991, got / },
  clientTimeout: { valid: inRange(1, MAX_TIME), says: /^invalid options: clientTimeout must be a whole number of virtual ms from 1 to 9007199254740991, got / },
  actions: { valid: (v) => Array.isArray(v) && v.length === 0, says: /^invalid options: (actions(\[\d+\])*( must| is )|reading actions|actions\[\d+\]\S* (is|must|has)|actions must have)/ },
  clients: { valid: inRange(1, 64), says: /^invalid options: clients must be a whole number from 1 to 64, got / },
  delivery: { valid: () => false, says: /^invalid options: delivery must be "auto" or "manual", got / },
};

for (const [name, o] of Object.entries(OPTIONS)) {
  test(`new Simulation({ ${name} }): every wrong value is a clear Error, no trap`, () => {
    let refused = 0;
    for (const [label, make] of BAD) {
      const v = make();
      const what = `new Simulation({ ${name}: ${label} })`;
      const { threw, value } = attempt(() => new Simulation({ [name]: v }), what);
      if (threw) {
        refused++;
        assert.match(threw.message, o.says, what);
        assert.ok(threw.message.length < 600, `${what}: a short message`);
      } else {
        assert.ok(v === undefined || v === null || o.valid(v), `${what}: accepted`);
        assert.equal(value.snapshot().now, 0);
        value.free();
      }
    }
    assert.ok(refused >= BAD.length / 2, `${name}: refused ${refused} of ${BAD.length}`);
  });
}

test("actions: malformed entries are refused with their index, nothing traps", () => {
  const cases = [
    [{ at: NaN, type: "crash", replica: 0 }, /actions\[1\] is not an action/],
    [{ at: 1, type: "crash", replica: 2 ** 40 }, /actions\[1\] is not an action/],
    [{ at: 1, type: "crash", replica: 9 }, /no replica 9/],
    [{ at: 2 ** 53, type: "heal" }, /actions\[1\]/],
    [{ at: 1, type: "explode" }, /actions\[1\] is not an action/],
    [{ at: 1, type: "partition", groups: nestedArray(100) }, /actions\[1\]\.groups\[0\]\[0\] must be a whole number \(a replica id\).*got array/],
    [{ at: 1, type: "request", op: "x".repeat(1 << 20) }, /actions\[1\]\.op must be a string of at most 1000 characters/],
    [{ at: 1, type: "request", op: "k=\uD800" }, /actions\[1\]\.op must be well-formed text, got a string with a lone surrogate \(half of a UTF-16 pair\) at index 2/],
    [{ at: 1, type: "set-link-latency", a: 10n, b: 0, min: 1, max: 2 }, /actions\[1\]\.a must be a node number \(a whole number\), got bigint/],
    [throwingGetter(), /actions\[1\]|reading actions\[1\]/],
    // An array (a proxy of one too) is refused as one; an object whose traps throw, by what threw.
    [throwingProxy(), /actions\[1\] is not an action: .*got array/],
    [new Proxy({}, { get: () => { throw new Error("trap threw"); } }), /reading actions\[1\](\.at)? threw: trap threw/],
    [{ at: 1, type: "set-behavior", replica: 0, behavior: "replay", params: { every: 1e9 } }, /every/],
    [{ at: 1, type: "fire-timer", node: 0, timer: "alarm" }, /actions\[1\]\.timer must be a timer code, one of: view-change, retransmit, fetch, behavior, load, got "alarm"/],
    [{ at: 1, type: "fire-timer", node: 9, timer: "fetch" }, /no replica 9/],
    [{ at: 1, type: "set-delivery", mode: "by hand" }, /actions\[1\]\.mode must be "auto" or "manual", got string "by hand"/],
    [{ at: 1, type: "deliver", msg: -1 }, /actions\[1\] is not an action/],
    // An array is not an entry (its inherited `at` is a function, not a time).
    [[0], /actions\[1\] is not an action: it must be an object \{ at, type, \.\.\. \}, got array/],
  ];
  for (const [bad, says] of cases) {
    const actions = [{ at: 0, type: "request", op: "a=1" }, bad];
    const { threw } = attempt(() => new Simulation({ actions }), `actions ${says}`);
    assert.ok(threw, `refused: ${says}`);
    assert.match(threw.message, says);
  }
  assert.throws(() => new Simulation({ actions: new Array(100_001).fill({ at: 0, type: "heal" }) }), /actions must have at most 100000 entries/);
  // The actions of a run replay it, as before.
  const sim = fixture();
  sim.crash(3);
  sim.advance(1000);
  const again = new Simulation({ n: 4, seed: 7, actions: sim.actions() });
  again.advance(1150);
  assert.equal(JSON.stringify(again.snapshot()), JSON.stringify(sim.snapshot()));
});

test("a getter that calls back into the same simulation is refused cleanly and the run stays usable", () => {
  const sim = fixture();
  const before = state(sim);
  const params = {
    get every() {
      sim.advance(10); // re-entrant: the simulation is busy in setBehavior
      return 300;
    },
  };
  const { threw } = attempt(() => sim.setBehavior(1, "replay", params), "re-entrant getter");
  assert.ok(threw);
  assert.match(threw.message, /^setBehavior: invalid behaviour parameters: reading params\.every threw: a method was called while another method of the same object was still running/);
  assert.equal(state(sim), before);
  assertWorks(sim, "after a re-entrant getter");
  // A getter that frees it: the call ends, later calls are clean Errors.
  const other = fixture();
  const freeing = new Proxy([0], {
    get(target, key) {
      if (key === "length") other.free();
      return Reflect.get(target, key);
    },
  });
  const { threw: t2 } = attempt(() => other.partition([[1, 2], freeing]), "free in a getter");
  assert.ok(t2 === null || t2 instanceof Error);
  const { threw: t3 } = attempt(() => other.snapshot(), "after free");
  assert.ok(t3 instanceof Error);
  assert.match(t3.message, /not a live one of its class: it was freed/);
});

test("getters and statics take no arguments and ignore extra ones; a freed simulation throws an Error", () => {
  const sim = fixture();
  assert.equal(typeof sim.now, "number");
  assert.equal(sim.n, 4);
  assert.equal(typeof sim.idle, "boolean");
  assert.equal(typeof sim.nextEventTime, "number");
  assert.equal(sim.delivery, "auto");
  assert.ok(Array.isArray(sim.step(Symbol(), 10n, {})));
  assert.ok(Array.isArray(sim.takeEvents("x")));
  assert.ok(Array.isArray(sim.actions(1e300)));
  sim.heal(NaN, Symbol());
  for (const junk of [undefined, null, Symbol(), 10n, throwingProxy()]) {
    assert.ok(Simulation.presets(junk).length > 0);
    assert.ok(Simulation.behaviors(junk).some((b) => b.name === "honest"));
    assert.ok(Simulation.codes(junk).events.length > 0);
  }
  // `this` is not a Simulation, or one that was freed: an Error, not a trap.
  for (const m of ["advance", "crash", "snapshot", "request", "partition", "seek"]) {
    const { threw } = attempt(() => Simulation.prototype[m].call({}, 1), `${m} on a plain object`);
    assert.ok(threw instanceof Error, `${m} on a plain object throws`);
    assert.match(threw.message, /not a live one of its class/, `${m} on a plain object says so`);
  }
  sim.free();
  for (const call of [() => sim.advance(10), () => sim.snapshot(), () => sim.now, () => sim.request("x=1")]) {
    const { threw } = attempt(call, "after free");
    assert.ok(threw instanceof Error, "a freed simulation throws an Error");
    assert.match(threw.message, /^this method was called on an object that is not a live one of its class: it was freed/, "and says so, not \"null pointer passed to rust\"");
  }
});

test("manual delivery: nothing runs by itself, not even with runUntilIdle(Infinity); picks are named clearly", () => {
  const sim = new Simulation({ n: 4, seed: 7, delivery: "manual" });
  sim.request("x=1");
  assert.deepEqual(sim.runUntilIdle(Infinity).map((e) => e.type), ["submitted", "sent"]);
  assert.equal(sim.now, 0, "the clock stays where the last thing happened");
  assert.equal(sim.nextEventTime, undefined);
  assert.equal(sim.step().length, 0);
  assert.deepEqual(sim.advance(50_000), []);
  assert.equal(sim.now, 50_000);
  assert.equal(sim.idle, false);
  assert.deepEqual(sim.snapshot().pendingTimers, [{ node: -1, timer: "retransmit", due: 1000 }]);
  assert.throws(() => sim.deliver(99), /^Error: deliver: id must be the id of a message in flight, got 99 \(no such message in flight\)$/);
  assert.throws(() => sim.deliver(2 ** 53), /^Error: deliver: id must be a whole number \(a message id\) from 0 to 9007199254740991, got 9007199254740992$/);
  assert.throws(() => sim.fireTimer(0, "view-change"), /^Error: fireTimer: timer must be a timer running at node 0, got "view-change" \(replica 0 has none running\)$/);
  assert.throws(() => sim.fireTimer(-1, "view-change"), /^Error: fireTimer: timer must be a timer running at node -1, got "view-change" \(running at the client: retransmit\)$/);
  assert.throws(() => sim.fireTimer(-1, "alarm"), /^Error: fireTimer: timer must be a timer code, one of: view-change, retransmit, fetch, behavior, load, got string "alarm"$/);
  assert.throws(() => sim.fireTimer(-2, "retransmit"), /^Error: fireTimer: node must be a node number, a whole number from -1 to 3/);
  assert.throws(() => sim.setDelivery("Manual"), /^Error: setDelivery: mode must be "auto" or "manual", got string "Manual"$/);
  assert.throws(() => new Simulation({ delivery: true }), /^Error: invalid options: delivery must be "auto" or "manual", got boolean true$/);
  sim.fireTimer(-1, "retransmit");
  sim.deliver(1);
  const events = sim.takeEvents();
  assert.deepEqual(events[0], { id: events[0].id, time: 50_000, type: "fired", node: -1, timer: "retransmit" });
  assert.ok(events.some((e) => e.type === "retransmitted"), "what the timer does follows");
  assert.ok(events.some((e) => e.type === "picked" && e.msg === 1 && e.from === -1 && e.to === 0 && e.kind === "request"));
  assert.deepEqual(sim.actions().slice(-2).map(({ at, ...a }) => a), [{ type: "fire-timer", node: -1, timer: "retransmit" }, { type: "deliver", msg: 1 }]);
  sim.setDelivery("auto");
  assert.ok(sim.runUntilIdle(Infinity).some((e) => e.type === "accepted"), "back in automatic mode the request commits");
  sim.free();
});

test("huge times: refused past the latest virtual time, bounded work before it", () => {
  const sim = fixture();
  assert.throws(() => sim.advance(1e300), /^Error: advance: ms must be a whole number of virtual ms from 0 to \d+, got 1e\+300$/);
  assert.throws(() => sim.seek(2 ** 53), /seek: t must be .* got 9007199254740992/);
  // runUntilIdle(Infinity) on a run that goes idle: the whole run, then it returns.
  const events = sim.runUntilIdle(Infinity);
  assert.ok(events.some((e) => e.type === "accepted"));
  assert.equal(sim.idle, true);
  // Nothing is pending: the clock may go to the latest virtual time, and no further.
  assert.deepEqual(sim.advance(MAX_TIME - sim.now), []);
  assert.equal(sim.now, MAX_TIME);
  assert.throws(() => sim.advance(1), /advance: ms must be a whole number of virtual ms from 0 to 0, got 1/);
  assert.deepEqual(sim.runUntilIdle(Infinity), []);
  assert.equal(sim.seek(1000), undefined, "and back");
  assert.equal(sim.now, 1000);
});

test("a run that never goes idle: runUntilIdle(Infinity) and advance(huge) stop at the budget with a clear Error", () => {
  // Two of four replicas down (no progress) and a faulty one flooding the others.
  const sim = new Simulation({ n: 4, seed: 1 });
  sim.crash(0);
  sim.crash(1);
  sim.setBehavior(3, "flood", { burst: 200 });
  sim.request("x=1");
  const t0 = performance.now();
  const { threw } = attempt(() => sim.runUntilIdle(Infinity), "runUntilIdle(Infinity)");
  const wall = performance.now() - t0;
  assert.ok(threw, "it stops");
  assert.match(threw.message, /^runUntilIdle: stopped at \d+ ms, not idle: one call runs at most 500000 events, 250000 instants or 1000000 units of work past the furthest time the run had reached; the events so far are returned by the next takeEvents\(\)/);
  assert.ok(wall < 60_000, `bounded (${Math.round(wall)} ms)`);
  // Going on without taking the events: what is kept stays within the budget (the events
  // already held count), and the call says how to go on.
  const again = attempt(() => sim.runUntilIdle(Infinity), "runUntilIdle(Infinity) again").threw;
  assert.match(again?.message ?? "", /^runUntilIdle: stopped at \d+ ms, not idle: .*the events so far are returned by the next takeEvents\(\)/);
  const stoppedAt = sim.now;
  assert.ok(stoppedAt > 0 && stoppedAt < MAX_TIME);
  // The events are not lost, the run goes on from where it stopped.
  const kept = sim.takeEvents();
  assert.ok(kept.length >= 500_000 && kept.length < 600_000, `${kept.length} events kept`);
  assert.ok(kept.every((e, i) => i === 0 || e.id > kept[i - 1].id), "in order");
  assert.deepEqual(sim.takeEvents(), []);
  const more = sim.advance(100);
  assert.ok(more.length > 0 && more[0].id > kept.at(-1).id);
  assert.equal(sim.now, stoppedAt + 100);
  // Going back inside what was run costs no budget; recovering a replica restores progress.
  sim.seek(1000);
  assert.equal(sim.now, 1000);
  sim.recover(1);
  sim.setBehavior(3, "honest");
  sim.runUntilIdle(120_000);
  assert.ok(sim.snapshot().client.accepted.some((a) => a.op === "x=1"), "the request commits after the fork");
});

test("actions: every kind of action a run records reads back and replays the run", () => {
  const kinds = new Set();
  for (const { name } of Simulation.presets()) {
    const sim = new Simulation({ preset: name });
    sim.setLoad(5);
    sim.setLinkLatency(0, 1, 3, 9);
    sim.setLoss(0.25);
    sim.partition([[0, 1, 2], [3]]);
    sim.advance(3000);
    const m = sim.snapshot().inFlight[0];
    if (m) sim.dropMessage(m.id);
    sim.heal();
    sim.setBehavior(2, "replay", { every: 300 });
    sim.advance(3000);
    sim.setDelivery("manual");
    sim.advance(50);
    const picked = sim.snapshot().inFlight[0];
    if (picked) sim.deliver(picked.id);
    const timer = sim.snapshot().pendingTimers[0];
    if (timer) sim.fireTimer(timer.node, timer.timer);
    sim.setDelivery("auto");
    sim.advance(1000);
    const actions = sim.actions();
    for (const a of actions) kinds.add(a.type);
    const again = new Simulation({ preset: name, actions });
    again.advance(sim.now);
    assert.equal(JSON.stringify(again.snapshot()), JSON.stringify(sim.snapshot()), name);
  }
  for (const t of ["request", "crash", "recover", "set-behavior", "drop-message", "partition", "heal", "set-loss", "set-load", "set-link-latency", "deliver", "fire-timer", "set-delivery"]) {
    assert.ok(kinds.has(t), `the runs record ${t}`);
  }
});

test("a message id 2³² past one in flight names no message (no 32-bit wrap in wasm)", () => {
  const sim = new Simulation({ n: 4, seed: 3 });
  sim.request("a=1");
  sim.advance(70);
  const m = sim.snapshot().inFlight[0];
  assert.ok(m, "a message is in flight");
  const before = JSON.stringify(sim.snapshot());
  assert.throws(() => sim.dropMessage(m.id + 2 ** 32), /^Error: dropMessage: no message \d+ is in flight/);
  sim.setDelivery("manual");
  assert.throws(() => sim.deliver(m.id + 2 ** 32), /^Error: deliver: /);
  sim.setDelivery("auto");
  assert.equal(sim.snapshot().inFlight.length, JSON.parse(before).inFlight.length, "nothing was dropped or delivered");
  assert.ok(!sim.takeEvents().some((e) => e.type === "dropped" || e.type === "picked"));
});

test("an action the run cannot take is refused as an option, named by its place in the list", () => {
  const refused = (options) => attempt(() => new Simulation(options), JSON.stringify(options)).threw?.message;
  const ok = { at: 1, type: "crash", replica: 0 };
  assert.match(refused({ actions: [ok, { at: 5, type: "request", op: "a", client: 1 }] }), /^invalid options: actions\[1\]: invalid operation: no client 1/);
  // Listed out of time order: still named by where it was written.
  assert.match(refused({ actions: [{ at: 9, type: "crash", replica: 7 }, ok] }), /^invalid options: actions\[0\]: no replica 7/);
  assert.match(refused({ loss: NaN }), /^invalid options: loss (must be a number|rate must be between) 0 (to|and) 1/);
  // A preset's own action that another n cannot take: which one, and when.
  assert.match(refused({ preset: "generals", n: 3 }), /^invalid options: action \d+ \(at \d+ ms\): no replica 3/);
});

test("seek(t, true, since): the events from since to t, the same as a full replay's, and since is checked", () => {
  const sim = new Simulation({ n: 4, seed: 2 });
  sim.setLoad(20);
  sim.advance(30_000);
  const all = sim.seek(20_000, true);
  const part = sim.seek(20_000, true, 12_345);
  assert.equal(sim.now, 20_000);
  assert.ok(part.length > 0 && part.length < all.length);
  assert.deepEqual(part, all.filter((e) => e.time >= 12_345), "the same events, from since on");
  assert.deepEqual(sim.seek(20_000, true, 20_000), all.filter((e) => e.time === 20_000));
  assert.equal(JSON.stringify(sim.snapshot()), JSON.stringify((sim.seek(20_000), sim.snapshot())), "the same state either way");
  assert.throws(() => sim.seek(100, true, 101), /^Error: seek: since must be a whole number of virtual ms \(at most t\) from 0 to 100, got 101/);
  assert.throws(() => sim.seek(100, false, 50), /^Error: seek: since goes with withEvents = true/);
  for (const v of ["5", -1, 1.5, NaN, {}, 2 ** 60]) assert.throws(() => sim.seek(100, true, v), /^Error: seek: since /);
  assert.equal(sim.now, 20_000, "refused seeks change nothing");
});
