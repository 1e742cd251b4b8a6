// What the renderers read besides the snapshot: every message with its fate, phase marks
// and the lines of the event log, all derived from the engine's event stream.
// Pure data (no DOM, no canvas). The engine owns the truth; this is a view of its events.

import { isResend } from "./describe.js";
import { sameMulticast } from "./flows.js";

const MAX_MESSAGES = 60_000;
const MAX_MARKS = 30_000;
const MAX_LOG = 400;
const MAX_REFUSALS = 2_000; // refused messages kept for the ring and the diagram (the newest)
// A store over its bound is cut back to this share of it: small cuts keep the page's memory
// level (within 5 %) at the cost of a splice every few thousand entries.
const KEEP = 0.95;

/** Cuts `list` back to KEEP of `max` (its oldest entries go) once it is over `max`; returns how many went. */
export function cutBack(list, max) {
  if (list.length <= max) return 0;
  const cut = list.length - Math.floor(max * KEEP);
  list.splice(0, cut);
  return cut;
}

/** Event types listed in the event log by default (sent/delivered are listed only on request). */
const MAIN_LOG = new Set([
  "dropped",
  "phase",
  "executed",
  "checkpoint-stable",
  "view-change-started",
  "view-changed",
  "state-transferred",
  "submitted",
  "retransmitted",
  "accepted",
  "rejected",
  "fault",
  "violation",
  "picked",
  "fired",
]);

/** Event types drawn as marks on the diagram's lanes. */
const MARK_TYPES = new Set(["phase", "executed", "checkpoint-stable", "view-change-started", "view-changed", "state-transferred"]);

/**
 * @typedef {object} Msg
 * @property {number} id
 * @property {number} from   replica id, -1 = client
 * @property {number} to
 * @property {string} kind
 * @property {number} sentAt
 * @property {number} deliverAt
 * @property {string} label
 * @property {number|null} view
 * @property {number|null} seq
 * @property {string|null} digest     its digest, short (`9d51`), when it names one
 * @property {number|null} timestamp  the request's timestamp (REQUEST, REPLY)
 * @property {number|null} endAt     time it was delivered or dropped (null while in flight)
 * @property {string|null} fate      "delivered" | a drop reason ("loss", "partition", "crashed", "user")
 * @property {Refusal|null} refusal  the check its receiver refused it by, once delivered
 * @property {Run} run         the multicast it is a copy of
 */

/**
 * The copies of one multicast (flows.js: same sender, kind, view, sequence number and send time;
 * a message sent to one node is a run of one), with how many of them ended and when the last did.
 * @typedef {object} Run
 * @property {Msg[]} members  in send order
 * @property {number} sentAt
 * @property {number} ended   how many members ended (were delivered or dropped)
 * @property {number} lastEnd the latest endAt among them (-Infinity while none ended)
 */

/**
 * A message a node refused (from a "rejected" event): where it landed and the check that caught it.
 * @typedef {object} Refusal
 * @property {number} id          the event's id
 * @property {number} time        when it was refused (its arrival, for a message being delivered)
 * @property {number} node        who refused it (the receiver)
 * @property {number} from        who sent it
 * @property {number|null} msg    the message's id (as in its sent/delivered events), or null when
 *                                the message had been kept aside earlier and was refused later
 * @property {string|null} kind   the message's kind, when known (from its record, else the reason's)
 * @property {{ code: string }} reason  the check, as the engine sends it ({ code, ...fields })
 */

/** A message as the renderers track it, from a "sent" event or a snapshot's inFlight entry. */
function messageRecord(id, sentAt, src) {
  return {
    id,
    from: src.from,
    to: src.to,
    kind: src.kind,
    sentAt,
    deliverAt: src.deliverAt,
    label: src.label,
    view: src.view ?? null,
    seq: src.seq ?? null,
    digest: src.digest ?? null,
    timestamp: src.timestamp ?? null,
    endAt: null,
    fate: null,
    refusal: null,
    run: null,
  };
}

/** A new run of one message. */
const newRun = (m) => (m.run = { members: [m], sentAt: m.sentAt, ended: 0, lastEnd: -Infinity });

export class History {
  constructor() {
    this.reset();
  }

