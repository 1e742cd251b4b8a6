// The guided tour's chapters: each one a run of the real engine (a preset, or settings and the
// reader's own actions) and its steps. A step is shown when its milestone comes in the engine's
// events (`until`: an event matcher, or "now": at once); it points at what to look at (`focus`),
// may ask the reader to predict what comes next (`q`: the number of choices and the right one,
// 0-based), and says it in words from the i18n tables: tour.<chapter>.<step>.title / .text, and
// for a question .q, .c1 … .cN, .a. Words that name replicas come as { node } or { nodes } values
// (js/tour.js writes them as the replicas' names in the reader's language). No DOM here.

/** The four generals of the classic demo. */
export const GENERALS = ["Apple", "MS", "Google", "IBM"];

/** An event matcher: the first event of `type` for which `pred` holds. */
const on = (type, pred = () => true) => (e) => (e.type === type && pred(e) ? e : null);
const node = (id) => ({ node: id });
const nodes = (ids) => ({ nodes: ids });

const submitted = on("submitted");
const accepted = on("accepted");
const acceptedVars = (e) => ({ who: nodes(e.replicas), op: e.op, view: e.view });

/** The chapters, in the order of the tour. */
export const CHAPTERS = [
  {
    id: "generals",
    steps: [
      { id: "start", run: { preset: "generals" }, until: submitted, focus: () => ({ nodes: [3, -1] }), q: [3, 0] },
      { id: "executed", until: on("executed", (e) => e.seq === 1), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica] }) },
      { id: "accepted", until: accepted, vars: acceptedVars, focus: (e) => ({ nodes: [-1, ...e.replicas], kinds: ["reply"] }) },
      { id: "naive", run: { preset: "naive-quorum", names: GENERALS }, until: submitted, focus: () => ({ nodes: [0], kinds: ["pre-prepare"] }), q: [2, 1] },
      {
        id: "violation",
        until: on("violation"),
        vars: (e) => ({ first: node(e.violation.first), second: node(e.violation.second), firstOp: e.violation.firstOp ?? "", secondOp: e.violation.secondOp ?? "", seq: e.violation.seq }),
        focus: (e) => ({ nodes: [e.violation.first, e.violation.second], badge: true }),
      },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "normal",
    steps: [
      { id: "request", run: { preset: "normal" }, until: submitted, focus: () => ({ nodes: [-1, 0], kinds: ["request"] }) },
      { id: "preprepare", until: on("phase", (e) => e.phase === "pre-prepared" && e.replica !== 0), vars: (e) => ({ replica: node(e.replica) }), focus: () => ({ nodes: [0], kinds: ["pre-prepare", "prepare"] }), q: [3, 0] },
      { id: "prepared", until: on("phase", (e) => e.phase === "prepared"), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica], kinds: ["prepare", "commit"] }), q: [2, 1] },
      { id: "committed", until: on("phase", (e) => e.phase === "committed"), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica], kinds: ["commit", "reply"] }), q: [3, 1] },
      { id: "accepted", until: accepted, vars: acceptedVars, focus: (e) => ({ nodes: [-1, ...e.replicas] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "quorums",
    steps: [
      { id: "start", run: { preset: "normal" }, until: submitted, q: [3, 0] },
      {
        id: "one",
        until: (e, ctx) => (e.type === "phase" && e.phase === "committed" ? ctx.tracker.quorums.at(-1) : null),
        vars: (q) => ({ replica: node(q.replica), members: nodes(q.members), seq: q.seq }),
        focus: (q) => ({ nodes: [q.replica], quorums: [q.members] }),
      },
      {
        id: "two",
        // A second replica's quorum: one that differs from the first if the run has one, else the last replica's.
        until: (e, ctx) => {
          if (e.type !== "phase" || e.phase !== "committed") return null;
          const p = ctx.tracker.pair();
          if (!p) return null;
          const all = ctx.tracker.quorums.filter((q) => q.seq === p.seq).length >= ctx.n;
          return p.a.members.join() !== p.b.members.join() || all ? p : null;
        },
        vars: (p) => ({ a: node(p.a.replica), b: node(p.b.replica), aMembers: nodes(p.a.members), bMembers: nodes(p.b.members), overlap: nodes(p.overlap), size: p.overlap.length }),
        focus: (p) => ({ quorums: [p.a.members, p.b.members], honest: p.overlap }),
      },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "backup-crash",
    steps: [
      { id: "start", run: { preset: "backup-crash" }, until: submitted, focus: () => ({ nodes: [3] }), q: [3, 0] },
      { id: "committed", until: on("phase", (e) => e.phase === "committed"), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica], kinds: ["commit"] }) },
      { id: "accepted", until: accepted, vars: acceptedVars, focus: (e) => ({ nodes: [-1, ...e.replicas] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "lying-primary",
    steps: [
      { id: "start", run: { preset: "equivocation" }, until: on("phase", (e) => e.phase === "pre-prepared" && e.replica !== 0), vars: (e) => ({ replica: node(e.replica) }), focus: () => ({ nodes: [0], kinds: ["pre-prepare"] }), q: [2, 1] },
      { id: "stuck", until: on("retransmitted"), focus: () => ({ nodes: [-1], kinds: ["request"] }) },
      { id: "suspect", until: on("view-change-started", (e) => !e.wasPrimary), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica], kinds: ["view-change"] }) },
      { id: "newview", until: on("view-changed", (e) => e.replica === e.primary), vars: (e) => ({ primary: node(e.primary), view: e.view }), focus: (e) => ({ nodes: [e.primary], kinds: ["new-view"] }) },
      { id: "accepted", until: accepted, vars: acceptedVars, focus: (e) => ({ nodes: [-1, ...e.replicas] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "view-change",
    steps: [
      { id: "start", run: { preset: "primary-crash" }, until: submitted, focus: () => ({ nodes: [0, -1], kinds: ["request"] }) },
      { id: "timeout", until: on("retransmitted"), focus: () => ({ nodes: [-1], kinds: ["request"] }), q: [3, 0] },
      { id: "suspect", until: on("view-change-started", (e) => !e.wasPrimary), vars: (e) => ({ replica: node(e.replica) }), focus: (e) => ({ nodes: [e.replica], kinds: ["view-change"] }) },
      { id: "newview", until: on("view-changed", (e) => e.replica === e.primary), vars: (e) => ({ primary: node(e.primary), view: e.view }), focus: (e) => ({ nodes: [e.primary], kinds: ["new-view"] }), q: [3, 0] },
      { id: "accepted", until: accepted, vars: acceptedVars, focus: (e) => ({ nodes: [-1, ...e.replicas] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "checkpoints",
    steps: [
      { id: "start", run: { preset: "checkpoint" }, until: submitted },
      { id: "checkpoint", until: on("sent", (e) => e.kind === "checkpoint"), vars: (e) => ({ replica: node(e.from), seq: e.seq }), focus: (e) => ({ nodes: [e.from], kinds: ["checkpoint"] }), q: [3, 1] },
      { id: "stable", until: on("checkpoint-stable", (e) => e.seq === 4), vars: (e) => ({ replica: node(e.replica), seq: e.seq }), focus: (e) => ({ nodes: [e.replica], kinds: ["checkpoint"] }) },
      { id: "again", until: on("checkpoint-stable", (e) => e.seq === 8), vars: (e) => ({ replica: node(e.replica), seq: e.seq }), focus: (e) => ({ nodes: [e.replica], kinds: ["checkpoint"] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "state-transfer",
    steps: [
      { id: "cut", run: { preset: "catch-up" }, until: on("fault", (e) => e.action.type === "partition"), focus: () => ({ nodes: [3] }) },
      { id: "stable", until: on("checkpoint-stable", (e) => e.seq === 4), vars: (e) => ({ replica: node(e.replica), seq: e.seq }), focus: (e) => ({ nodes: [e.replica, 3] }), q: [3, 1] },
      { id: "heal", until: on("fault", (e) => e.action.type === "heal"), focus: () => ({ nodes: [3] }) },
      { id: "transferred", until: on("state-transferred"), vars: (e) => ({ replica: node(e.replica), from: node(e.from), seq: e.seq }), focus: (e) => ({ nodes: [e.replica, e.from] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "attacks",
    steps: [
      { id: "forge", run: { preset: "forged-new-view" }, until: submitted, focus: () => ({ nodes: [3, 0] }), q: [2, 1] },
      { id: "forgeRefused", until: on("rejected", (e) => e.reason?.code === "new-view-not-from-primary"), vars: (e) => ({ node: node(e.node), from: node(e.from) }), focus: (e) => ({ nodes: [e.node, e.from], kinds: ["new-view"] }) },
      { id: "fake", run: { preset: "fake-certificate" }, until: on("fault", (e) => e.action.type === "crash"), focus: () => ({ nodes: [3, 0] }), q: [2, 1] },
      { id: "fakeRefused", until: on("rejected", (e) => e.reason?.code === "invalid-view-change"), vars: (e) => ({ node: node(e.node), from: node(e.from) }), focus: (e) => ({ nodes: [e.node, e.from], kinds: ["view-change"] }) },
      { id: "state", run: { preset: "bad-state" }, until: on("fault", (e) => e.action.type === "heal"), focus: () => ({ nodes: [2, 3] }) },
      { id: "stateRefused", until: on("rejected", (e) => e.node === 3 && e.from === 2 && e.reason?.code !== "outside-window"), vars: (e) => ({ node: node(e.node), from: node(e.from) }), focus: (e) => ({ nodes: [e.node, e.from] }) },
      { id: "stateInstalled", until: on("state-transferred", (e) => e.from !== 2), vars: (e) => ({ replica: node(e.replica), from: node(e.from), seq: e.seq }), focus: (e) => ({ nodes: [e.replica, e.from] }) },
      { id: "try", until: "now" },
    ],
  },
  {
    id: "break-it",
    steps: [
      // The reader acts: behaviours within the budget f, requests (js/tour.js draws the controls).
      { id: "command", run: { n: 4, seed: 1 }, until: "now", controls: true },
      // The verdict: the run goes on until it is quiet, then the quorums it formed are shown.
      { id: "verdict", until: "now", verdict: true },
      { id: "try", until: "now" },
    ],
  },
];

/** Every i18n key the chapters use (the unit tests check both tables have them all). */
export function tourKeys() {
  const keys = [];
  for (const c of CHAPTERS) {
    keys.push(`tour.${c.id}.title`, `tour.${c.id}.summary`);
    for (const s of c.steps) {
      const k = `tour.${c.id}.${s.id}`;
      keys.push(`${k}.title`);
      // The verdict of "break it yourself" has one text per outcome.
      if (s.verdict) keys.push(...["none", "broken", "rival", "pair"].map((v) => `tour.${c.id}.verdict.${v}`));
      else keys.push(`${k}.text`);
      if (s.q) {
        keys.push(`${k}.q`, `${k}.a`);
        for (let i = 1; i <= s.q[0]; i++) keys.push(`${k}.c${i}`);
      }
    }
  }
  return keys;
}
