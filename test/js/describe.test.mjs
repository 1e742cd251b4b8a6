// describe.js: every code the engine sends renders in both languages with its fields filled in;
// codes the tables do not know fall back to a neutral text naming the code; log lines and the
// narrator's sentences for every event type.

import assert from "node:assert/strict";
import { before, test } from "node:test";
import {
  EVENT_TYPES,
  behaviorText,
  describeDefect,
  describeEvent,
  describeFault,
  describeReason,
  describeRefusal,
  describeViolation,
  narration,
  nodeName,
  presetText,
} from "../../www/js/describe.js";
import { DEFECTS, FAULTS, LANGS, REJECTS, VIOLATIONS, expectedTexts, name, recording, translators } from "./helpers.mjs";

let T;
before(async () => {
  T = await translators();
});

/** The text has no placeholder left and names every expected value. */
function assertRendered(text, expected, what) {
  assert.equal(typeof text, "string", what);
  assert.doesNotMatch(text, /\{[a-z][A-Za-z]*\}/, `${what}: a placeholder is left in “${text}”`); // (template variables are camelCase; a partition group is “{Ann Bob}”)
  for (const x of expected) assert.ok(text.includes(x), `${what}: “${text}” lacks “${x}”`);
}

/** Renders with a recording translator; fails if a key of the fallback or one the language lacks is used. */
function render(lang, fn) {
  const keys = [];
  const t = recording(T[lang], keys);
  const text = fn(t);
  for (const k of keys) {
    assert.ok(!/\.unknown(\.bare)?$/.test(k), `${lang}: fell back (${k}) for “${text}”`);
    assert.ok(T[lang].has(k), `${lang}: no “${k}” of its own`);
  }
  return text;
}