  reset() {
    /** @type {Map<number, Msg>} messages still in flight */
    this.live = new Map();
    /** @type {Msg[]} every message, in send order */
    this.messages = [];
    /** @type {Run[]} the multicasts of `messages`, in send order */
    this.runs = [];
    /** @type {Msg[]} messages that ended, in end order */
    this.ended = [];
    /** @type {object[]} phase / execution / view marks, in time order */
    this.marks = [];
    /** @type {object[]} events for the log (main), oldest first */
    this.log = [];
    /** @type {object[]} every event for the verbose log, oldest first */
    this.logAll = [];
    /** @type {Map<number, number>} replica -> time of its last execution (for the flash) */
    this.lastExecuted = new Map();
    /** @type {Map<number, number>} replica -> time it last installed a view */
    this.lastViewChange = new Map();
    /** @type {Map<number, number>} replica -> time its last checkpoint became stable */
    this.lastCheckpoint = new Map();
    /** @type {object[]} violation events */
    this.violations = [];
    /** @type {Refusal[]} refused messages, in time order (the newest MAX_REFUSALS) */
    this.refusals = [];
    /** Bumped on every change; renderers compare it to skip work. */
    this.version = 0;
    /** Bumped on every reset (a new run, a seek back): what was drawn from the old history is stale. */
    this.epoch = (this.epoch ?? 0) + 1;
    this.logVersion = 0;
    this.lastTime = 0;
    this.count = 0;
    /** Messages sent, by kind (every "sent" event fed in), and requests accepted by the client. */
    this.sentByKind = {};
    this.accepted = 0;
  }

  /** Adds a batch of events (in the order the engine emitted them). */
  ingest(events) {
    if (!events || events.length === 0) return;
    for (const e of events) this.#one(e);
    this.version++;
    this.#trim();
  }

  #one(e) {
    this.count++;
    this.lastTime = e.time;
    switch (e.type) {
      case "sent": {
        this.sentByKind[e.kind] = (this.sentByKind[e.kind] ?? 0) + 1;
        if (this.live.has(e.msg)) break; // already adopted from a snapshot
        const m = messageRecord(e.msg, e.time, e);
        this.live.set(m.id, m);
        const prev = this.messages.at(-1);
        if (prev && sameMulticast(prev, m)) {
          m.run = prev.run;
          m.run.members.push(m);
        } else this.runs.push(newRun(m));
        this.messages.push(m);
        break;
      }
      case "delivered":
      case "dropped": {
        const m = this.live.get(e.msg);
        if (m) {
          this.live.delete(e.msg);
          m.endAt = e.time;
          m.fate = e.type === "delivered" ? "delivered" : e.reason;
          this.ended.push(m);
          m.run.ended++;
          if (e.time > m.run.lastEnd) m.run.lastEnd = e.time;
        }
        break;
      }
      case "accepted":
        this.accepted++;
        break;
      case "executed":
        this.lastExecuted.set(e.replica, e.time);
        break;
      case "view-changed":
        this.lastViewChange.set(e.replica, e.time);
        break;
      case "checkpoint-stable":
        this.lastCheckpoint.set(e.replica, e.time);
        break;
      case "violation":
        this.violations.push(e);
        break;
      case "rejected": {
        const r = this.#refused(e);
        // The log line names the refused message's kind (the engine's event does not carry it).
        if (r.kind !== null) e = { ...e, kind: r.kind };
        break;
      }
      default:
        break;
    }
    if (MARK_TYPES.has(e.type)) this.marks.push(e);
    // "phase: executed" repeats the "executed" event next to it; the log shows the latter.
    const main = MAIN_LOG.has(e.type) && !(e.type === "phase" && e.phase === "executed");
    if (main || e.type === "sent" || e.type === "delivered") {
      this.logAll.push(e);
      if (main) this.log.push(e);
      this.logVersion++;
    }
  }

  /** A "rejected" event: the refusal, on its message's record too when the page has it. */
  #refused(e) {
    const msg = typeof e.msg === "number" ? e.msg : null;
    const m = msg === null ? null : this.record(msg);
    const r = { id: e.id, time: e.time, node: e.node, from: e.from, msg, kind: this.refusedKind(e), reason: e.reason };
    if (m) m.refusal = r;
    // A resend ignored gets no mark: it is no failed check (describe.js isResend).
    if (!isResend(e.reason)) this.refusals.push(r);
    return r;
  }

  /**
   * The kind of the message a "rejected" event refused (the engine's event does not carry it): its
   * record's when the page has it, else the reason's, else null. The log and the caption both say it.
   */
  refusedKind(e) {
    return (typeof e.msg === "number" ? this.record(e.msg)?.kind : undefined) ?? e.reason?.kind ?? null;
  }

  /** The record of message `id`: in flight, or the last one that ended (undefined when not kept). */
  record(id) {
    return this.live.get(id) ?? this.messages.findLast((m) => m.id === id);
  }

  /**
   * Adopts in-flight messages that no event announced yet (a safety net: the element drains an
   * action's events right after it, so normally every message arrives through a "sent" event).
   */
  adopt(inFlight) {
    let added = false;
    for (const f of inFlight) {
      if (this.live.has(f.id)) continue;
      const m = messageRecord(f.id, f.sentAt, f);
      this.live.set(m.id, m);
      // Keep `messages` sorted by send time.
      let i = this.messages.length;
      while (i > 0 && this.messages[i - 1].sentAt > m.sentAt) i--;
      this.messages.splice(i, 0, m);
      let k = this.runs.length;
      while (k > 0 && this.runs[k - 1].sentAt > m.sentAt) k--;
      this.runs.splice(k, 0, newRun(m));
      added = true;
    }
    if (added) this.version++;
    return added;
  }

  /** Messages that ended within (t - horizon, t], newest first. */
  *recentlyEnded(t, horizon) {
    for (let i = this.ended.length - 1; i >= 0; i--) {
      const m = this.ended[i];
      if (m.endAt > t) continue;
      if (m.endAt <= t - horizon) break;
      yield m;
    }
  }

  /** Refusals within (t - horizon, t], newest first. */
  *recentRefusals(t, horizon) {
    for (let i = this.refusals.length - 1; i >= 0; i--) {
      const r = this.refusals[i];
      if (r.time > t) continue;
      if (r.time <= t - horizon) break;
      yield r;
    }
  }

  #trim() {
    cutBack(this.refusals, MAX_REFUSALS);
    if (cutBack(this.messages, MAX_MESSAGES) > 0) {
      const oldest = this.messages[0].sentAt;
      let k = 0;
      while (k < this.runs.length && this.runs[k].sentAt < oldest) k++;
      this.runs.splice(0, k);
    }
    cutBack(this.ended, MAX_MESSAGES);
    cutBack(this.marks, MAX_MARKS);
    if (this.log.length > MAX_LOG * 2) this.log.splice(0, this.log.length - MAX_LOG);
    if (this.logAll.length > MAX_LOG * 2) this.logAll.splice(0, this.logAll.length - MAX_LOG);
  }
}

