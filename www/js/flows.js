// Bundled flows: with many replicas a phase is n² messages, too many to draw one by one. A
// multicast (the copies of one message a node sent to many at one instant: same sender, kind,
// view, sequence number and send time) is drawn as one flow, built from its copies' own
// positions and arrival times, so what is drawn is still exactly what the engine sent.
// Pure functions, no DOM and no canvas.

/** From this many replicas on, multicasts are drawn as flows and the ring shows counters, not labels. */
export const CROWD = 10;

/** A multicast of at least this many copies is drawn as one flow (fewer: message by message). */
export const MIN_FLOW = 3;

/** Whether two messages are copies of one multicast. */
export function sameMulticast(a, b) {
  return a.from === b.from && a.kind === b.kind && a.sentAt === b.sentAt && a.view === b.view && a.seq === b.seq;
}

/**
 * Counts messages by kind, in the order of `kinds` (unknown kinds last): [[kind, count], ...]
 * of the kinds that have any.
 * @param {Iterable<{ kind: string }>} messages
 * @param {string[]} kinds
 */
export function countByKind(messages, kinds) {
  const counts = new Map();
  for (const m of messages) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  const order = (k) => {
    const i = kinds.indexOf(k);
    return i < 0 ? kinds.length : i;
  };
  return [...counts].sort((a, b) => order(a[0]) - order(b[0]));
}
