// Every user-visible string of the element, in one table per language: English (en) and
// Simplified Chinese (zh-CN). To add a language, add a table with the same keys and list it in
// TABLES (and in options.js resolveLang). Templates use {name} placeholders; values are inserted
// as text (never HTML). Texts that come from the engine in English (preset titles, behaviour
// descriptions, faults, rejection reasons) are translated here too, keyed by their name.

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
  "status.fq": "n = {n}, f = {f}, quorum {q}",
  "status.idle": "idle",
  "status.quiet": "fast-forwarding quiet time",
  "status.paused": "paused",
  "status.running": "running",
  "safety.ok": "Agreement holds",
  "safety.ok.title": "The safety monitor checks that honest replicas execute the same request at every sequence number",
  "safety.bad": "Safety violated: {description}",

  // views
  "ring.label": "Ring of replicas with every message in flight. Click a message, or use the arrow keys, to inspect it.",
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
  "ev.view-changed": "{replica} entered view {view}; the primary is {primary}",
  "ev.state-transferred": "{replica} caught up to checkpoint n{seq} by state transfer from {from}",
  "ev.submitted": "Client submitted “{op}” (t{timestamp})",
  "ev.retransmitted": "Client timed out on t{timestamp} and broadcast it to every replica (attempt {attempt})",
  "ev.accepted": "Client accepted “{result}” for t{timestamp}: matching replies from {from} (view {view})",
  "ev.rejected": "{node} rejected a message from {from}: {reason}",
  "ev.fault": "{description}",
  "ev.violation": "SAFETY VIOLATION: {description}",

  // faults (the engine's words, rebuilt so that they can be translated)
  "fault.crashed": "{name} crashed",
  "fault.recovered": "{name} recovered",
  "fault.behavior": "{name} is now {behavior}: {description}",
  "fault.partition": "network partitioned: {groups}",
  "fault.healed": "network healed",
  "fault.loss": "loss rate set to {p}%",
  "fault.link": "link {a} ↔ {b} now takes {min} to {max} ms",

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
  "say.view-changed": "View {view} begins: the new primary is {primary}.",
  "say.checkpoint-stable": "Checkpoint n{seq} is stable; the log below it is discarded.",
  "say.state-transferred": "{replica} catches up to n{seq} by state transfer.",
  "say.violation": "Safety is violated: honest replicas executed different requests.",

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


/** Loaded tables: { table, reasons } per language. */
const TABLES = { en: { table: en, reasons: [] } };
const LOADERS = { "zh-CN": () => import("./i18n-zh-CN.js") };

/** Languages available. */
export const LANGUAGES = ["en", ...Object.keys(LOADERS)];

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
 * language has its own text for `key`.
 * @returns {((key: string, vars?: Record<string, unknown>) => string) & { lang: string, has: (key: string) => boolean, reasons: Array }}
 */
export function translator(lang = "en") {
  const name = TABLES[lang] ? lang : "en";
  const { table, reasons } = TABLES[name];
  const t = (key, vars) => {
    const template = table[key] ?? en[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (m, v) => (v in vars ? String(vars[v]) : m));
  };
  t.lang = name;
  t.has = (key) => key in table;
  t.reasons = reasons;
  return t;
}

/** A rejection reason from the engine (English) in the translator's language. */
export function describeReason(reason, t) {
  for (const [re, key, fields] of t.reasons ?? []) {
    const m = re.exec(reason);
    if (!m) continue;
    const vars = {};
    fields.forEach((f, i) => (vars[f] = f === "kind" ? m[i + 1].toUpperCase() : m[i + 1]));
    return t(key, vars);
  }
  return reason;
}

/** Formats virtual milliseconds for people: "850 ms", "12.35 s". */
export function formatTime(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}