/**
 * Per-replica intervals derived from the recorded actions, up to time `t`:
 * crashed, Byzantine (behaviour) and isolated spans for the diagram's lanes.
 * @returns {{crashed: number[][][], byzantine: {from:number,to:number,behavior:string}[][], isolated: number[][][]}}
 */
export function faultIntervals(actions, n, t) {
  const crashed = Array.from({ length: n }, () => []);
  const byzantine = Array.from({ length: n }, () => []);
  const isolated = Array.from({ length: n }, () => []);
  const downSince = new Array(n).fill(null);
  const badSince = new Array(n).fill(null);
  const badName = new Array(n).fill("");
  const cutSince = new Array(n).fill(null);
  for (const a of actions || []) {
    if (a.at > t) break;
    const r = a.replica;
    switch (a.type) {
      case "crash":
        if (r < n && downSince[r] === null) downSince[r] = a.at;
        break;
      case "recover":
        if (r < n && downSince[r] !== null) {
          crashed[r].push([downSince[r], a.at]);
          downSince[r] = null;
        }
        break;
      case "set-behavior":
        if (r >= n) break;
        if (badSince[r] !== null) byzantine[r].push({ from: badSince[r], to: a.at, behavior: badName[r] });
        badSince[r] = a.behavior === "honest" ? null : a.at;
        badName[r] = a.behavior;
        break;
      case "partition": {
        const group = new Array(n).fill(0);
        (a.groups || []).forEach((g, gi) => g.forEach((x) => x < n && (group[x] = gi)));
        for (let i = 0; i < n; i++) {
          const cut = group[i] !== 0;
          if (cut && cutSince[i] === null) cutSince[i] = a.at;
          if (!cut && cutSince[i] !== null) {
            isolated[i].push([cutSince[i], a.at]);
            cutSince[i] = null;
          }
        }
        break;
      }
      case "heal":
        for (let i = 0; i < n; i++) {
          if (cutSince[i] !== null) {
            isolated[i].push([cutSince[i], a.at]);
            cutSince[i] = null;
          }
        }
        break;
      default:
        break;
    }
  }
  for (let i = 0; i < n; i++) {
    if (downSince[i] !== null) crashed[i].push([downSince[i], Infinity]);
    if (badSince[i] !== null) byzantine[i].push({ from: badSince[i], to: Infinity, behavior: badName[i] });
    if (cutSince[i] !== null) isolated[i].push([cutSince[i], Infinity]);
  }
  return { crashed, byzantine, isolated };
}

