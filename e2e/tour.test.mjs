// The guided tour: a chapter played to its end in English and in Chinese (the run pauses at the
// milestones the engine's events reach, a prediction is told only once the reader picks, the
// last step says what to try), a deep link that opens a chapter at a step, the element's `tour`
// and `tour-step` attributes (as embed.html sets them), and "break it yourself": the budget f
// holds, and the verdict names honest replicas from the run's own quorums.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ENGLISH as english } from "../www/js/i18n.js";
import chinese from "../www/js/i18n-zh-CN.js";
import tourEn from "../www/js/i18n-tour.js";
import tourZh from "../www/js/i18n-tour-zh-CN.js";
import { REPO_ROOT, eventually, useE2E } from "./helpers.mjs";

const e2e = useE2E({ root: REPO_ROOT, csp: true });
const ENGLISH = { ...english, ...tourEn };
const TABLES = { en: ENGLISH, "zh-CN": { ...chinese, ...tourZh } };
const WAIT = { timeout: 60_000 };

/** The tour card as the reader sees it, and the engine's state at that instant. */
const card = (page) =>
  page.evaluate(() => {
    const el = document.querySelector("pbft-playground");
    const r = el?.shadowRoot;
    const tour = r?.querySelector(".tour");
    if (!tour || !el.simulation) return null;
    const q = (s) => r.querySelector(s);
    const shown = (s) => !!q(s) && !q(s).hidden && q(s).getClientRects().length > 0;
    const snap = el.simulation.snapshot(0);
    return {
      step: tour.dataset.step,
      title: q(".tour-title").textContent,
      text: q(".tour-text").textContent,
      count: q(".tour-count").textContent,
      chapter: q(".tour-chapter").textContent,
      question: shown(".tour-question") ? q(".tour-q").textContent : null,
      choices: [...r.querySelectorAll(".tour-choice")].map((b) => ({ text: b.textContent, cls: b.className, pressed: b.getAttribute("aria-pressed") })),
      answer: q(".tour-answer")?.textContent ?? null,
      next: shown(".tour-next") ? q(".tour-next").textContent : null,
      nextChapter: shown(".tour-next-chapter"),
      status: q(".tour-status").textContent,
      focused: r.activeElement?.className ?? null,
      playing: el.playing,
      search: location.search,
      executed: snap.replicas.map((x) => x.lastExecuted),
      accepted: snap.client.accepted.length,
      replicas: snap.replicas.map((x) => ({ behavior: x.behavior, up: x.up, status: x.status, view: x.view, stable: x.stableCheckpoint, name: x.name })),
      violations: snap.violations.length,
    };
  });

/** Waits for the card to show step `id` (its title in `lang`), returns the card. */
async function stepShown(page, chapter, id, lang) {
  const title = TABLES[lang][`tour.${chapter}.${id}.title`];
  assert.ok(title, `tour.${chapter}.${id}.title exists`);
  return eventually(async () => {
    const c = await card(page);
    return c && c.step === id && c.title === title && c.next !== TABLES[lang]["tour.skip"] ? c : null;
  }, { ...WAIT, message: `step ${chapter}/${id} in ${lang}` });
}

