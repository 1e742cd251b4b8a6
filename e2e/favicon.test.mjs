// The page's icon is fetched at most once while a run plays. Chromium requests a linked icon
// again each time history.replaceState changes the address, and the element's permalink does
// that once a second while a run plays: with `<link rel="icon" href="favicon.svg">` that was a
// request a second. The pages carry the icon inline (www/favicon.svg as a data: URL).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WWW_DIR, openPage, useE2E } from "./helpers.mjs";

const e2e = useE2E({ csp: true });

for (const path of ["index.html?preset=no-progress", "embed.html?preset=no-progress&autoplay"]) {
  test(`${path}: no favicon request a second while the run plays`, async () => {
    const p = await openPage(e2e.browser);
    const { page } = p;
    const icons = [];
    page.on("request", (r) => {
      if (/favicon|\.svg|\.ico/.test(new URL(r.url()).pathname)) icons.push(r.url());
    });
    try {
      await p.goto(new URL(path, e2e.url).href);
      await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
      const urls = new Set();
      const t0 = await page.evaluate(() => document.querySelector("pbft-playground").simulation.now);
      for (let i = 0; i < 8; i++) {
        await page.waitForTimeout(500);
        urls.add(page.url());
      }
      const t1 = await page.evaluate(() => document.querySelector("pbft-playground").simulation.now);
      assert.ok(t1 > t0, `the run plays (virtual time ${t0} → ${t1})`);
      if (path.startsWith("index.html")) assert.ok(urls.size >= 3, `the permalink moved while it played (${urls.size} addresses)`);
      assert.ok(icons.length <= 1, `at most one icon request in 4 s, got ${icons.length}: ${icons.join(", ")}`);
      p.assertNoErrors();
    } finally {
      await p.close();
    }
  });
}

test("the inline icon of index.html and embed.html is www/favicon.svg", () => {
  const svg = readFileSync(join(WWW_DIR, "favicon.svg"), "utf8").trim();
  for (const page of ["index.html", "embed.html"]) {
    const html = readFileSync(join(WWW_DIR, page), "utf8");
    const m = /<link rel="icon" href="data:image\/svg\+xml,([^"]+)" type="image\/svg\+xml">/.exec(html);
    assert.ok(m, `${page} has an inline SVG icon`);
    assert.equal(decodeURIComponent(m[1]), svg, `${page}: the icon is favicon.svg`);
  }
});