/** The log entry a replica is working on: the lowest sequence number not yet executed (else the newest). */
export function currentEntry(replica) {
  const log = replica.log || [];
  let best = null;
  for (const e of log) {
    if (e.phase !== "executed" && (best === null || e.seq < best.seq)) best = e;
  }
  return best;
}

/** The message being inspected: the run pauses while you look and resumes when you let go. */
export class Selection {
  constructor() {
    /** The message's id, or null. */
    this.id = null;
    /** Its snapshot entry when it was picked (for the full text of its fields). */
    this.detail = null;
    /** Picking it paused the run (letting go resumes it). */
    this.autoPaused = false;
  }

  /**
   * Picks message `id`, in flight in `snapshot`; `playing`: the run plays now.
   * @returns {boolean} the run is to pause
   */
  pick(id, snapshot, playing) {
    this.id = id;
    this.detail = snapshot.inFlight.find((m) => m.id === id) ?? null;
    if (playing) this.autoPaused = true;
    return playing;
  }

  /** Lets go. @returns {boolean} the run is to resume */
  clear() {
    const resume = this.autoPaused;
    this.id = null;
    this.detail = null;
    this.autoPaused = false;
    return resume;
  }

  /** A message is picked but the history no longer has it. */
  gone(history) {
    return this.id !== null && !history.record(this.id);
  }

  /** What the inspector shows (see inspection), or null. */
  view(history, snapshot, lost) {
    if (this.id === null) return null;
    const found = inspection(history, this.id, snapshot, lost, this.detail);
    return found && { ...found, autoPaused: this.autoPaused };
  }
}

/**
 * What the inspector shows for message `id`: its record (in flight, or the last one that ended),
 * its fate, the check its receiver refused it by (or null), whether it will be lost or cut by
 * the partition; null when the history lost it.
 * @param {History} history
 * @param {Set<number>} lost  ids of in-flight messages that will be lost
 * @param {{ detail?: string } | null} detail  its snapshot entry (the full text of its fields)
 */
export function inspection(history, id, snapshot, lost, detail) {
  const live = history.live.get(id);
  const rec = history.record(id);
  if (!rec) return null;
  const group = (node) => (node < 0 ? 0 : snapshot.partition[node] ?? 0);
  return {
    msg: { ...rec, detail: detail?.detail },
    live: !!live,
    fate: rec.fate,
    endAt: rec.endAt,
    refusal: rec.refusal,
    lost: lost.has(rec.id),
    cut: group(rec.from) !== group(rec.to),
  };
}

/**
 * The partition after isolating replica `i`, or joining it back when it is isolated: the groups
 * for sim.partition() (everyone else first, then each isolated replica alone), or null when no
 * one is left isolated (sim.heal()). `partition[j]` is replica j's group (0: the client's).
 */
export function toggleIsolation(partition, i) {
  const cut = new Set(partition.map((g, j) => (g !== 0 ? j : -1)).filter((j) => j >= 0));
  if (cut.has(i)) cut.delete(i);
  else cut.add(i);
  if (cut.size === 0) return null;
  const rest = partition.map((_, j) => j).filter((j) => !cut.has(j));
  return [rest, ...[...cut].sort((a, b) => a - b).map((j) => [j])];
}

/**
 * The view the cluster is in, as the status line tells it: the highest view v that a quorum
 * (2f + 1) of replicas has installed (each of them working in v, or already past it), and the
 * view a change is under way to when some replica has moved beyond it (else null). A replica
 * alone in a higher view (a faulty primary, one cut off) does not make the cluster's view.
 * @returns {{ view: number, changing: number | null }}
 */
export function clusterView(snapshot) {
  const reps = snapshot.replicas;
  let view = 0;
  for (const r of reps) {
    const v = r.view;
    if (v <= view) continue;
    const count = reps.filter((x) => x.view > v || (x.view === v && x.status === "normal")).length;
    if (count >= snapshot.quorum) view = v;
  }
  let changing = null;
  for (const r of reps) if (r.up && r.view > view && (changing === null || r.view < changing)) changing = r.view;
  return { view, changing };
}

/**
 * Marks exactly one primary in `snapshot`: the cluster view's (see clusterView), wherever each
 * replica's own view is (a crashed old primary, a replica alone in a higher view, would each
 * call itself primary). The engine's own flag stays as `ownPrimary`, the cluster view as
 * `cluster` (for the status line). Returns the snapshot.
 */
export function markPrimary(snapshot) {
  snapshot.cluster = clusterView(snapshot);
  const p = snapshot.cluster.view % snapshot.n;
  snapshot.replicas.forEach((r, i) => {
    r.ownPrimary = r.isPrimary;
    r.isPrimary = i === p;
  });
  return snapshot;
}