/** Presses a button of the card with the keyboard: focus, then Enter. */
async function press(page, selector) {
  await page.evaluate((s) => document.querySelector("pbft-playground").shadowRoot.querySelector(s).focus(), selector);
  await page.keyboard.press("Enter");
}

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: the normal-case chapter plays to its end, pausing at the engine's milestones`, async () => {
    const T = TABLES[lang];
    const p = await e2e.open(`www/index.html?tour=normal&lang=${lang}&speed=2`);
    const { page } = p;
    try {
      let c = await stepShown(page, "normal", "request", lang);
      assert.equal(c.chapter, T["tour.chapterOf"].replace("{k}", "2").replace("{total}", "10").replace("{title}", T["tour.normal.title"]));
      assert.equal(c.count, T["tour.stepOf"].replace("{k}", "1").replace("{total}", "6"));
      assert.equal(c.playing, false, "paused at the milestone");
      assert.equal(c.search, `?tour=normal&step=1${lang === "en" ? "" : `&lang=${lang}`}`);

      // Next plays on to the first backup's PRE-PREPARE: nothing is executed yet.
      await press(page, ".tour-next");
      c = await stepShown(page, "normal", "preprepare", lang);
      assert.equal(c.playing, false);
      assert.deepEqual(c.executed, [0, 0, 0, 0], "nobody executed before the PRE-PREPARE step");
      assert.equal(c.focused, "tour-title", "the step's heading has the focus");
      // The prediction: choices, no answer until one is picked.
      assert.equal(c.question, T["tour.normal.preprepare.q"]);
      assert.deepEqual(c.choices.map((x) => x.text), [1, 2, 3].map((i) => T[`tour.normal.preprepare.c${i}`]));
      assert.equal(c.answer, "", "the answer is not told before the reader picks");
      // Pick a wrong one: it is marked wrong, the right one right, and the explanation is told.
      await press(page, '.tour-choice[data-choice="1"]');
      c = await eventually(async () => ((await card(page)).answer ? card(page) : null), { message: "the answer revealed" });
      assert.equal(c.answer, `${T["tour.wrong"]} ${T["tour.normal.preprepare.a"]}`);
      assert.match(c.choices[0].cls, /\bright\b/);
      assert.match(c.choices[1].cls, /\bwrong\b/);
      assert.equal(c.choices[1].pressed, "true");
      assert.equal(c.choices[2].cls.includes("right") || c.choices[2].cls.includes("wrong"), false);

      await press(page, ".tour-next");
      c = await stepShown(page, "normal", "prepared", lang);
      assert.deepEqual(c.executed, [0, 0, 0, 0], "prepared is not executed");
      // The right answer this time.
      await press(page, '.tour-choice[data-choice="1"]');
      c = await eventually(async () => ((await card(page)).answer ? card(page) : null), { message: "the answer revealed" });
      assert.ok(c.answer.startsWith(T["tour.right"]), c.answer);

      await press(page, ".tour-next");
      c = await stepShown(page, "normal", "committed", lang);
      // The replica named as committed has executed n1 at this instant; the client has not accepted yet.
      const named = c.replicas.findIndex((r) => c.text.startsWith(r.name));
      assert.ok(named >= 0, `the text names a replica: ${c.text}`);
      assert.equal(c.executed[named], 1);
      assert.equal(c.accepted, 0);

      await press(page, ".tour-next");
      c = await stepShown(page, "normal", "accepted", lang);
      assert.equal(c.accepted, 1, "the client accepted at this milestone");

      await press(page, ".tour-next");
      c = await stepShown(page, "normal", "try", lang);
      assert.equal(c.count, T["tour.stepOf"].replace("{k}", "6").replace("{total}", "6"));
      assert.equal(c.next, null, "no Next on the last step");
      assert.equal(c.nextChapter, true);
      assert.equal(c.status, T["tour.end"]);
      assert.equal(c.text, T["tour.normal.try.text"]);
      // "Try this": the run plays on by itself, to its second request.
      await eventually(async () => (await card(page)).accepted === 2, { ...WAIT, message: "the second request accepted" });
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("at the fastest speed a frame runs past several milestones: the tour goes back to each one's instant, in order", async () => {
  const p = await e2e.open("www/index.html?tour=normal&speed=100");
  const { page } = p;
  try {
    await stepShown(page, "normal", "request", "en");
    await press(page, ".tour-next");
    let c = await stepShown(page, "normal", "preprepare", "en");
    assert.deepEqual(c.executed, [0, 0, 0, 0], "back at the PRE-PREPARE's instant, before anyone executed");
    assert.equal(c.accepted, 0);
    await press(page, ".tour-next");
    c = await stepShown(page, "normal", "prepared", "en");
    assert.deepEqual(c.executed, [0, 0, 0, 0]);
    await press(page, ".tour-next");
    c = await stepShown(page, "normal", "committed", "en");
    assert.equal(c.executed.filter((x) => x === 1).length >= 1 && c.accepted === 0, true, JSON.stringify(c.executed));
    await press(page, ".tour-next");
    c = await stepShown(page, "normal", "accepted", "en");
    assert.equal(c.accepted, 1, "the second request is not accepted yet: the run is back at the first one's acceptance");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("a deep link opens a chapter at a step, rebuilt by the engine; Back goes one step back", async () => {
  const p = await e2e.open("www/index.html?tour=view-change&step=3");
  const { page } = p;
  try {
    let c = await stepShown(page, "view-change", "suspect", "en");
    assert.equal(c.count, "Step 3 of 6");
    assert.equal(c.playing, false);
    // At the milestone a backup has started the view change to view 1, and the crashed primary is down.
    assert.equal(c.replicas[0].up, false);
    assert.ok(c.replicas.some((r) => r.status === "view-change" && r.view === 1), JSON.stringify(c.replicas));
    assert.ok(c.replicas.every((r) => r.view <= 1));
    const named = c.replicas.find((r) => c.text.startsWith(r.name));
    assert.equal(named?.status, "view-change", "the replica named is the one that started it");
    await press(page, ".tour-back");
    c = await stepShown(page, "view-change", "timeout", "en");
    assert.equal(c.search, "?tour=view-change&step=2");
    assert.ok(c.replicas.slice(1).every((r) => r.view === 0), "back before the view change");
    assert.equal(c.question, ENGLISH["tour.view-change.timeout.q"]);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("an unknown chapter opens the chapter list with a notice; a chapter button opens its first step", async () => {
  const p = await e2e.open("www/index.html?tour=nope");
  const { page } = p;
  try {
    const list = await eventually(
      () =>
        page.evaluate(() => {
          const r = document.querySelector("pbft-playground")?.shadowRoot;
          const buttons = [...(r?.querySelectorAll(".tour-chapter-button") ?? [])].filter((b) => b.getClientRects().length);
          return buttons.length ? { buttons: buttons.map((b) => b.dataset.chapter), notice: r.querySelector(".notices").textContent } : null;
        }),
      { ...WAIT, message: "the chapter list" },
    );
    assert.deepEqual(list.buttons, ["generals", "normal", "quorums", "backup-crash", "lying-primary", "view-change", "checkpoints", "state-transfer", "attacks", "break-it"]);
    assert.match(list.notice, /nope/);
    await press(page, '.tour-chapter-button[data-chapter="backup-crash"]');
    const c = await stepShown(page, "backup-crash", "start", "en");
    assert.equal(c.replicas[3].up, false, "R3 is down in this chapter's run");
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("the toolbar's Guided tour button opens the chapter list, its first chapter focused; Close ends the tour", async () => {
  const p = await e2e.open("www/index.html?preset=normal");
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.shadowRoot.querySelector("button.tour-open"));
    await press(page, "button.tour-open");
    const focused = await eventually(() => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.activeElement?.dataset.chapter ?? null), { ...WAIT, message: "the first chapter focused" });
    assert.equal(focused, "generals");
    await page.keyboard.press("Enter");
    await stepShown(page, "generals", "start", "en");
    await eventually(async () => (await card(page)).focused === "tour-title", { message: "the step's heading focused" });
    await press(page, ".tour-close");
    await eventually(() => page.evaluate(() => !document.querySelector("pbft-playground").shadowRoot.querySelector(".tour") && !location.search.includes("tour=")), { message: "the tour closed and gone from the address" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("the tour and tour-step attributes embed one chapter (embed.html sets them from its address)", async () => {
  const p = await e2e.open("www/embed.html?tour=checkpoints&step=3&lang=zh-CN");
  const { page } = p;
  try {
    let c = await stepShown(page, "checkpoints", "stable", "zh-CN");
    const attrs = await page.evaluate(() => {
      const el = document.querySelector("pbft-playground");
      return [el.getAttribute("tour"), el.getAttribute("tour-step")];
    });
    assert.deepEqual(attrs, ["checkpoints", "3"]);
    const named = c.replicas.find((r) => c.text.startsWith(r.name));
    assert.equal(named?.stable, 4, "the replica named has its checkpoint at n4 stable");
    // Changing the attribute moves the chapter to that step.
    await page.evaluate(() => document.querySelector("pbft-playground").setAttribute("tour-step", "4"));
    c = await stepShown(page, "checkpoints", "again", "zh-CN");
    assert.ok(c.replicas.some((r) => r.stable === 8));
    // Another language: the same step, in its words.
    await page.evaluate(() => document.querySelector("pbft-playground").setAttribute("lang", "en"));
    c = await stepShown(page, "checkpoints", "again", "en");
    assert.ok(c.replicas.some((r) => r.stable === 8));
    // Removing it closes the tour.
    await page.evaluate(() => document.querySelector("pbft-playground").removeAttribute("tour"));
    await eventually(() => page.evaluate(() => !document.querySelector("pbft-playground").shadowRoot.querySelector(".tour")), { message: "the tour closed" });
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});

test("break it yourself: at most f faulty replicas, and the verdict names honest replicas of the quorums", async () => {
  const p = await e2e.open("www/index.html?tour=break-it");
  const { page } = p;
  try {
    await stepShown(page, "break-it", "command", "en");
    const setBehavior = (replica, value) =>
      page.evaluate(
        ([i, v]) => {
          const s = document.querySelector("pbft-playground").shadowRoot.querySelector(`.tour-behavior[data-replica="${i}"]`);
          s.value = v;
          s.dispatchEvent(new Event("change"));
          return s.value;
        },
        [replica, value],
      );
    assert.equal(await setBehavior(0, "equivocate"), "equivocate");
    assert.equal(await setBehavior(2, "silent"), "honest", "a second faulty replica is over the budget f = 1");
    const budget = await page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".tour-budget").textContent);
    assert.equal(budget, ENGLISH["tour.overBudget"].replace("{f}", "1"));
    await press(page, ".tour-send");
    await press(page, ".tour-send");
    const actions = await page.evaluate(() => document.querySelector("pbft-playground").simulation.actions());
    assert.deepEqual(
      actions.map((a) => [a.type, a.replica ?? a.op]),
      [["set-behavior", 0], ["request", "warTime=1234"], ["request", "retreat=no"]],
    );
    await press(page, ".tour-next");
    const c = await stepShown(page, "break-it", "verdict", "en");
    assert.equal(c.violations, 0, "agreement holds");
    assert.ok(c.text.startsWith("Agreement holds."), c.text);
    assert.ok(c.text.endsWith("Faulty: R0."), c.text);
    // The replicas the verdict calls honest are honest in the engine.
    const m = c.text.match(/could only come from (.+?), honest|The quorums share (.+?), honest/);
    assert.ok(m, c.text);
    const honest = (m[1] ?? m[2]).split(", ");
    assert.ok(honest.length >= 1);
    for (const name of honest) assert.equal(c.replicas.find((r) => r.name === name)?.behavior, "honest", name);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
