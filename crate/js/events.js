// Turns a batch of events from the engine (crate/src/wasm/events.rs writes it) into the plain
// objects the JS API returns: `nums` holds per event [type, id, time, ...fields], `text` the
// batch's strings one after another, `rich` the events with nested data as objects already.
// An absent number is -1; a digest is the 16 bits of its short form (-2: the null request's,
// -1: none); a string is its length in UTF-16 units (-1: none). `codes` is the engine's
// codes() (names of types, kinds, phases, drop reasons and timers, by number).

// The last short forms written, by their low 8 bits: the events of one request (its messages,
// phases and executions, some thirty at n = 4) share its digest, so most are found here.
const SEEN_BITS = new Int32Array(256).fill(-1);
const SEEN_TEXT = new Array(256).fill("");

/** A digest's short form, as the engine writes it: `a3f2`, `null`, or undefined. */
function digest(d) {
  if (d === -1) return undefined;
  if (d === -2) return "null";
  const slot = d & 255;
  if (SEEN_BITS[slot] !== d) {
    SEEN_BITS[slot] = d;
    SEEN_TEXT[slot] = d.toString(16).padStart(4, "0");
  }
  return SEEN_TEXT[slot];
}

const opt = (x) => (x === -1 ? undefined : x);

/** A message's compact label, the engine's Display of it: `PP v0 n3 a3f2`. */
function label(kind, view, seq, d, timestamp, text, count) {
  switch (kind) {
    case "request":
      return `REQ t${timestamp} ${text}`;
    case "pre-prepare":
      return `PP v${view} n${seq} ${d}`;
    case "prepare":
      return `P v${view} n${seq} ${d}`;
    case "commit":
      return `C v${view} n${seq} ${d}`;
    case "reply":
      return `REPLY v${view} t${timestamp} ${text}`;
    case "checkpoint":
      return `CKPT n${seq} ${d}`;
    case "view-change":
      return `VC v${view} s${seq} |P|=${count}`;
    case "new-view":
      return `NV v${view} |O|=${count}`;
    case "fetch-state":
      return `FETCH n${seq}`;
    default:
      return `STATE n${seq}`;
  }
}

export function decodeEvents(nums, text, rich, codes) {
  const { events: TYPES, kinds: KINDS, phases: PHASES, drops: DROPS, timers: TIMERS } = codes;
  const out = [];
  let i = 0;
  let at = 0;
  const str = (len) => {
    if (len === -1) return undefined;
    const s = text.slice(at, at + len);
    at += len;
    return s;
  };
  while (i < nums.length) {
    const t = nums[i];
    if (t === -1) {
      out.push(rich[nums[i + 1]]);
      i += 2;
      continue;
    }
    const id = nums[i + 1];
    const time = nums[i + 2];
    const type = TYPES[t];
    i += 3;
    switch (t) {
      case 0: {
        const kind = KINDS[nums[i + 3]];
        const view = opt(nums[i + 4]);
        const seq = opt(nums[i + 5]);
        const d = digest(nums[i + 6]);
        const timestamp = opt(nums[i + 8]);
        const s = str(nums[i + 9]);
        const count = opt(nums[i + 10]);
        out.push({
          id, time, type, msg: nums[i], from: nums[i + 1], to: nums[i + 2], kind, view, seq, digest: d,
          deliverAt: nums[i + 7], timestamp, text: s, count, label: label(kind, view, seq, d, timestamp, s, count),
        });
        i += 11;
        break;
      }
      case 1:
        out.push({ id, time, type, msg: nums[i], from: nums[i + 1], to: nums[i + 2], kind: KINDS[nums[i + 3]] });
        i += 4;
        break;
      case 2:
        out.push({ id, time, type, msg: nums[i], from: nums[i + 1], to: nums[i + 2], kind: KINDS[nums[i + 3]], reason: DROPS[nums[i + 4]] });
        i += 5;
        break;
      case 3:
        out.push({ id, time, type, replica: nums[i], view: nums[i + 1], seq: nums[i + 2], digest: digest(nums[i + 3]), phase: PHASES[nums[i + 4]] });
        i += 5;
        break;
      case 4: {
        const replica = nums[i];
        const seq = nums[i + 1];
        const d = digest(nums[i + 2]);
        const op = str(nums[i + 3]);
        const timestamp = opt(nums[i + 4]);
        const result = str(nums[i + 5]);
        out.push({ id, time, type, replica, seq, digest: d, op, timestamp, result });
        i += 6;
        break;
      }
      case 5:
        out.push({ id, time, type, replica: nums[i], seq: nums[i + 1] });
        i += 2;
        break;
      case 6:
        out.push({ id, time, type, replica: nums[i], view: nums[i + 1], wasPrimary: nums[i + 2] === 1 });
        i += 3;
        break;
      case 7:
        out.push({ id, time, type, replica: nums[i], view: nums[i + 1], primary: nums[i + 2] });
        i += 3;
        break;
      case 8:
        out.push({ id, time, type, replica: nums[i], seq: nums[i + 1], from: nums[i + 2] });
        i += 3;
        break;
      case 9:
        out.push({ id, time, type, client: nums[i], timestamp: nums[i + 1], op: str(nums[i + 2]) });
        i += 3;
        break;
      case 10:
        out.push({ id, time, type, client: nums[i], timestamp: nums[i + 1], attempt: nums[i + 2] });
        i += 3;
        break;
      case 11: {
        const client = nums[i];
        const timestamp = nums[i + 1];
        const op = str(nums[i + 2]);
        const result = str(nums[i + 3]);
        const view = nums[i + 4];
        const count = nums[i + 5];
        const replicas = Array.from(nums.subarray(i + 6, i + 6 + count));
        out.push({ id, time, type, client, timestamp, op, result, view, replicas });
        i += 6 + count;
        break;
      }
      case 15:
        out.push({ id, time, type, msg: nums[i], from: nums[i + 1], to: nums[i + 2], kind: KINDS[nums[i + 3]] });
        i += 4;
        break;
      case 16:
        out.push({ id, time, type, node: nums[i], timer: TIMERS[nums[i + 1]] });
        i += 2;
        break;
      default:
        throw new Error(`events: unknown event type ${t} in a batch (engine and decoder out of step)`);
    }
  }
  return out;
}
