// Events in words: log lines, rejections, faults, safety violations and what the narrator says.
// The engine sends codes with parameters ({ code, ...fields }); the words are made here, from the
// i18n tables (i18n.js, i18n-zh-CN.js), with replica names from the page. No DOM; nothing here
// parses engine text. A code the tables do not know yet is shown as a neutral fallback that
// names it (and its fields), never dropped and never an exception.
//
// The panels, the narrator and the controls all take their words from this module; none of
// them imports functions from another.

/** Fields of a code that name a replica (shown with the page's names). */
const REPLICA_FIELDS = new Set(["replica", "primary", "first", "second", "signer"]);

/** A message kind as the log shows it: "PRE-PREPARE". */
const kindText = (kind) => String(kind).toUpperCase();

/** A node number as a name: a negative number is a client, i is replica i. */
export function nodeName(snapshot, t, node) {
  if (node < 0) return t("node.client");
  return snapshot?.replicas[node]?.name ?? `R${node}`;
}

/** `(node) => name` for one snapshot and translator. */
export const namer = (snapshot, t) => (node) => nodeName(snapshot, t, node);

/** A preset's title or description in the translator's language (the engine's English otherwise). */
export function presetText(t, preset, field) {
  const key = `preset.${preset.name}.${field}`;
  return t.defined(key) ? t(key) : preset[field];
}

/** A timer's name ("view-change timer"), by its code (Simulation.codes().timers). */
export function timerText(t, timer) {
  const key = `timer.${timer}`;
  return t.defined(key) ? t(key) : String(timer);
}

/** A behaviour's name in the translator's language ("equivocate", "两面派"), else its code. */
export function behaviorName(t, name) {
  const key = `behaviorName.${name}`;
  return t.defined(key) ? t(key) : String(name);
}

/** A behaviour's description in the translator's language (the engine's English otherwise). */
export function behaviorText(t, behavior) {
  const key = `behavior.${behavior.name}`;
  return t.defined(key) ? t(key) : behavior.description ?? behavior.name;
}

/** "k = 2, m = 1" for parameters ({ name: number }). */
const paramsText = (params) =>
  Object.entries(params ?? {})
    .map(([k, v]) => `${k} = ${v}`)
    .join(", ");

/**
 * The template variables of a `{ code, ...fields }` object: replica fields become names, `kind`
 * an upper-case message kind, `client` the client's name, nested `defect` its words.
 */
function vars(obj, t, name) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === "code") continue;
    if (REPLICA_FIELDS.has(k) && typeof v === "number") out[k] = name(v);
    else if (k === "kind") out[k] = kindText(v);
    else if (k === "client" && typeof v === "number") out[k] = name(-1 - v);
    else if (k === "defect" && v && typeof v === "object") out[k] = describeDefect(v, t, name);
    else if (k === "firstOp" || k === "secondOp") out[k] = typeof v === "string" ? t("violation.op", { op: v }) : t("log.op.null");
    else out[k] = typeof v === "object" && v !== null ? JSON.stringify(v) : v;
  }
  return out;
}

/** Words for `{ code, ...fields }` under `prefix` ("reject", "defect", "violation"), or the fallback. */
function coded(prefix, obj, t, name, key = `${prefix}.${obj?.code}`) {
  if (!obj || typeof obj !== "object") return t(`${prefix}.unknown`, { code: String(obj), fields: "" });
  const v = vars(obj, t, name);
  if (t.defined(key)) return t(key, v);
  const fields = Object.entries(v)
    .map(([k, x]) => `${k} ${x}`)
    .join(", ");
  return t(fields ? `${prefix}.unknown` : `${prefix}.unknown.bare`, { code: String(obj.code), fields });
}

/**
 * Whether a refusal is only a resend ignored: an honest replica sends its vote again when it
 * misses progress, and the receiver, which counted it already, changes nothing. The page shows
 * it as neutral, not as a failed check (no mark, no alarm in the caption).
 */
export function isResend(reason) {
  return reason?.code === "duplicate-vote";
}

/** Why a replica refused a message: `reason` is `{ code, ...fields }` (see README, JS API). */
export function describeReason(reason, t, name = (i) => `R${i}`) {
  // A reply sent to a replica and a replica-only message sent by a client are both "wrong sender".
  const key = reason?.code === "wrong-sender" && reason.kind === "reply" ? "reject.wrong-sender.reply" : undefined;
  return coded("reject", reason, t, name, key);
}

/**
 * A refused message in one line: who refused what from whom, and the check that caught it
 * ("R1 refused a PREPARE from R0: duplicate vote for n3"). `r` is a "rejected" event, or a
 * refusal of the History (model.js), which adds the message's `kind` when the page knows it.
 */
