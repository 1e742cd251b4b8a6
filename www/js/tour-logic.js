// The guided tour's pure logic (no DOM, no engine): reading the engine's events for the quorums a
// run really formed, and the tour's address (chapter and step). js/tour.js draws and drives it.
//
// A replica's commit quorum is the replica itself and the senders of the matching COMMITs it had
// received when its `phase: committed` event came: what the engine counted, read off its events.

/** Sorted, distinct replica ids. */
const set = (ids) => [...new Set(ids)].sort((a, b) => a - b);

/** The quorum size the engine uses for n replicas (DESIGN.md: ⌈(n + f + 1) / 2⌉, 2f + 1 when n = 3f + 1). */
export function quorumSize(n) {
  const f = Math.floor((n - 1) / 3);
  return Math.ceil((n + f + 1) / 2);
}

export class QuorumTracker {
  constructor() {
    /** msg id -> { from, view, seq, digest } of PREPARE and COMMIT messages sent */
    this.msgs = new Map();
    /** `${to}|${view}|${seq}|${digest}` -> Set of senders of COMMITs delivered to `to` */
    this.received = new Map();
    /** `${seq}|${digest}` -> Set of replicas that voted for it (PRE-PREPARE, PREPARE or COMMIT sent) */
    this.voters = new Map();
    /** Every commit quorum, in the order the replicas committed: { replica, view, seq, digest, members, time } */
    this.quorums = [];
    /** seq -> op of the request executed there (by anyone) */
    this.ops = new Map();
  }

  /** Takes in one event of the engine. */
  feed(e) {
    switch (e.type) {
      case "sent":
        if (e.from < 0 || e.seq === undefined) return;
        if (e.kind === "pre-prepare" || e.kind === "prepare" || e.kind === "commit") {
          const key = `${e.seq}|${e.digest}`;
          if (!this.voters.has(key)) this.voters.set(key, new Set());
          this.voters.get(key).add(e.from);
        }
        if (e.kind === "commit") this.msgs.set(e.msg, { from: e.from, view: e.view, seq: e.seq, digest: e.digest });
        return;
      case "delivered": {
        if (e.kind !== "commit") return;
        const m = this.msgs.get(e.msg);
        if (!m) return;
        const key = `${e.to}|${m.view}|${m.seq}|${m.digest}`;
        if (!this.received.has(key)) this.received.set(key, new Set());
        this.received.get(key).add(m.from);
        return;
      }
      case "phase": {
        if (e.phase !== "committed") return;
        const got = this.received.get(`${e.replica}|${e.view}|${e.seq}|${e.digest}`) ?? [];
        this.quorums.push({ replica: e.replica, view: e.view, seq: e.seq, digest: e.digest, members: set([e.replica, ...got]), time: e.time });
        return;
      }
      case "executed":
        if (e.op != null && !this.ops.has(e.seq)) this.ops.set(e.seq, e.op);
        return;
      default:
    }
  }

  /**
   * Two commit quorums of two different replicas at one sequence number (preferring two that
   * differ, then the earliest sequence number), the first replicas not in `faulty`:
   * { seq, digest, a, b, overlap } with a, b the quorums, or null while there are not two.
   */
  pair(faulty = []) {
    const bad = new Set(faulty);
    const honest = this.quorums.filter((q) => !bad.has(q.replica));
    let best = null;
    for (let i = 0; i < honest.length; i++) {
      for (let j = i + 1; j < honest.length; j++) {
        const a = honest[i];
        const b = honest[j];
        if (a.seq !== b.seq || a.replica === b.replica) continue;
        const differ = a.members.join() !== b.members.join();
        const score = [differ ? 0 : 1, a.seq];
        if (!best || score[0] < best.score[0] || (score[0] === best.score[0] && score[1] < best.score[1])) best = { a, b, score };
      }
    }
    if (!best) return null;
    const { a, b } = best;
    return { seq: a.seq, digest: a.digest, a, b, overlap: a.members.filter((x) => b.members.includes(x)) };
  }

