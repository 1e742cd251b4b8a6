// Acting in the past: the recorded future is dropped, the page says so, and Undo brings the run
// back as it was (the same actions, the same instant). Headless Chromium (playwright-core).

import assert from "node:assert/strict";
import { test } from "node:test";
import { useE2E, eventually } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

const sim = (page, f) => page.evaluate(f);
const actions = (page) => sim(page, () => document.querySelector("pbft-playground").simulation.actions());
const now = (page) => sim(page, () => document.querySelector("pbft-playground").simulation.now);
const notices = (page) => page.evaluate(() => [...document.querySelector("pbft-playground").shadowRoot.querySelectorAll(".notice")].map((n) => n.textContent));

for (const lang of ["en", "zh-CN"]) {
  test(`${lang}: a request sent in the past drops the later actions, with a notice and Undo`, async () => {
    const zh = lang === "zh-CN";
    const p = await e2e.open(`index.html?preset=checkpoint&lang=${lang}`);
    const { page } = p;
    try {
      await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
      const recorded = await actions(page);
      const later = recorded.filter((a) => a.at > 1200).length;
      assert.ok(later >= 3, "the preset has actions after 1.2 s");
      await page.getByRole("combobox", { name: zh ? "速度" : "Speed" }).selectOption("4");
      await eventually(async () => (await now(page)) > 2000, { timeout: 20_000, message: "the run past 2 s" });
      await page.getByRole("button", { name: zh ? "暂停" : "Pause" }).click();
      await page.getByRole("slider", { name: zh ? "虚拟时间" : "Virtual time" }).fill("1200");
      await eventually(async () => (await now(page)) === 1200, { message: "seek to 1.2 s" });

      await page.getByRole("textbox", { name: zh ? "操作" : "Operation" }).fill("fork=1");
      await page.getByRole("button", { name: zh ? "发送请求" : "Send request" }).click();
      const forked = await actions(page);
      assert.equal(forked.filter((a) => a.at > 1200).length, 0, "the recorded future is gone");
      assert.ok(forked.some((a) => a.op === "fork=1" && a.at === 1200), "the new request is recorded at 1.2 s");
      await eventually(async () => (await notices(page)).some((t) => t.includes(String(later)) && (zh ? t.includes("改变了过去") : t.includes("You changed the past"))), { message: "the fork notice names the dropped actions" });

      const undo = page.getByRole("button", { name: zh ? "撤销" : "Undo" });
      assert.ok(await undo.getAttribute("title"), "Undo is described");
      await undo.click();
      await eventually(async () => JSON.stringify(await actions(page)) === JSON.stringify(recorded), { message: "Undo restores every recorded action" });
      assert.equal(await now(page), 1200, "at the same instant");
      const slider = page.getByRole("slider", { name: zh ? "虚拟时间" : "Virtual time" });
      assert.ok(Number(await slider.getAttribute("max")) > 2000, "the timeline reaches as far as it did before the fork");
      assert.ok((await notices(page)).some((t) => (zh ? t.includes("已撤销") : t.includes("Undone"))), "the page says it was undone");
      // The restored future plays: the preset's later requests are sent again.
      await page.getByRole("button", { name: zh ? "播放" : "Play" }).click();
      await eventually(async () => (await now(page)) > 2600, { timeout: 20_000, message: "the restored run plays on" });
      const ops = await sim(page, () => document.querySelector("pbft-playground").simulation.snapshot().client.accepted.map((a) => a.op));
      assert.ok(!ops.includes("fork=1"), "the undone request is not in the run");
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("scrubbing back, the caption tells what had happened by then, not what comes later", async () => {
  const p = await e2e.open("index.html");
  const { page } = p;
  try {
    await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
    await page.getByRole("combobox", { name: "Speed" }).selectOption("4");
    await page.getByRole("button", { name: "Send request" }).click();
    const caption = () => page.evaluate(() => document.querySelector("pbft-playground").shadowRoot.querySelector(".caption").textContent);
    await eventually(async () => /accepts/.test(await caption()), { timeout: 30_000, message: "the caption reaches the acceptance" });
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("slider", { name: "Virtual time" }).fill("100");
    await eventually(async () => (await now(page)) === 100, { message: "seek to 100 ms" });
    const said = await caption();
    assert.doesNotMatch(said, /accepts/, "nothing from the future");
    assert.match(said, /sends request t1|pre-prepare/i, `a milestone of the first 100 ms (${said})`);
    p.assertNoErrors();
  } finally {
    await p.close();
  }
});