for (const lang of LANGS) {
  test(`${lang}: every reject code renders with its fields`, () => {
    for (const [code, fields] of Object.entries(REJECTS)) {
      const { kind, ...rest } = fields;
      const text = render(lang, (t) => describeReason({ code, ...fields }, t, name));
      const expected = expectedTexts(rest);
      if (fields.defect) expected.push(describeDefect(fields.defect, T[lang], name));
      assertRendered(text, expected, `${lang} reject ${code}`);
      // The line around it names who refused what from whom (the kind from the reason when the
      // page does not know the message, from the message's record when it does).
      const line = render(lang, (t) => describeRefusal({ node: 1, from: 0, reason: { code, ...fields } }, t, name));
      assertRendered(line, ["Bob", "Ann", text, ...(kind ? [kind.toUpperCase()] : [])], `${lang} refusal ${code}`);
      const known = render(lang, (t) => describeRefusal({ node: 1, from: 0, kind: "new-view", reason: { code, ...fields } }, t, name));
      assertRendered(known, ["Bob", "Ann", text, "NEW-VIEW"], `${lang} refusal ${code} of a known message`);
    }
  });

  test(`${lang}: the checks the adversary meets, in words`, () => {
    const t = T[lang];
    const line = (reason, kind) => describeRefusal({ node: 2, from: 3, kind, reason }, t, name);
    if (lang === "en") {
      assert.equal(line({ code: "new-view-not-from-primary", view: 1, primary: 1 }, "new-view"), "Cyd refused a NEW-VIEW from Dee: NEW-VIEW not signed by the primary of view 1 (Bob)");
      assert.equal(line({ code: "duplicate-vote", kind: "prepare", seq: 3 }, "prepare"), "Cyd ignored a resent PREPARE from Dee: it already counted this vote for n3", "a resend is ignored, not refused");
      assert.equal(line({ code: "conflicting-vote", kind: "prepare", view: 2, seq: 3 }, "prepare"), "Cyd refused a PREPARE from Dee: a second PREPARE for v2 n3 with another digest (an honest replica votes once)");
      assert.equal(line({ code: "duplicate-vote", kind: "commit", seq: 3 }), "Cyd ignored a resent COMMIT from Dee: it already counted this vote for n3", "the kind from the reason");
      assert.equal(line({ code: "uncertified-state", seq: 8 }), "Cyd refused a message from Dee: state for n8 does not match a certified checkpoint");
      assert.equal(
        line({ code: "invalid-view-change", view: 1, defect: { code: "bad-signature", kind: "prepare", signer: 2 } }, "view-change"),
        "Cyd refused a VIEW-CHANGE from Dee: invalid view-change for v1: certificate signature from Cyd on a PREPARE does not verify",
      );
    } else {
      assert.equal(line({ code: "new-view-not-from-primary", view: 1, primary: 1 }, "new-view"), "Cyd 拒绝了来自 Dee 的 NEW-VIEW：NEW-VIEW 没有视图 1 的主节点（Bob）的签名");
      assert.equal(line({ code: "duplicate-vote", kind: "prepare", seq: 3 }, "prepare"), "Cyd 忽略了 Dee 重发的 PREPARE：n3 的这张票已经计过了");
    }
  });

  test(`${lang}: every defect code renders with its fields`, () => {
    for (const [code, fields] of Object.entries(DEFECTS)) {
      assertRendered(render(lang, (t) => describeDefect({ code, ...fields }, t, name)), expectedTexts(fields), `${lang} defect ${code}`);
    }
  });

  test(`${lang}: all six violation codes render with their fields`, () => {
    assert.equal(Object.keys(VIOLATIONS).length, 6);
    for (const [code, fields] of Object.entries(VIOLATIONS)) {
      assertRendered(render(lang, (t) => describeViolation({ code, ...fields }, t, name)), expectedTexts(fields), `${lang} violation ${code}`);
    }
  });

  test(`${lang}: every fault action renders with its fields`, () => {
    for (const [type, [action, expected]] of Object.entries(FAULTS)) {
      assertRendered(render(lang, (t) => describeFault(action, t, name)), expected, `${lang} fault ${type}`);
      // The log line and the narration say the same.
      const e = { id: 1, time: 0, type: "fault", replica: action.replica ?? null, action };
      assert.equal(render(lang, (t) => describeEvent(e, t, name)), T[lang]("ev.fault", { description: describeFault(action, T[lang], name) }));
      assert.equal(narration(e, T[lang], name, 4).text, describeFault(action, T[lang], name));
    }
  });

  test(`${lang}: behaviour parameters are shown`, () => {
    const text = render(lang, (t) => describeFault({ type: "set-behavior", replica: 1, behavior: "equivocate", params: { delay: 250 } }, t, name));
    assertRendered(text, ["Bob", T[lang]("behaviorName.equivocate"), "delay = 250", T[lang]("behavior.equivocate")], `${lang} behaviour with params`);
  });

  test(`${lang}: unknown codes fall back to a neutral text naming them, never throw`, () => {
    const t = T[lang];
    const reason = describeReason({ code: "relayed-twice", view: 4, replica: 2 }, t, name);
    assert.match(reason, /relayed-twice/);
    assert.ok(reason.includes("4") && reason.includes("Cyd"), reason);
    assert.equal(describeReason({ code: "forwarded-request" }, t, name), "forwarded-request");
    const nested = describeReason({ code: "invalid-view-change", view: 3, defect: { code: "forged-prepare", seq: 9 } }, t, name);
    assert.match(nested, /forged-prepare/);
    assertRendered(nested, ["3", "9"], "unknown defect in a known reject");
    assert.match(describeDefect({ code: "future-defect" }, t, name), /future-defect/);
    assert.match(describeViolation({ code: "liveness", seq: 3 }, t, name), /liveness.*3/);
    assert.match(describeFault({ type: "set-clock-skew", replica: 1, ms: 40 }, t, name), /set-clock-skew.*Bob.*40/);
    assert.match(describeEvent({ type: "teleported", time: 0 }, t, name), /teleported/);
    // Malformed input does not throw either.
    for (const bad of [undefined, null, "old-view", {}]) {
      assert.equal(typeof describeReason(bad, t, name), "string");
      assert.equal(typeof describeViolation(bad, t, name), "string");
      assert.equal(typeof describeFault(bad, t, name), "string");
    }
  });

  test(`${lang}: a reply sent to a replica is its own sentence`, () => {
    const t = T[lang];
    const reply = describeReason({ code: "wrong-sender", kind: "reply" }, t, name);
    assert.equal(reply, t("reject.wrong-sender.reply"));
    assert.notEqual(reply, describeReason({ code: "wrong-sender", kind: "request" }, t, name));
  });

  test(`${lang}: a log line for every event type`, () => {
    const events = {
      sent: { from: 0, to: 1, kind: "pre-prepare", label: "PP v0 n1 a3f2", msg: 1, deliverAt: 5 },
      delivered: { from: 0, to: 1, kind: "prepare", msg: 1 },
      dropped: { from: 2, to: 3, kind: "commit", msg: 1, reason: "partition" },
      phase: { replica: 1, view: 0, seq: 4, digest: "a3f2", phase: "prepared" },
      executed: { replica: 2, seq: 4, digest: "a3f2", op: "x=1", timestamp: 1, result: "x=1" },
      "checkpoint-stable": { replica: 3, seq: 8 },
      "view-change-started": { replica: 1, view: 2 },
      "view-changed": { replica: 2, view: 2, primary: 2 },
      "state-transferred": { replica: 3, seq: 8, from: 0 },
      submitted: { client: 0, timestamp: 3, op: "x=1" },
      retransmitted: { client: 0, timestamp: 3, attempt: 2 },
      accepted: { client: 0, timestamp: 3, result: "x=1", view: 1, replicas: [0, 2] },
      rejected: { node: 1, from: 0, reason: { code: "old-view", kind: "prepare", view: 0, current: 1 } },
      fault: { replica: 3, action: { type: "crash", replica: 3 } },
      violation: { violation: { code: "order", replica: 1, seq: 5, after: 3 } },
      picked: { msg: 7, from: 1, to: 2, kind: "prepare" },
      fired: { node: 1, timer: "view-change" },
    };
    assert.deepEqual(Object.keys(events).sort(), [...EVENT_TYPES].sort(), "a sample per event type describe.js knows");
    for (const [type, fields] of Object.entries(events)) {
      const text = render(lang, (t) => describeEvent({ id: 1, time: 0, type, ...fields }, t, name, 4));
      assertRendered(text, [], `${lang} event ${type}`);
    }
    const line = describeEvent({ id: 1, time: 0, type: "rejected", ...events.rejected }, T[lang], name, 4);
    assertRendered(line, ["Bob", "Ann", "PREPARE"], `${lang} rejected`);
    assert.equal(line, describeRefusal(events.rejected, T[lang], name), "the log line and the marks' words are one");
    // You are the network: what you did, in words.
    const picked = describeEvent({ id: 1, time: 0, type: "picked", ...events.picked }, T[lang], name, 4);
    assertRendered(picked, ["Bob", "Cyd", "PREPARE"], `${lang} picked`);
    const fired = describeEvent({ id: 1, time: 0, type: "fired", ...events.fired }, T[lang], name, 4);
    assertRendered(fired, ["Bob", T[lang]("timer.view-change")], `${lang} fired`);
    const client = describeEvent({ id: 1, time: 0, type: "fired", node: -1, timer: "retransmit" }, T[lang], name, 4);
    assertRendered(client, [name(-1), T[lang]("timer.retransmit")], `${lang} fired at the client`);
    // A primary that starts a view change is not said to suspect the primary.
    const own = describeEvent({ id: 1, time: 0, type: "view-change-started", replica: 1, view: 2, wasPrimary: true }, T[lang], name, 4);
    const other = describeEvent({ id: 1, time: 0, type: "view-change-started", replica: 2, view: 2, wasPrimary: false }, T[lang], name, 4);
    assertRendered(own, ["Bob", "1", "2"], `${lang} the primary's view change`);
    assert.notEqual(own.replace("Bob", ""), other.replace("Cyd", ""), `${lang}: the primary's own view change has words of its own`);
    if (lang === "en") {
      assert.equal(own, "Bob, the primary of view 1, starts a view change to view 2");
      assert.equal(picked, "You delivered PREPARE from Bob to Cyd");
      assert.equal(fired, "You fired the view-change timer of Bob");
    }
    assert.notEqual(describeFault({ type: "set-delivery", mode: "auto" }, T[lang], name), describeFault({ type: "set-delivery", mode: "manual" }, T[lang], name));
    const primary = describeEvent({ type: "phase", replica: 1, view: 1, seq: 2, digest: "d", phase: "pre-prepared" }, T[lang], name, 4);
    assert.equal(primary, T[lang]("ev.phase.pre-prepared.primary", { replica: "Bob", seq: 2, view: 1, digest: "d" }));
  });

  test(`${lang}: the narrator speaks of milestones only`, () => {
    const t = T[lang];
    assert.equal(narration({ type: "sent", from: 0, to: 1 }, t, name, 4), null);
    assert.equal(narration({ type: "phase", phase: "pre-prepared", replica: 1, view: 0, seq: 1 }, t, name, 4), null, "a backup's pre-prepare");
    const said = narration({ type: "phase", phase: "pre-prepared", replica: 0, view: 0, seq: 1 }, t, name, 4);
    assert.equal(said.key, "pre-prepared:0:1");
    assert.ok(said.text.includes("Ann"));
    assert.equal(narration({ type: "violation", violation: { code: "order" } }, t, name, 4).text, t("say.violation"));
    // A refusal is told once per check and sender, with the check in words.
    const refused = { type: "rejected", node: 2, from: 3, msg: 9, kind: "new-view", reason: { code: "new-view-not-from-primary", view: 1, primary: 1 } };
    const told = render(lang, (tr) => narration(refused, tr, name, 4).text);
    assertRendered(told, ["Cyd", "Dee", "NEW-VIEW", describeReason(refused.reason, t, name)], `${lang} narration of a refusal`);
    assert.equal(narration(refused, t, name, 4).key, narration({ ...refused, node: 1, msg: 10 }, t, name, 4).key);
    assert.notEqual(narration(refused, t, name, 4).key, narration({ ...refused, from: 0 }, t, name, 4).key);
    assert.ok(render(lang, (tr) => narration({ ...refused, kind: undefined }, tr, name, 4).text).includes("Dee"));
  });

  test(`${lang}: names, presets and behaviours`, () => {
    const t = T[lang];
    const snapshot = { replicas: [{ name: "Apple" }, { name: "MS" }] };
    assert.equal(nodeName(snapshot, t, 1), "MS");
    assert.equal(nodeName(snapshot, t, 5), "R5");
    assert.equal(nodeName(snapshot, t, -1), t("node.client"));
    assert.equal(presetText(t, { name: "normal", title: "engine title" }, "title"), t("preset.normal.title"));
    assert.equal(presetText(t, { name: "future-preset", title: "Engine words" }, "title"), "Engine words");
    assert.equal(behaviorText(t, { name: "silent", description: "engine words" }), t("behavior.silent"));
    assert.equal(behaviorText(t, { name: "future-behaviour", description: "Engine words" }), "Engine words");
  });

  test(`${lang}: the adversary's behaviours and presets have words of their own`, () => {
    const t = T[lang];
    for (const b of ["forge-new-view", "fake-certificate", "bad-state", "feed-backups", "replay", "flood"]) {
      assert.ok(t.has(`behavior.${b}`), b);
      assert.notEqual(behaviorText(t, { name: b, description: "engine words" }), "engine words", b);
    }
    for (const p of ["forged-new-view", "fake-certificate", "bad-state"]) {
      for (const field of ["title", "description"]) assert.ok(t.has(`preset.${p}.${field}`), `${p}.${field}`);
    }
    assert.ok(t("preset.forged-new-view.description").includes(lang === "en" ? "signature of view 1’s primary" : "视图 1 主节点签名"));
    assert.ok(t.has("legend.refused"));
  });
}

test("zh-CN words differ from the English ones", () => {
  for (const [code, fields] of Object.entries(REJECTS)) {
    assert.notEqual(describeReason({ code, ...fields }, T["zh-CN"], name), describeReason({ code, ...fields }, T.en, name), code);
  }
  for (const [code, fields] of Object.entries(VIOLATIONS)) {
    assert.notEqual(describeViolation({ code, ...fields }, T["zh-CN"], name), describeViolation({ code, ...fields }, T.en, name), code);
  }
});
