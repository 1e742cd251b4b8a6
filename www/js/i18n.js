// Every user-visible string of the element, in one table per language: English (en) and
// Simplified Chinese (zh-CN). To add a language, add a table with the same keys and list it in
// LOADERS (and in options.js resolveLang); test/js/i18n.test.mjs checks that both tables have
// the same keys. Templates use {name} placeholders; values are inserted as text (never HTML).
// The engine sends codes, never sentences: a rejection is reject.<code> (its VIEW-CHANGE defect
// defect.<code>), a fault fault.<action type>, a violation violation.<code>, a drop reason.<reason>,
// a behaviour behavior.<name>; describe.js fills them in. Preset titles and descriptions are here
// too (the engine's English is the fallback for a preset the tables do not know).

const en = {
  // toolbar
  "scenario": "Scenario",
  "preset.none": "Free play (no preset)",
  "replicas": "Replicas",
  "replicas.option": "{n} (f = {f})",
  "seed": "Seed",
  "reset": "Reset",
  "reset.title": "Start this scenario again from time 0",
  "operation": "Operation",
  "send": "Send request",
  "play": "Play",
  "pause": "Pause",
  "step": "Step",
  "step.title": "Run to the next instant at which something happens",
  "speed": "Speed",
  "speed.option": "{x}×",
  "speed.title": "Virtual milliseconds per wall-clock millisecond",
  "loss": "Message loss",
  "loss.option": "{p}%",
  "load": "Load",
  "load.title": "Continuous load: the client sends requests at this rate per virtual second (at most two waiting), so checkpoints keep rolling for as long as you watch",
  "load.off": "off",
  "load.option": "{r}/s",
  "skipQuiet": "Skip quiet time",
  "skipQuiet.title": "When no message is in flight, let time run at least 1× until the next timer fires",
  "delivery": "Delivery",
  "delivery.title": "Automatic: messages arrive after their latency and timers fire when due. You are the network: nothing arrives and no timer fires until you deliver it or fire it.",
  "delivery.auto": "Automatic",
  "delivery.manual": "You are the network",
  "share": "Share / Embed",
  "share.title": "Share or embed this run",
  "share.link": "Link to this run",
  "share.iframe": "Embed with an iframe",
  "share.script": "Embed with a script",
  "share.copy": "Copy",
  "share.copy.label": "Copy: {what}",
  "share.copied": "Copied to the clipboard.",
  "share.copyFailed": "Select the text and copy it (Ctrl+C / ⌘C).",
  "share.controls": "Controls",
  "share.controls.full": "full",
  "share.controls.compact": "compact",
  "share.controls.none": "none",
  "share.autoplay": "Play on its own",
  "share.atNow": "Open at the current moment ({t})",
  "share.height": "iframe height (px)",
  "share.note": "Both snippets load the playground from {base}. To host it yourself, copy the files of dist/ (npm run build) to your site and use their address instead.",
  "share.close": "Close",
  "open.full": "Open the full playground ↗",
  "embed.title": "PBFT playground",
  "hint.play": "Press Play to start.",
  "narration": "What is happening",
  "timeline": "Virtual time",
  "timeline.value": "t = {t}",
  "timeline.of": "of {max}",
  "timeline.live": "Live",
  "timeline.live.title": "Jump to the latest time reached",
  "zoomIn": "Zoom in",
  "zoomOut": "Zoom out",

  // status strip
  "status.view": "view {view}",
  "status.primary": "primary {name}",
  "status.changing": "view change to v{view} in progress",
  "status.fq": "n = {n}, f = {f}, quorum {q}",
  "status.idle": "idle",
  "status.quiet": "fast-forwarding quiet time",
  "status.paused": "paused",
  "status.running": "running",
  "status.waiting": "your move: deliver a message or fire a timer",
  "safety.ok": "Agreement holds",
  "safety.ok.title": "The safety monitor checks that honest replicas execute the same request at every sequence number",
  "safety.bad": "Safety violated: {description}",

  // views
  "ring.label": "Ring of replicas with every message in flight. Click a message, or use the arrow keys, to inspect it.",
  "ring.compactKey": "v view · e last executed · c stable checkpoint · bars: prepares, commits",
  "ring.crowdKey": "number: last executed · bars: prepares, commits · double ring: primary · fronts: a message sent to many, one copy per receiver",
  "ring.inflight": "{kind}: {count} in flight",
  "ring.hint": "Press “Send request” to start.",
  "ring.center.view": "view {view}",
  "ring.center.time": "t = {t}",
  "diagram.label": "Time-space diagram: one lane per replica and the client, one arrow per message.",
  "diagram.title": "Time-space diagram",
  "ring.title": "Network",
  "legend": "Message kinds",
  "legend.lost": "lost / dropped",
  "legend.refused": "refused: failed a check",
  "primary": "primary",
  "crashed": "crashed",
  "isolated": "isolated",
  "client": "Client",
  "client.short": "C",
  "ring.replies": "reply {have}/{need}",
  "ring.viewChange": "→ v{view}",
  "ring.compact": "v{view} e{exec} c{ckpt}",
  "ring.roomy": "v{view} · exec {exec} · ckpt {ckpt}",
  "quorum.short": "P {p}/{pn} · C {c}/{cn}",

  // inspector
  "inspector.title": "Message {id} · {kind}",
  "inspector.route": "{from} → {to}",
  "inspector.timing": "sent at {sent}, arrives at {arrives}",
  "inspector.timing.manual": "sent at {sent}, at the door at {arrives}",
  "inspector.lost": "This message will be lost on the way.",
  "inspector.cut": "The partition will cut this message.",
  "inspector.gone.delivered": "Delivered at {t}.",
  "inspector.gone.dropped": "Dropped at {t} ({reason}).",
  "inspector.refused": "{node} refused it at {t}: {reason}.",
  "inspector.drop": "Drop this message",
  "inspector.close": "Close",
  "inspector.paused": "Paused while you inspect; press Play to continue.",
  "inspector.deliver": "Deliver now",
  "inspector.deliver.title": "Hand this message to its receiver now (Enter)",
  "inspector.waiting": "It waits at {to}’s door until you deliver it.",
  "inflight.list": "Messages in flight ({count})",
  "inflight.item": "#{id} {from} → {to}: {label}",
  "inflight.more": "… and {count} more",
  "inflight.none": "Nothing is in flight.",
  "inflight.list.manual": "You are the network: {count} in flight, {timers} timers running",
  "inflight.deliver": "Deliver",
  "inflight.deliver.label": "Deliver message {id}: {kind} from {from} to {to}",
  "inflight.doomed": "the network will lose it",
  "timers.title": "Timers running",
  "timers.none": "No timer is running.",
  "timers.item": "{node}: {timer}, due at {due}",
  "timers.fire": "Fire",
  "timers.fire.label": "Fire the {timer} of {node}",
  "timer.view-change": "view-change timer",
  "timer.retransmit": "retransmission timer",
  "timer.fetch": "state-fetch timer",
  "timer.behavior": "faulty behaviour’s timer",
  "timer.load": "load’s next request",
  "hint.manual": "Click a message to deliver it.",
  "hint.manual.timers": "Nothing in flight: fire a timer to go on.",

  // panels
  "replicas.title": "Replicas",
  "client.title": "Client",
  "log.title": "Event log",
  "log.all": "Show every message",
  "log.empty": "Nothing has happened yet.",
  "role.primary": "primary",
  "role.backup": "backup",
  "card.brief": "view {view} · executed {exec} · checkpoint {ckpt}",
  "field.view": "View",
  "field.status": "Status",
  "field.executed": "Last executed",
  "field.checkpoint": "Stable checkpoint",
  "field.watermarks": "Watermarks",
  "field.watermarks.value": "{low} – {high}",
  "field.pending": "Pending requests",
  "status.normal": "normal",
  "status.view-change": "view change",
  "status.down": "down",
  "log.none": "Log empty",
  "log.entry": "n{seq}",
  "log.op.null": "null request",
  "phase.pre-prepared": "pre-prepared",
  "phase.prepared": "prepared",
  "phase.committed": "committed",
  "phase.executed": "executed",
  "votes.prepare": "prepare {have}/{need}",
  "votes.commit": "commit {have}/{need}",
  "crash": "Crash",
  "recover": "Recover",
  "crash.label": "Crash {name}",
  "recover.label": "Recover {name}",
  "isolate": "Isolate",
  "isolate.label": "Isolate {name} from the network",
  "behavior": "Behaviour",
  "behavior.label": "Behaviour of {name}",
  "client.outstanding": "In progress",
  "client.accepted": "Accepted",
  "client.none": "No request yet.",
  "client.replies": "t{timestamp} “{op}”: {matching}/{needed} matching replies",
  "client.accepted.item": "t{timestamp} “{op}” → “{result}” (view {view}, from {from})",
  "client.view": "believes view {view}",

  // notices
  "notice.dismiss": "Dismiss",
  "notice.badParam": "The link’s “{param}” value “{value}” is not valid; using {fallback} instead.",
  "notice.badAttr": "The “{param}” attribute value “{value}” is not valid; using {fallback} instead.",
  "notice.badActions": "The recorded actions could not be replayed ({reason}); starting without them.",
  "notice.error": "{message}",
  "notice.wasm": "The simulation engine could not be loaded: {message}",
  "default": "the default",
  "fallback.english": "English",
  "fallback.auto": "automatic",
  "fallback.full": "full",
  "fallback.op": "the default operation",

  // event log lines
  "node.client": "Client",
  "ev.sent": "{from} sent {label} to {to}",
  "ev.delivered": "{to} received {kind} from {from}",
  "ev.dropped": "{kind} from {from} to {to} was lost: {reason}",
  "reason.loss": "lost on the link",
  "reason.partition": "cut by the partition",
  "reason.crashed": "the receiver is down",
  "reason.user": "dropped by you",
  "ev.phase.pre-prepared": "{replica} accepted PRE-PREPARE n{seq} in view {view} ({digest})",
  "ev.phase.pre-prepared.primary": "{replica}, the primary, assigned n{seq} in view {view} and sent PRE-PREPARE ({digest})",
  "ev.phase.prepared": "{replica} prepared n{seq}: pre-prepare + 2f matching PREPAREs",
  "ev.phase.committed": "{replica} committed n{seq}: a quorum of matching COMMITs",
  "ev.phase.executed": "{replica} finished n{seq}",
  "ev.executed": "{replica} executed n{seq}: {op} → {result}",
  "ev.executed.null": "{replica} executed n{seq}: null request",
  "ev.executed.noresult": "{replica} executed n{seq}: {op}",
  "ev.checkpoint-stable": "{replica}: checkpoint n{seq} is stable; the log up to it is discarded",
  "ev.view-change-started": "{replica} suspects the primary and starts a view change to view {view}",
  "ev.view-change-started.primary": "{replica}, the primary of view {prev}, starts a view change to view {view}",
  "ev.view-changed": "{replica} entered view {view}; the primary is {primary}",
  "ev.state-transferred": "{replica} caught up to checkpoint n{seq} by state transfer from {from}",
  "ev.submitted": "Client submitted “{op}” (t{timestamp})",
  "ev.retransmitted": "Client timed out on t{timestamp} and broadcast it to every replica (attempt {attempt})",
  "ev.accepted": "Client accepted “{result}” for t{timestamp}: matching replies from {from} (view {view})",
  "ev.rejected": "{node} refused a message from {from}: {reason}",
  "ev.rejected.kind": "{node} refused a {kind} from {from}: {reason}",
  "ev.fault": "{description}",
  "ev.picked": "You delivered {kind} from {from} to {to}",
  "ev.fired": "You fired the {timer} of {node}",
  "ev.violation": "SAFETY VIOLATION: {description}",

  "ev.phase.unknown": "{replica} reached {phase} for n{seq} in view {view}",
  "ev.unknown": "{type}",

  // rejections: why a replica refused a message (the engine's reason codes). They follow
  // "R1 refused a PREPARE from R0: …", which names the message's kind (ev.rejected.kind).
  "reject.wrong-signer": "signed by another replica",
  "reject.wrong-sender": "only replicas send this kind of message",
  "reject.wrong-sender.reply": "replicas do not take replies",
  "reject.old-view": "for old view v{view} (now v{current})",
  "reject.outside-window": "n{seq} is outside the watermarks ({low}, {high}]",
  "reject.stale-request": "request t{timestamp} is older than the last executed (t{last})",
  "reject.not-primary": "not from {primary}, the primary of view {view}",
  "reject.digest-mismatch": "pre-prepare v{view} n{seq}: the digest does not match its request",
  "reject.null-pre-prepare": "null pre-prepare v{view} n{seq} outside a new view",
  "reject.conflicting-pre-prepare": "conflicting pre-prepare for v{view} n{seq}",
  "reject.prepare-from-primary": "prepare for v{view} n{seq} from the primary",
  "reject.duplicate-vote": "duplicate vote for n{seq}",
  "reject.not-checkpoint-seq": "checkpoint n{seq} is not a multiple of K = {interval}",
  "reject.unsolicited-state": "state for n{seq} that was not asked for",
  "reject.uncertified-state": "state for n{seq} does not match a certified checkpoint",
  "reject.invalid-view-change": "invalid view-change for v{view}: {defect}",
  "reject.new-view-bad-view-change": "new-view v{view} carries an invalid view-change from {replica}: {defect}",
  "reject.new-view-other-view": "new-view v{view} carries a view-change from {replica} for v{other}",
  "reject.new-view-no-quorum": "new-view v{view} carries view-changes from {count} replicas, not a quorum of {needed}",
  "reject.new-view-wrong-o": "new-view v{view} has a wrong O set",
  "reject.new-view-not-from-primary": "NEW-VIEW not signed by the primary of view {view} ({primary})",
  "reject.bad-signature": "the {kind} signature from {signer} does not verify",
  "reject.unknown": "{code} ({fields})",
  "reject.unknown.bare": "{code}",
  // what is wrong with a VIEW-CHANGE
  "defect.uncertified-checkpoint": "checkpoint n{seq} lacks a quorum proof",
  "defect.cert-outside-window": "certificate n{seq} outside the sender’s watermarks ({low}, {high}]",
  "defect.cert-view": "certificate n{seq} from v{certView} is not below v{view}",
  "defect.cert-digest": "certificate n{seq}: the digest does not match its request",
  "defect.cert-prepares": "certificate n{seq} has {count} valid prepares, {needed} needed",
  "defect.bad-signature": "certificate signature from {signer} on a {kind} does not verify",
  "defect.unknown": "{code} ({fields})",
  "defect.unknown.bare": "{code}",

  // faults: the action applied (an entry of sim.actions())
  "fault.crash": "{replica} crashed",
  "fault.recover": "{replica} recovered",
  "fault.set-behavior": "{replica} is now {behavior}: {description}",
  "fault.set-behavior.params": "{replica} is now {behavior} ({params}): {description}",
  "fault.partition": "network partitioned: {groups}",
  "fault.heal": "network healed",
  "fault.set-loss": "loss rate set to {p}%",
  "fault.set-link-latency": "link {a} ↔ {b} now takes {min} to {max} ms",
  "fault.unknown": "{code} ({fields})",
  "fault.set-delivery": "You are the network now: nothing arrives and no timer fires until you say so",
  "fault.set-delivery.auto": "delivery is automatic again: what was overdue happens now",
  "fault.unknown.bare": "{code}",

  // narration (the aria-live caption): milestones only, at most one sentence every ~2 s
  "say.submitted": "The client sends request t{timestamp}, “{op}”, to the primary.",
  "say.pre-prepared": "Primary {replica} gives it sequence number {seq} in view {view} and multicasts a PRE-PREPARE to the backups.",
  "say.prepared": "{replica} has prepared n{seq}: it holds 2f matching PREPAREs.",
  "say.committed": "{replica} has committed n{seq}: a quorum of matching COMMITs.",
  "say.executed": "{replica} executes n{seq}, “{op}”, and replies to the client.",
  "say.executed.null": "{replica} executes n{seq}, a null request.",
  "say.accepted": "The client accepts “{result}”: f+1 replicas sent matching replies.",
  "say.retransmitted": "The client timed out on t{timestamp} and broadcasts it to every replica.",
  "say.view-change-started": "{replica} suspects the primary and asks for view {view}.",
  "say.view-change-started.primary": "{replica}, the primary of view {prev}, itself asks for view {view}.",
  "say.view-changed": "View {view} begins: the new primary is {primary}.",
  "say.checkpoint-stable": "Checkpoint n{seq} is stable; the log below it is discarded.",
  "say.state-transferred": "{replica} catches up to n{seq} by state transfer.",
  "say.rejected": "{node} checks a {kind} from {from} and refuses it: {reason}.",
  "say.rejected.bare": "{node} checks a message from {from} and refuses it: {reason}.",
  "say.violation": "Safety is violated: honest replicas executed different requests.",
  "say.picked": "You deliver a {kind} from {from} to {to}.",
  "say.fired": "You fire the {timer} of {node}.",

  // safety violations (events and snapshot().violations)
  "violation.op": "“{op}”",
  "violation.agreement": "agreement broken at n{seq}: {first} executed {firstOp}, {second} executed {secondOp}",
  "violation.order": "{replica} executed n{seq} right after n{after}",
  "violation.state": "{first} and {second} hold different states after n{seq}",
  "violation.duplicate": "{replica} executed request t{timestamp} of the client twice",
  "violation.wrong-result": "the client accepted “{result}” for t{timestamp} “{op}”, which that operation does not answer",
  "violation.client-conflict": "the client accepted “{accepted}” for t{timestamp}, then f+1 replicas answered “{other}”",
  "violation.unknown": "{code} ({fields})",
  "violation.unknown.bare": "{code}",

  // diagram phase labels
  "band.request": "request",
  "band.pre-prepare": "pre-prepare",
  "band.prepare": "prepare",
  "band.commit": "commit",
  "band.reply": "reply",
  "band.checkpoint": "checkpoint",
  "band.view-change": "view-change",
  "band.new-view": "new-view",
  "band.fetch-state": "fetch-state",
  "band.state": "state",
  "mark.view": "v{view}",
  "mark.vc": "→v{view}",
  "mark.ckpt": "ckpt {seq}",
  "mark.exec": "n{seq}",
  "mark.state": "⇣ n{seq}",

  // the engine's presets and behaviours (Simulation.presets(), Simulation.behaviors())
  "preset.normal.title": "Normal operation",
  "preset.normal.description": "Two requests flow through pre-prepare, prepare, commit and reply with every replica honest.",
  "preset.backup-crash.title": "A backup crashed",
  "preset.backup-crash.description": "Replica 3 is down, as in the paper’s Figure 1: the other three still form quorums and commit.",
  "preset.primary-crash.title": "Primary crash and view change",
  "preset.primary-crash.description": "The primary is down. The client times out and broadcasts, backups’ timers fire, view 1 is installed by NEW-VIEW and the request commits once.",
  "preset.equivocation.title": "Equivocating primary",
  "preset.equivocation.description": "The primary sends a different request to each backup. Nothing prepares in view 0; the view change replaces it and the client’s request commits in view 1.",
  "preset.no-progress.title": "f+1 crashed: no progress",
  "preset.no-progress.description": "Two of four replicas are down, one more than PBFT tolerates. Nothing commits and nothing unsafe happens; view-change timeouts double. Recover one to restore progress.",
  "preset.checkpoint.title": "Checkpoints and garbage collection",
  "preset.checkpoint.description": "Nine requests: checkpoints at 4 and 8 become stable, the watermarks move and the log below them is discarded.",
  "preset.generals.title": "The Byzantine generals",
  "preset.generals.description": "Apple, MS, Google and IBM agree on a time to attack while IBM is down: warTime=1234.",
  "preset.catch-up.title": "Partition and state transfer",
  "preset.catch-up.description": "Replica 3 is cut off while ten requests commit. After the network heals it catches up from a stable checkpoint.",
  "preset.naive-quorum.title": "Naive quorum breaks safety",
  "preset.naive-quorum.description": "With the “more than n/3 votes” rule an equivocating primary makes honest replicas execute different requests at the same sequence number. The safety monitor reports it.",
  "preset.forged-new-view.title": "A faulty backup forges a NEW-VIEW",
  "preset.forged-new-view.description": "The primary crashes; during the view change faulty backup R3 builds a NEW-VIEW of its own and sends it first, signed with its own key. The honest replicas accept a NEW-VIEW only with the signature of view 1’s primary: they refuse the forgery, and the request commits once, in view 1.",
  "preset.fake-certificate.title": "A faulty replica fakes a certificate",
  "preset.fake-certificate.description": "R3 is faulty. warTime=1234 commits at n1, then the primary R0 goes down while retreat=no waits. In the view change R3 claims that a request of its own making prepared at n1, with a PRE-PREPARE of R0 and PREPAREs of R1 and R2 that it signed with its own key. R1 and R2 check every signature in a certificate and refuse it; without R3 they are one short of a quorum until R0 is back up. Then view 1 starts from honest VIEW-CHANGEs, warTime=1234 stays at n1 and retreat=no commits.",
  "preset.bad-state.title": "A lying replica serves bad state",
  "preset.bad-state.description": "Replica 3 is cut off while requests commit; when it comes back, faulty R2 answers its state fetch first: with a changed state, with the same state and a certificate it made up, then with an older one. Replica 3 checks the state’s digest against a checkpoint certified by a quorum of signed CHECKPOINTs, refuses the lies and fetches the right state.",
  "behavior.honest": "follows the protocol",
  "behavior.silent": "receives everything, sends nothing",
  "behavior.equivocate": "as primary, sends a different request to each backup",
  "behavior.split": "as primary, sends one request to most backups, another to the last, and withholds its commit",
  "behavior.wrong-digest": "corrupts the digest in everything it sends",
  "behavior.conflicting-votes": "sends duplicate, conflicting and wrong-view votes",
  "behavior.collude": "as a backup, backs an equivocating primary: votes for whatever request each replica was sent",
  "behavior.forge-new-view": "as a backup, builds and sends its own NEW-VIEW from a quorum of VIEW-CHANGEs it chose",
  "behavior.fake-certificate": "sends VIEW-CHANGEs with a prepared certificate or checkpoint proof it made up, others’ signatures included",
  "behavior.bad-state": "answers state fetches with a changed state, a made-up certificate or an outdated state",
  "behavior.feed-backups": "hands client requests to the backups only, to make them suspect the primary",
  "behavior.replay": "sends old messages again, its own and others’",
  "behavior.flood": "fills the others’ buffers with messages for future views and sequence numbers",
};