  /**
   * What stopped an attack at one sequence number: the quorum an honest replica committed with,
   * the best support any other request got there, and, since that support fell short of a
   * quorum, the honest replicas of the first quorum whose votes it lacked. Null when no honest
   * replica committed anything. Without a rival request, `rival` is null and `b` is a second
   * honest replica's quorum (as `pair`).
   * `stoppers` are the honest replicas that stopped it: those the rival lacked, or the honest overlap.
   * @returns {{ seq: number, digest: string, op: string | undefined, a: object, rival: null | { digest: string, supporters: number[], needed: number[] },
   *             b: object | null, overlap: number[], honestOverlap: number[], stoppers: number[] } | null}
   */
  stopped(n, faulty = []) {
    const bad = new Set(faulty);
    const q = quorumSize(n);
    const honest = this.quorums.filter((x) => !bad.has(x.replica));
    if (honest.length === 0) return null;
    // The sequence number with the strongest rival (the attack's best try), else the first one.
    let pick = null;
    for (const a of honest) {
      let rival = null;
      for (const [key, who] of this.voters) {
        const [seq, digest] = key.split("|");
        if (Number(seq) !== a.seq || digest === a.digest) continue;
        const supporters = set([...who]);
        if (!rival || supporters.length > rival.supporters.length) rival = { digest, supporters };
      }
      const strength = rival ? rival.supporters.length : -1;
      if (!pick || strength > pick.strength) pick = { a, rival, strength };
    }
    const { a, rival } = pick;
    const op = this.ops.get(a.seq);
    if (rival) {
      // A quorum for the rival would need q members; those it lacks would have to come from
      // replicas that voted for a.digest: the honest members of a's quorum outside its support.
      const missing = Math.max(0, q - rival.supporters.length);
      const needed = a.members.filter((x) => !bad.has(x) && !rival.supporters.includes(x)).slice(0, Math.max(1, missing));
      const b = { members: set([...rival.supporters, ...needed]) };
      const overlap = a.members.filter((x) => b.members.includes(x));
      return { seq: a.seq, digest: a.digest, op, a, rival: { ...rival, needed }, b, overlap, honestOverlap: overlap.filter((x) => !bad.has(x)), stoppers: needed };
    }
    const p = this.pair(faulty);
    const b = p && p.seq === a.seq ? (p.a === a ? p.b : p.a) : (p?.b ?? null);
    const base = p ?? { a, b: null };
    const overlap = base.b ? base.a.members.filter((x) => base.b.members.includes(x)) : base.a.members;
    const honestOverlap = overlap.filter((x) => !bad.has(x));
    return { seq: base.a.seq, digest: base.a.digest, op: this.ops.get(base.a.seq), a: base.a, rival: null, b: base.b, overlap, honestOverlap, stoppers: honestOverlap };
  }
}

/**
 * The tour asked for by an address or attributes: `tour` a chapter id, `step` 1-based.
 * @param {string | null} tour
 * @param {string | null} step
 * @param {{ id: string, steps: unknown[] }[]} chapters
 * @returns {{ chapter: string | null, step: number, problems: string[] }} step 0-based, clamped;
 *   problems names the values refused ("tour", "step")
 */
export function readTourParams(tour, step, chapters) {
  const problems = [];
  if (tour === null || tour === undefined) return { chapter: null, step: 0, problems };
  const id = String(tour).trim();
  // `tour` alone (empty or "1"): the chapter list.
  if (id === "" || id === "menu") return { chapter: "", step: 0, problems };
  const chapter = chapters.find((c) => c.id === id);
  if (!chapter) {
    problems.push("tour");
    return { chapter: "", step: 0, problems };
  }
  let k = 0;
  if (step !== null && step !== undefined && String(step).trim() !== "") {
    const x = Number(step);
    if (Number.isInteger(x) && x >= 1) k = Math.min(x, chapter.steps.length) - 1;
    else problems.push("step");
  }
  return { chapter: id, step: k, problems };
}

/** The address of a tour step: `?tour=<id>&step=<k+1>` (and `lang` when not English). */
export function tourSearch(chapter, step, lang = "en") {
  const p = new URLSearchParams();
  p.set("tour", chapter);
  p.set("step", String(step + 1));
  if (lang && lang !== "en") p.set("lang", lang);
  return `?${p}`;
}

/** The faulty replicas of a snapshot: crashed or not honest. */
export function faultyOf(snapshot) {
  return snapshot.replicas.filter((r) => !r.up || r.behavior !== "honest").map((r) => r.id);
}
