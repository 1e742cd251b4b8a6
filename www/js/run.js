// Starting a run: a new Simulation for the settings and recorded actions asked for, falling
// back politely (without the actions, then to the defaults) when the engine refuses them, and
// the preset's own actions (a permalink leaves those out of its URL). No DOM.

import { fitNames } from "./options.js";
import { DEFAULTS } from "./permalink.js";

/** The options of `new Simulation` for a run's settings (n, seed, preset, names, loss; without its actions). */
export function runOptions(cfg) {
  const options = { n: cfg.n, seed: cfg.seed };
  if (cfg.preset) options.preset = cfg.preset;
  if (cfg.names) options.names = fitNames(cfg.names, cfg.n);
  if (cfg.loss > 0) options.loss = cfg.loss;
  // A live cluster's mirror (js/live.js): its clients, protocol parameters and manual delivery.
  if (cfg.extra) Object.assign(options, cfg.extra);
  return options;
}

/**
 * @param {typeof import("../pkg/pbft_playground.js").Simulation} Simulation
 * @param {{ n: number, seed: number, preset: string, names: string[] | null }} cfg
 * @param {object[] | null} actions  recorded actions, or null for the preset's own
 * @returns {{ sim: object, cfg: object, actions: object[] | null, baseActions: object[], problems: { key: string, vars: object, kind: string }[] }}
 *   `problems` are notices to show (an i18n key and its variables)
 */
export function startRun(Simulation, cfg, actions = null) {
  const problems = [];
  const options = runOptions(cfg);
  let sim;
  try {
    sim = new Simulation(actions ? { ...options, actions } : options);
  } catch (e) {
    if (actions) problems.push({ key: "notice.badActions", vars: { reason: e.message }, kind: "info" });
    try {
      sim = new Simulation(options);
    } catch (e2) {
      problems.push({ key: "notice.error", vars: { message: e2.message }, kind: "error" });
      cfg = { ...DEFAULTS, names: null };
      sim = new Simulation({ n: cfg.n, seed: cfg.seed });
    }
    actions = null;
  }
  let baseActions = [];
  if (cfg.preset) {
    if (!actions) baseActions = sim.actions();
    else {
      const base = new Simulation(options);
      baseActions = base.actions();
      base.free();
    }
  }
  const out = { n: cfg.n, seed: cfg.seed, preset: cfg.preset, names: cfg.names ?? null };
  if (cfg.loss > 0) out.loss = cfg.loss;
  if (cfg.extra) out.extra = cfg.extra;
  return { sim, cfg: out, actions, baseActions, problems };
}

/**
 * Advances `sim` by `ms` virtual ms and returns every event. The engine runs at most a budget of
 * new work per call (README, JS API) and throws when it stops short; a permalink's replay may need
 * more, so this goes on in further calls while each one gets further, and rethrows an error that
 * made no progress.
 */
export function advanceAll(sim, ms) {
  return gather(sim, sim.now + ms, (left) => sim.advance(left));
}

/** Like advanceAll, but stops where the run goes idle (nothing in flight, no timer), at most `ms` on. */
export function runIdle(sim, ms) {
  return gather(sim, sim.now + ms, (left) => sim.runUntilIdle(left));
}

function gather(sim, target, call) {
  let events = [];
  for (;;) {
    const before = sim.now;
    try {
      return events.concat(call(target - sim.now));
    } catch (err) {
      const kept = sim.takeEvents();
      if (sim.now <= before || sim.now >= target) throw err;
      events = events.concat(kept);
    }
  }
}

/**
 * How many of the recorded actions `before` are not in `after` (each counted as often as it
 * occurs): what acting in the past dropped from the recorded future. Actions are compared by
 * content, so the same list gives 0 whatever was added to it.
 */
export function droppedActions(before, after) {
  const left = new Map();
  for (const a of after) {
    const key = JSON.stringify(a);
    left.set(key, (left.get(key) ?? 0) + 1);
  }
  let dropped = 0;
  for (const a of before) {
    const key = JSON.stringify(a);
    const k = left.get(key) ?? 0;
    if (k > 0) left.set(key, k - 1);
    else dropped++;
  }
  return dropped;
}
