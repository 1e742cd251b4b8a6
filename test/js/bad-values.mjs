// The battery of wrong values that the JS boundary tests call every parameter with (boundary.test.mjs
// for Simulation, explorer.test.mjs for Explorer). Not a test file itself.

import assert from "node:assert/strict";

export const MAX_TIME = Number.MAX_SAFE_INTEGER; // the latest virtual time (README, JS API)

/** Nested `depth` levels deep: [[[...]]] or { a: { a: ... } }. */
export function nestedArray(depth) {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
export function nestedObject(depth) {
  let v = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
export const throwingGetter = () => ({
  get every() {
    throw new Error("getter threw");
  },
  get n() {
    throw new Error("getter threw");
  },
});
export const throwingProxy = () =>
  new Proxy([], {
    get() {
      throw new Error("trap threw");
    },
    ownKeys() {
      throw new Error("trap threw");
    },
  });
export const revokedProxy = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
export const arrayWithThrowingElement = () => {
  const a = [0, 1];
  Object.defineProperty(a, 0, {
    get() {
      throw new Error("element getter threw");
    },
  });
  return a;
};

/** The battery: [label, make()] (made fresh for each call: some are stateful). */
export const BAD = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["true", () => true],
  ["false", () => false],
  ["42", () => 42],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["1e300", () => 1e300],
  ["-1e300", () => -1e300],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-Infinity", () => -Infinity],
  ["-0", () => -0],
  ["2**53", () => 2 ** 53],
  ["2**31", () => 2 ** 31],
  ['"text"', () => "text"],
  ['"2"', () => "2"],
  ['""', () => ""],
  ["1 MB string", () => "x".repeat(1 << 20)],
  ["lone surrogate", () => "x\uD800"],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[[]]", () => [[]]],
  ["[[0, 1], [2, 3]]", () => [[0, 1], [2, 3]]],
  ["function", () => function f() {}],
  ["Symbol()", () => Symbol("s")],
  ["10n", () => 10n],
  ["new Number(1)", () => new Number(1)],
  ["new String('x')", () => new String("x")],
  ["Date", () => new Date(0)],
  ["nested array (10000 deep)", () => nestedArray(10_000)],
  ["nested object (10000 deep)", () => nestedObject(10_000)],
  ["object with a throwing getter", throwingGetter],
  ["Proxy with throwing traps", throwingProxy],
  ["revoked Proxy", revokedProxy],
  ["array with a throwing element", arrayWithThrowingElement],
  ["sparse array of length 2**32-1", () => new Array(2 ** 32 - 1)],
  ["replica id 3", () => 3],
  ["replica id 4", () => 4],
  ["replica id 7", () => 7],
  ["huge ms 2**53-1", () => MAX_TIME],
];

/** Calls `f`: returns { threw: Error | null, value }; a trap or a non-Error fails the test. */
export function attempt(f, what) {
  try {
    return { threw: null, value: f() };
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: trapped (${e?.message})`);
    assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
    return { threw: e, value: undefined };
  }
}
