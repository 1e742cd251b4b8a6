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
  "delivery.auto.title": "Messages arrive after their latency and timers fire when due",
  "delivery.manual.title": "Nothing arrives and no timer fires until you deliver it or fire it: you choose the order of every message",
  "share": "Share / Embed",
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
  "status.n": "n = {n}",
  "status.f": "f = {f}",
  "status.q": "quorum {q}",
  "status.sep": ", ",
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
  "inspector.ignored": "{node} ignored it at {t}: {reason} (a resend, harmless).",
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
  // the Live cluster panel (live-panel.js, live.js)
  "live.title": "Live cluster: watch real pbft-node processes",
  "live.ev.picked": "In the real cluster, {to} received {kind} from {from}",
  "live.ev.fired": "In the real cluster, the {timer} of {node} went off",
  "live.say.picked": "In the real cluster, {to} receives a {kind} from {from}.",
  "live.say.fired": "In the real cluster, the {timer} of {node} goes off.",
  "live.refused": "Watching a live cluster, the page only replays what the real nodes do: stop or start a node in its terminal instead.",
  "live.noAnswer": "The cluster did not accept the request: {error}",
  "explore.title": "Explore every order from here",
  "explore.loaded": "The explorer's counterexample is loaded: {steps} steps from {at}. Press Play or Step to watch it.",
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
  "client.noneWaiting": "None waiting.",
  "client.replies": "t{timestamp} “{op}”: {matching}/{needed} matching replies",
  "client.accepted.item": "t{timestamp} “{op}” → “{result}” (view {view}, from {from})",
  "client.view": "believes view {view}",

  // notices
  "notice.dismiss": "Dismiss",
  "notice.badParam": "The link’s “{param}” value “{value}” is not valid; using {fallback} instead.",
  "notice.badAttr": "The “{param}” attribute value “{value}” is not valid; using {fallback} instead.",
  "notice.badActions": "The recorded actions could not be replayed ({reason}); starting without them.",
  "actions.tooLong": "too long",
  "actions.unreadable": "not readable",
  "actions.notList": "not a list",
  "actions.tooMany": "more than {max} actions",
  "actions.malformed": "action {n} is malformed",
  "actions.order": "action {n} is out of time order",
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
  "ev.ignored": "{node} ignored a resent message from {from}: {reason}",
  "ev.ignored.kind": "{node} ignored a resent {kind} from {from}: {reason}",
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
  "reject.duplicate-vote": "it already counted this vote for n{seq}",
  "reject.malformed-state": "state for n{seq} has its store or cached replies out of order or repeated",
  "reject.conflicting-vote": "a second {kind} for v{view} n{seq} with another digest (an honest replica votes once)",
  "reject.bad-request-signature": "request t{timestamp} does not carry the signature of client {client}",
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
  "preset.no-progress.description": "Two of four replicas are down, one more than PBFT tolerates. Nothing commits and nothing unsafe happens: the two left ask for view 1, but a view change needs three of them, so they wait there while the client retries less and less often. Recover one to restore progress.",
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
  "preset.bad-state.description": "Replica 3 is cut off while requests commit; when it comes back, faulty R2 answers its state fetch first: with a changed state, with the same state and a certificate it made up, then with an older one. Replica 3 checks each state’s digest against a checkpoint certified by a quorum of signed CHECKPOINTs: it refuses the changed state and the made-up certificate; the older state is genuine (a quorum certified it), so it takes it, then fetches the latest from an honest replica.",
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

  // behaviour names, as the menu and the cards show them (behavior.<name> says what each does)
  "behaviorName.honest": "honest",
  "behaviorName.silent": "silent",
  "behaviorName.equivocate": "equivocate",
  "behaviorName.split": "split",
  "behaviorName.wrong-digest": "wrong digest",
  "behaviorName.conflicting-votes": "conflicting votes",
  "behaviorName.collude": "collude",
  "behaviorName.forge-new-view": "forge NEW-VIEW",
  "behaviorName.fake-certificate": "fake certificate",
  "behaviorName.bad-state": "bad state",
  "behaviorName.feed-backups": "feed backups",
  "behaviorName.replay": "replay",
  "behaviorName.flood": "flood",

  // a preset played to its end: a sign that it is done, and what to try next
  "done.label": "Done.",
  "done.generic": "The scenario has played to its end. Now try: send a request, crash a replica or make one Byzantine, and watch what changes.",
  "done.normal": "Both requests committed and the client accepted their results. Now try: crash a backup (its Crash button) and send another request: the three others still commit.",
  "done.backup-crash": "The request committed with R3 down. Now try: crash a second replica: with f + 1 = 2 down, nothing commits any more.",
  "done.primary-crash": "View 1 is installed and the request committed once. Now try: crash R1, the new primary, and send a request to watch a second view change.",
  "done.equivocation": "The lying primary was replaced and the request committed in view 1. Now try: the “Naive quorum” scenario, where the same lie breaks safety under a weaker rule.",
  "done.no-progress": "Nothing committed, and nothing unsafe happened. Now try: recover one replica (its Recover button) and watch the request commit.",
  "done.checkpoint": "Checkpoints 4 and 8 are stable and the log below them is gone. Now try: set Load to 5/s and watch the watermarks keep moving.",
  "done.generals": "The generals agreed on warTime=1234 with IBM down. Now try: make MS Byzantine (its Behaviour menu) and send another request.",
  "done.catch-up": "R3 caught up by state transfer. Now try: isolate another replica and send requests until it needs a state transfer too.",
  "done.naive-quorum": "Under the naive rule honest replicas executed different requests: safety is broken. Now try: the “Equivocating primary” scenario, the same attack against PBFT’s quorum of 2f + 1.",
  "done.forged-new-view": "The forged NEW-VIEW was refused and the request committed in view 1. Now try: click the dark refused badge to read the check that caught it.",
  "done.fake-certificate": "The fake certificate was refused and both requests committed in order. Now try: tick “Show every message” in the event log and find each refused VIEW-CHANGE.",
  "done.bad-state": "R3 refused the changed state and the made-up certificate, took the older but genuine state, then caught up to the latest from an honest replica. Now try: the “Partition and state transfer” scenario, the same catch-up with honest replicas only.",

  // control descriptions (tooltips and accessible descriptions)
  "scenario.title": "A preset run of the engine that shows one part of PBFT, or free play",
  "replicas.select.title": "The number of replicas n = 3f + 1: f is how many faulty ones the cluster tolerates",
  "seed.title": "The seed of the run’s random numbers (latencies, losses): the same seed and actions give the same run",
  "operation.title": "The operation the client asks the replicas to execute, as key=value",
  "send.title": "The client sends this operation as a REQUEST to the primary",
  "play.title": "Let virtual time run, or stop it",
  "loss.title": "The share of messages the network loses at random",
  "share.button.title": "A link to this run, and snippets that embed it in a web page",
  "timeline.title": "Drag to go back to any moment of the run; acting in the past forks a new future",
  "zoomIn.title": "Show less time in more detail",
  "zoomOut.title": "Show more time on the diagram",
  "crash.title": "Stop this replica: it sends and receives nothing until it recovers",
  "recover.title": "Restart this replica: it catches up with the others",
  "isolate.title": "Cut this replica off the network: a partition that only it is on one side of",
  "isolate.undo": "Reconnect",
  "isolate.undo.label": "Reconnect {name} to the network",
  "isolate.undo.title": "Heal the partition: this replica reaches the others again",
  "behaviorMenu.title": "Make this replica honest or Byzantine, with one of the faulty behaviours",
  "inspector.drop.title": "The network loses this message: its receiver never gets it",
  "inspector.close.title": "Close the inspector and let the run go on (Escape)",
  "inflight.pick.title": "Inspect this message",
  "inflight.deliver.title": "Hand this message to its receiver now",
  "timers.fire.title": "Fire this timer now, as if its time had come",
  "log.all.title": "List every message sent and delivered, not only what the protocol decided",
  "notice.dismiss.title": "Hide this notice",
  "export.svg.heading": "PBFT, n = {n}: messages from {from} to {to}",
  "export.svg.desc": "A time-space diagram of {count} messages: {kinds}",
  "export.mermaid.more": "{count} more messages left out",
  "glossary.title": "Glossary",
  "glossary.intro": "Every PBFT word the page uses. Hover, tap or focus an underlined word anywhere on the page to read its definition.",
  "openFull.title": "Opens this run in the full playground, in a new tab",

  // notices for bad values and for the time of a link
  "notice.forked": "You changed the past at {t}: the recorded future after it ({count} later actions) was dropped, and the run goes on from your action.",
  "notice.unforked": "Undone: the run is back at {t} with its {count} later actions.",
  "notice.undo": "Undo",
  "notice.undo.title": "Bring back the run as it was before your action, with the actions recorded after it",
  "notice.clampedT": "The link’s time {t} is past the end of this run; showing its end, {end}, instead.",
  "notice.unknownParam": "The link’s parameter “{param}” is not one the playground reads; it is ignored.",
  "stats.title": "Message statistics",
  "stats.title.title": "How many messages of each kind this run sent, per accepted request, and how they grow with n",
  "stats.intro": "Counted from the run’s events.",
  "stats.run.caption": "This run so far",
  "stats.kind": "Kind",
  "stats.count": "Sent",
  "stats.perRequest": "Per accepted request",
  "stats.total": "total",
  "stats.accepted": "requests accepted",
  "stats.growth.caption": "One request, every replica honest: messages sent, measured in real runs, beside the formulas",
  "stats.growth.note": "PREPARE and COMMIT grow as n²: every backup sends its PREPARE to every other replica, and every replica its COMMIT. Solid: measured; dashed: the formula.",
  "stats.chart.label": "Messages of one request against n: prepare, commit and the total",
  "legend.states": "Nodes and lanes",
  "legend.primary": "primary (a second ring)",
  "legend.view-change": "view change in progress (dashed border)",
  "legend.isolated": "isolated by a partition (dotted fence)",
  "legend.crashed": "crashed",
  "legend.byzantine": "faulty (Byzantine)",
  "legend.glow-executed": "glow: just executed",
  "legend.glow-view": "glow: just installed a view",
  "legend.glow-checkpoint": "glow: checkpoint just stable",
  "legend.lane-crashed": "lane: crashed",
  "legend.lane-byzantine": "lane: faulty",
  "legend.lane-isolated": "lane: isolated",
  "notice.emptyOp": "Type an operation first: the request is empty.",
  "fallback.none": "none",

  // inspector: its fields spelled out
  "inspector.fields": "Fields",
  "inspector.field.kind": "Kind",
  "inspector.field.view": "View",
  "inspector.field.seq": "Sequence number",
  "inspector.field.digest": "Digest",
  "inspector.field.from": "Sender",
  "inspector.field.to": "Receiver",
  "inspector.field.label": "Label",
  "inspector.field.timestamp": "Timestamp",
  "inspector.label.title": "The message as the engine labels it: its kind, v = view, n = sequence number, d = digest, t = timestamp, i = replica",

  // glossary: each term (term.<id>) and its definition (gloss.<id>)
  "term.replica": "replica",
  "gloss.replica": "One of the n servers that run the protocol. Each keeps a copy of the service’s state and executes the same requests in the same order.",
  "term.client": "client",
  "gloss.client": "Sends requests to the replicas and accepts a result once f + 1 of them sent the same reply. It does not trust any single replica.",
  "term.n": "n",
  "gloss.n": "n: the number of replicas. To tolerate f faulty ones PBFT needs n = 3f + 1 (4 for f = 1, 7 for f = 2).",
  "term.f": "f",
  "gloss.f": "f: the most replicas that may be faulty (crashed or Byzantine) at once while the cluster stays safe and live: f = ⌊(n − 1) / 3⌋.",
  "term.quorum": "quorum",
  "gloss.quorum": "A quorum is 2f + 1 replicas. Any two quorums overlap in at least f + 1 replicas, so at least one honest replica is in both: two quorums can never certify different requests at the same sequence number.",
  "term.view": "view",
  "gloss.view": "A view is a numbered period with one primary, replica v mod n. When the primary seems faulty the replicas change view to v + 1 and the next replica becomes primary.",
  "term.primary": "primary",
  "gloss.primary": "The primary of the current view orders the requests: it gives each a sequence number and multicasts a PRE-PREPARE. It cannot make a request commit alone.",
  "term.backup": "backup",
  "gloss.backup": "Every replica other than the primary. Backups check the primary’s proposals, vote with PREPARE and COMMIT, and start a view change if the primary stalls.",
  "term.request": "REQUEST",
  "gloss.request": "REQUEST ⟨o, t, c⟩: client c asks for operation o with its timestamp t. It goes to the primary, and to every replica after a timeout.",
  "term.pre-prepare": "PRE-PREPARE",
  "gloss.pre-prepare": "PRE-PREPARE ⟨v, n, d⟩: the primary proposes that the request with digest d gets sequence number n in view v. The first of the three phases.",
  "term.prepare": "PREPARE",
  "gloss.prepare": "PREPARE ⟨v, n, d, i⟩: backup i agrees with the primary’s proposal. The second phase: with 2f matching PREPAREs the order is fixed within the view.",
  "term.commit": "COMMIT",
  "gloss.commit": "COMMIT ⟨v, n, d, i⟩: replica i has prepared the request. The third phase: a quorum of matching COMMITs makes the order survive view changes.",
  "term.reply": "REPLY",
  "gloss.reply": "REPLY ⟨v, t, c, i, r⟩: replica i sends the client the result r of its request t. The client waits for f + 1 matching replies.",
  "term.seq": "sequence number",
  "gloss.seq": "The position (n1, n2, …) the primary gives a request in the total order. Every honest replica executes requests in this order, one after the other.",
  "term.timestamp": "timestamp",
  "gloss.timestamp": "The client’s own number for each request (t1, t2, …). Replicas use it to execute a request only once and to resend a reply they already sent.",
  "term.digest": "digest",
  "gloss.digest": "A short hash of a request, shown as four hex digits (like 9d51). Votes name the digest, so votes for different requests never count together.",
  "term.pre-prepared": "pre-prepared",
  "gloss.pre-prepared": "The replica accepted the primary’s PRE-PREPARE for this sequence number (it is in the view, inside the watermarks, and matches the request’s digest).",
  "term.prepared": "prepared",
  "gloss.prepared": "The replica holds the PRE-PREPARE and 2f matching PREPAREs from different backups: a prepared certificate. No other request can be prepared at this number in this view.",
  "term.certificate": "prepared certificate",
  "gloss.certificate": "A PRE-PREPARE and 2f matching signed PREPAREs: proof that a request was ordered at sequence number n in view v. VIEW-CHANGEs carry them so that the next view keeps the order.",
  "term.committed": "committed",
  "gloss.committed": "Prepared, plus a quorum of matching COMMITs (its own included). The request is executed as soon as every earlier one is.",
  "term.executed": "executed",
  "gloss.executed": "The replica applied the operation to its state, in sequence order, and replied to the client.",
  "term.last-executed": "last executed",
  "gloss.last-executed": "The highest sequence number this replica has executed: every request up to it is applied to its state.",
  "term.null-request": "null request",
  "gloss.null-request": "An empty operation a new primary puts at a sequence number no replica proved prepared, so that the order has no gap.",
  "term.replies": "f + 1 replies",
  "gloss.replies": "At most f replicas are faulty, so f + 1 identical replies include at least one from an honest replica: the client can trust the result.",
  "term.checkpoint": "checkpoint",
  "gloss.checkpoint": "Every K = 4 executed requests each replica multicasts a CHECKPOINT with the digest of its state, to agree on a point where the log can be cut.",
  "term.stable-checkpoint": "stable checkpoint",
  "gloss.stable-checkpoint": "A checkpoint a quorum of replicas vouched for with matching CHECKPOINTs: proof that the state up to it is right. The log up to it is discarded.",
  "term.watermarks": "watermarks",
  "gloss.watermarks": "The low and high watermarks h and H: a replica accepts only sequence numbers h < n ≤ H, with H = h + L (L = 8 here). h is the stable checkpoint; the window bounds the log.",
  "term.gc": "garbage collection",
  "gloss.gc": "Once a checkpoint is stable, the messages and log entries at or below it are discarded and the watermarks move up: the log stays bounded.",
  "term.view-change": "VIEW-CHANGE",
  "gloss.view-change": "VIEW-CHANGE ⟨v + 1, n, C, P, i⟩: replica i stops trusting the primary and asks for view v + 1. It carries its stable checkpoint’s proof C and its prepared certificates P.",
  "term.new-view": "NEW-VIEW",
  "gloss.new-view": "NEW-VIEW ⟨v + 1, V, O⟩: the new primary starts its view with a quorum of VIEW-CHANGEs V and the requests O it proposes again. Backups check O by recomputing it.",
  "term.status": "status",
  "gloss.status": "Normal: the replica takes part in the current view. View change: it has asked for a new view and waits for its NEW-VIEW. Crashed: it is stopped.",
  "term.state-transfer": "state transfer",
  "gloss.state-transfer": "A replica that fell behind fetches the state at a stable checkpoint from the others and checks it against the checkpoint’s certificate before installing it.",
  "term.fetch-state": "FETCH-STATE",
  "gloss.fetch-state": "FETCH-STATE: a lagging replica asks the others for the state at a stable checkpoint (state transfer).",
  "term.state": "STATE",
  "gloss.state": "STATE: the answer to a FETCH-STATE: a replica’s state at a checkpoint, with its certificate. The receiver checks its digest before using it.",
  "term.byzantine": "Byzantine",
  "gloss.byzantine": "A Byzantine replica is faulty in any way: it may lie, equivocate, stay silent or replay old messages, but it cannot forge another replica’s signature. PBFT tolerates f of them.",
  "term.equivocate": "equivocate",
  "gloss.equivocate": "To tell different replicas different things: a faulty primary sending each backup a different request with the same sequence number.",
  "term.crash": "crash",
  "gloss.crash": "A crashed replica stops: it sends and receives nothing until it recovers. The mildest fault; it still counts against f.",
  "term.partition": "partition / isolate",
  "gloss.partition": "The network is cut into groups that cannot reach one another; messages across the cut are lost. Isolating a replica cuts it off from everyone.",
  "term.safety": "agreement",
  "gloss.safety": "Safety: honest replicas never execute different requests at the same sequence number. The page checks it at every step and turns the badge red if it breaks.",

  // the guided tour's button (its words are in js/i18n-tour.js, loaded with the tour)
  "tour.open": "Guided tour",
  "tour.open.title": "Learn PBFT step by step: chapters that run the real engine, pause at each milestone, ask you to predict what comes next and end with something to try",

};