/** Loaded tables, by language. */
const TABLES = { en };
const LOADERS = { "zh-CN": () => import("./i18n-zh-CN.js") };

/** Languages available. */
export const LANGUAGES = ["en", ...Object.keys(LOADERS)];

/** The English table (tests compare the others with it). */
export const ENGLISH = en;

/** Loads a language's table (English is built in). Resolves to the language name available. */
export async function loadLanguage(lang) {
  if (TABLES[lang]) return lang;
  if (!LOADERS[lang]) return "en";
  try {
    TABLES[lang] = (await LOADERS[lang]()).default;
    return lang;
  } catch {
    return "en";
  }
}

/**
 * A translator for `lang` (a loaded language, else English; missing keys fall back to English,
 * then to the key itself). `t.lang` is the language used; `t.has(key)` tells whether the
 * language has its own text for `key`, `t.defined(key)` whether it or English has one.
 * @returns {((key: string, vars?: Record<string, unknown>) => string) & { lang: string, has: (key: string) => boolean, defined: (key: string) => boolean }}
 */
export function translator(lang = "en") {
  const name = TABLES[lang] ? lang : "en";
  const table = TABLES[name];
  const t = (key, vars) => {
    const template = table[key] ?? en[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (m, v) => (v in vars ? String(vars[v]) : m));
  };
  t.lang = name;
  t.has = (key) => Object.hasOwn(table, key);
  t.defined = (key) => Object.hasOwn(table, key) || Object.hasOwn(en, key);
  return t;
}

/** Formats virtual milliseconds for people: "850 ms", "12.35 s". */
export function formatTime(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}
