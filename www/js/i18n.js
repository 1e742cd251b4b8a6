// Every user-visible string of the element, in one table per language.
// To add a language, add a table with the same keys (e.g. `zh`) and set lang="zh" on the element.
// Templates use {name} placeholders; values are inserted as text (never HTML).

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
  "skipQuiet": "Skip quiet time",
  "skipQuiet.title": "When no message is in flight, let time run at least 1× until the next timer fires",
  "copyLink": "Copy link",
  "copyLink.done": "Link copied to the clipboard.",
  "copyLink.manual": "Copy this link: {url}",
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
  "status.fq": "n = {n}, f = {f}, quorum {q}",
  "status.idle": "idle",
  "status.quiet": "fast-forwarding quiet time",
  "status.paused": "paused",
  "status.running": "running",
  "safety.ok": "Agreement holds",
  "safety.ok.title": "The safety monitor checks that honest replicas execute the same request at every sequence number",
  "safety.bad": "Safety violated: {description}",

  // views
  "ring.label": "Ring of replicas with every message in flight. Click a message to inspect it.",
  "ring.compactKey": "v view · e last executed · c stable checkpoint · bars: prepares, commits",
  "ring.hint": "Press “Send request” to start.",
  "ring.center.view": "view {view}",
  "ring.center.time": "t = {t}",
  "diagram.label": "Time-space diagram: one lane per replica and the client, one arrow per message.",
  "diagram.title": "Time-space diagram",
  "ring.title": "Network",
  "legend": "Message kinds",
  "legend.lost": "lost / dropped",
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
  "inspector.lost": "This message will be lost on the way.",
  "inspector.cut": "The partition will cut this message.",
  "inspector.gone.delivered": "Delivered at {t}.",
  "inspector.gone.dropped": "Dropped at {t} ({reason}).",
  "inspector.drop": "Drop this message",
  "inspector.close": "Close",
  "inspector.paused": "Paused while you inspect; press Play to continue.",
  "inflight.list": "Messages in flight ({count})",
  "inflight.item": "#{id} {from} → {to}: {label}",
  "inflight.more": "… and {count} more",
  "inflight.none": "Nothing is in flight.",

  // panels
  "replicas.title": "Replicas",
  "client.title": "Client",
  "log.title": "Event log",
  "log.all": "Show every message",
  "log.empty": "Nothing has happened yet.",
  "role.primary": "primary",
  "role.backup": "backup",
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
  "notice.badActions": "The link’s recorded actions could not be replayed ({reason}); starting without them.",
  "notice.error": "{message}",
  "notice.wasm": "The simulation engine could not be loaded: {message}",
  "default": "the default",

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
  "ev.view-changed": "{replica} entered view {view}; the primary is {primary}",
  "ev.state-transferred": "{replica} caught up to checkpoint n{seq} by state transfer from {from}",
  "ev.submitted": "Client submitted “{op}” (t{timestamp})",
  "ev.retransmitted": "Client timed out on t{timestamp} and broadcast it to every replica (attempt {attempt})",
  "ev.accepted": "Client accepted “{result}” for t{timestamp}: matching replies from {from} (view {view})",
  "ev.rejected": "{node} rejected a message from {from}: {reason}",
  "ev.fault": "{description}",
  "ev.violation": "SAFETY VIOLATION: {description}",

  // violations (from snapshot objects)
  "violation.agreement": "agreement broken at n{seq}: {first} executed {firstDigest}, {second} executed {secondDigest}",
  "violation.order": "{replica} executed n{seq} right after n{after}",
  "violation.client-conflict": "the client accepted “{accepted}” for t{timestamp}, then f+1 replicas answered “{other}”",

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
};

const TABLES = { en };

/** Languages available. */
export const LANGUAGES = Object.keys(TABLES);

/**
 * A translator for `lang` (falls back to English, then to the key itself).
 * @returns {(key: string, vars?: Record<string, unknown>) => string}
 */
export function translator(lang = "en") {
  const table = TABLES[lang] || TABLES[String(lang).split("-")[0]] || en;
  return (key, vars) => {
    const template = table[key] ?? en[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  };
}

/** Formats virtual milliseconds for people: "850 ms", "12.35 s". */
export function formatTime(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}