export function describeRefusal(r, t, name = (i) => `R${i}`) {
  const kind = r.kind ?? r.reason?.kind ?? null;
  const v = { node: name(r.node), from: name(r.from), reason: describeReason(r.reason, t, name) };
  const key = isResend(r.reason) ? "ev.ignored" : "ev.rejected";
  return kind ? t(`${key}.kind`, { ...v, kind: kindText(kind) }) : t(key, v);
}

/** What is wrong with a VIEW-CHANGE (inside invalid-view-change and new-view-bad-view-change). */
export function describeDefect(defect, t, name = (i) => `R${i}`) {
  return coded("defect", defect, t, name);
}

/** A safety violation (`{ code, ...fields }`, from an event or snapshot().violations). */
export function describeViolation(violation, t, name = (i) => `R${i}`) {
  return coded("violation", violation, t, name);
}

/** A fault event's action (an entry of sim.actions() without `at`). */
export function describeFault(action, t, name = (i) => `R${i}`) {
  const a = action ?? {};
  const node = (x) => (x < 0 ? t("node.client") : name(x));
  switch (a.type) {
    case "crash":
    case "recover":
      return t(`fault.${a.type}`, { replica: name(a.replica) });
    case "set-behavior": {
      const v = { replica: name(a.replica), behavior: behaviorName(t, a.behavior), description: behaviorText(t, { name: a.behavior }), params: paramsText(a.params) };
      return t(v.params ? "fault.set-behavior.params" : "fault.set-behavior", v);
    }
    case "partition":
      return t("fault.partition", { groups: (a.groups ?? []).map((g) => `{${g.map(name).join(" ")}}`).join(" | ") });
    case "heal":
      return t("fault.heal");
    case "set-loss":
      return t("fault.set-loss", { p: Math.round(a.rate * 100) });
    case "set-link-latency":
      return t("fault.set-link-latency", { a: node(a.a), b: node(a.b), min: a.min, max: a.max });
    case "set-delivery":
      return t(a.mode === "auto" ? "fault.set-delivery.auto" : "fault.set-delivery");
    default: {
      const { type, ...fields } = a;
      return coded("fault", { code: type, ...fields }, t, name);
    }
  }
}

/** One event of the log in plain words, by event type. */
const EVENTS = {
  sent: (e, t, name) => t("ev.sent", { from: name(e.from), to: name(e.to), label: e.label }),
  delivered: (e, t, name) => t("ev.delivered", { from: name(e.from), to: name(e.to), kind: kindText(e.kind) }),
  dropped: (e, t, name) => t("ev.dropped", { from: name(e.from), to: name(e.to), kind: kindText(e.kind), reason: dropText(t, e.reason) }),
  phase: (e, t, name, n) => {
    const asPrimary = e.phase === "pre-prepared" && n > 0 && e.view % n === e.replica;
    const key = asPrimary ? "ev.phase.pre-prepared.primary" : `ev.phase.${e.phase}`;
    const v = { replica: name(e.replica), seq: e.seq, view: e.view, digest: e.digest, phase: e.phase };
    return t(t.defined(key) ? key : "ev.phase.unknown", v);
  },
  executed: (e, t, name) => {
    if (e.op == null) return t("ev.executed.null", { replica: name(e.replica), seq: e.seq });
    if (e.result == null) return t("ev.executed.noresult", { replica: name(e.replica), seq: e.seq, op: e.op });
    return t("ev.executed", { replica: name(e.replica), seq: e.seq, op: e.op, result: e.result });
  },
  "checkpoint-stable": (e, t, name) => t("ev.checkpoint-stable", { replica: name(e.replica), seq: e.seq }),
  "view-change-started": (e, t, name) =>
    t(e.wasPrimary ? "ev.view-change-started.primary" : "ev.view-change-started", { replica: name(e.replica), view: e.view, prev: e.view - 1 }),
  "view-changed": (e, t, name) => t("ev.view-changed", { replica: name(e.replica), view: e.view, primary: name(e.primary) }),
  "state-transferred": (e, t, name) => t("ev.state-transferred", { replica: name(e.replica), seq: e.seq, from: name(e.from) }),
  submitted: (e, t) => t("ev.submitted", { op: e.op, timestamp: e.timestamp }),
  retransmitted: (e, t) => t("ev.retransmitted", { timestamp: e.timestamp, attempt: e.attempt }),
  accepted: (e, t, name) => t("ev.accepted", { result: e.result, timestamp: e.timestamp, view: e.view, from: (e.replicas ?? []).map(name).join(", ") }),
  rejected: (e, t, name) => describeRefusal(e, t, name),
  fault: (e, t, name) => t("ev.fault", { description: describeFault(e.action, t, name) }),
  violation: (e, t, name) => t("ev.violation", { description: describeViolation(e.violation, t, name) }),
  picked: (e, t, name) => t("ev.picked", { from: name(e.from), to: name(e.to), kind: kindText(e.kind) }),
  fired: (e, t, name) => t("ev.fired", { node: name(e.node), timer: timerText(t, e.timer) }),
};