/** Loaded tables, by language. */
const TABLES = { en };
/** Words loaded later for a language (the guided tour's), kept for a table not loaded yet. */
const EXTRA = {};

/**
 * Adds words to language `lang`'s table (a part of the page loaded on demand brings its own:
 * the guided tour). Keys already there keep their text.
 */
export function addTable(lang, words) {
  EXTRA[lang] = { ...words, ...EXTRA[lang] };
  const table = TABLES[lang];
  if (table) for (const [k, v] of Object.entries(words)) if (!Object.hasOwn(table, k)) table[k] = v;
}
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
    TABLES[lang] = { ...(await LOADERS[lang]()).default, ...EXTRA[lang] };
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
const HAN = /\p{Script=Han}/u;
const LATIN = /[A-Za-z0-9]/;

export function translator(lang = "en") {
  const name = TABLES[lang] ? lang : "en";
  const table = TABLES[name];
  // Chinese text puts a space between a Han character and Latin letters or digits; templates
  // do where they write both, and a value put in beside a Han character gets one too
  // ("已改用 0.07×", but "已改用自动").
  const spaced = name === "zh-CN";
  const t = (key, vars) => {
    const template = table[key] ?? en[key] ?? key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (m, v, at) => {
      if (!(v in vars)) return m;
      let s = String(vars[v]);
      if (spaced && s) {
        if (HAN.test(template[at - 1] ?? "") && LATIN.test(s[0])) s = ` ${s}`;
        if (HAN.test(template[at + m.length] ?? "") && LATIN.test(s.at(-1))) s = `${s} `;
      }
      return s;
    });
  };
  t.lang = name;
  t.has = (key) => Object.hasOwn(table, key);
  t.defined = (key) => Object.hasOwn(table, key) || Object.hasOwn(en, key);
  return t;
}

/** Formats virtual milliseconds for people: "850 ms", "12.35 s". */
export function formatTime(ms) {
  if (!Number.isFinite(ms)) return "–";
  // Compared after rounding, so that 999.6 ms reads "1.00 s", not "1000 ms".
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.round(ms / 10) < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 1000).toFixed(1)} s`;
}