/**
 * What the ring says before anything happened: Play (an element without autoplay) or Send request;
 * in manual delivery, while everything waits for you, what you can do (`flying`: messages are in flight).
 */
export function ringHint(t, { happened, playing, idle, waiting = false, flying = true }) {
  if (waiting) return t(flying ? "hint.manual" : "hint.manual.timers");
  if (happened) return "";
  if (!playing && !idle) return t("hint.play");
  return idle ? t("ring.hint") : "";
}

/** The event types describeEvent has words for. */
export const EVENT_TYPES = Object.keys(EVENTS);

/** Why a message was lost ("loss", "partition", "crashed", "user", ...). */
export function dropText(t, reason) {
  const key = `reason.${reason}`;
  return t.defined(key) ? t(key) : String(reason);
}

/**
 * One event in plain words.
 * @param {object} e  an engine event
 * @param {(k: string, v?: object) => string} t
 * @param {(node: number) => string} name
 * @param {number} [n]  replica count (tells the primary's pre-prepare from a backup's)
 */
export function describeEvent(e, t, name, n = 0) {
  const f = Object.hasOwn(EVENTS, e.type) ? EVENTS[e.type] : null;
  return f ? f(e, t, name, n) : t("ev.unknown", { type: e.type });
}

/**
 * What the narrator may say about an event: a milestone with the key that says it once
 * (the first replica to prepare n3 speaks for all), or null for events it leaves out.
 * @returns {{ key: string, kind: string, text: string } | null}
 */
export function narration(e, t, name, n = 0) {
  switch (e.type) {
    case "submitted":
      return { key: `s${e.client}:${e.timestamp}`, kind: e.type, text: t("say.submitted", { op: e.op, timestamp: e.timestamp }) };
    case "phase": {
      if (e.phase === "executed" || !t.defined(`say.${e.phase}`)) return null;
      const key = `${e.phase}:${e.view}:${e.seq}`;
      if (e.phase === "pre-prepared") {
        if (n === 0 || e.view % n !== e.replica) return null; // the primary's assignment only
        return { key, kind: e.phase, text: t("say.pre-prepared", { replica: name(e.replica), seq: e.seq, view: e.view }) };
      }
      return { key, kind: e.phase, text: t(`say.${e.phase}`, { replica: name(e.replica), seq: e.seq }) };
    }
    case "executed": {
      const text = e.op == null ? t("say.executed.null", { replica: name(e.replica), seq: e.seq }) : t("say.executed", { replica: name(e.replica), seq: e.seq, op: e.op });
      return { key: `x${e.seq}`, kind: e.type, text };
    }
    case "accepted":
      return { key: `a${e.client}:${e.timestamp}`, kind: e.type, text: t("say.accepted", { result: e.result, timestamp: e.timestamp }) };
    case "retransmitted":
      return { key: `r${e.client}:${e.timestamp}:${e.attempt}`, kind: e.type, text: t("say.retransmitted", { timestamp: e.timestamp }) };
    case "view-change-started":
      return {
        key: `vc${e.view}`,
        kind: e.type,
        text: t(e.wasPrimary ? "say.view-change-started.primary" : "say.view-change-started", { replica: name(e.replica), view: e.view, prev: e.view - 1 }),
      };
    case "view-changed":
      return { key: `v${e.view}`, kind: e.type, text: t("say.view-changed", { view: e.view, primary: name(e.primary) }) };
    case "checkpoint-stable":
      return { key: `c${e.seq}`, kind: e.type, text: t("say.checkpoint-stable", { seq: e.seq }) };
    case "state-transferred":
      return { key: `st${e.replica}:${e.seq}`, kind: e.type, text: t("say.state-transferred", { replica: name(e.replica), seq: e.seq }) };
    case "fault":
      return { key: `f${e.id}`, kind: e.type, text: describeFault(e.action, t, name) };
    case "rejected": {
      // A resend ignored is routine, not news.
      if (isResend(e.reason)) return null;
      // Once per check and sender: a faulty replica's attack caught, not each copy of it.
      const kind = e.kind ?? e.reason?.kind ?? null;
      const v = { node: name(e.node), from: name(e.from), kind: kind ? kindText(kind) : "", reason: describeReason(e.reason, t, name) };
      return { key: `rj:${e.reason?.code}:${e.from}`, kind: e.type, text: t(kind ? "say.rejected" : "say.rejected.bare", v) };
    }
    case "violation":
      return { key: "violation", kind: e.type, text: t("say.violation") };
    case "picked":
      return { key: `p${e.id}`, kind: e.type, text: t("say.picked", { from: name(e.from), to: name(e.to), kind: kindText(e.kind) }) };
    case "fired":
      return { key: `t${e.id}`, kind: e.type, text: t("say.fired", { node: name(e.node), timer: timerText(t, e.timer) }) };
    default:
      return null;
  }
}
