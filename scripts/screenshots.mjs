#!/usr/bin/env node
// Screenshots of the page mid-run, to look at: headless Chromium (playwright-core), each n, each
// viewport, each language, after a few requests (speed 1x, a request every 400 ms for --wait ms).
//
//   node scripts/screenshots.mjs [--out /tmp/shots] [--n 4,16,31] [--lang en,zh-CN]
//                                [--viewports 1280x800,390x844] [--wait 2500] [--full] [--root www]
//                                [--phase prepare] [--attr theme=dark] [--clip x,y,w,h]
//
// Writes <out>/n<N>-<lang>-<W>x<H>.png (the viewport; with --full, the whole page). Chinese needs
// a CJK font (Debian: fonts-wqy-microhei).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { WWW_DIR, launchBrowser, openPage, startServer } from "../e2e/helpers.mjs";

const args = process.argv.slice(2);
const opt = (flag, dflt) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : dflt);
const out = opt("--out", "/tmp/shots");
const ns = opt("--n", "4,16,31").split(",").map(Number);
const langs = opt("--lang", "en,zh-CN").split(",");
const viewports = opt("--viewports", "1280x800,390x844").split(",").map((v) => v.split("x").map(Number));
const wait = Number(opt("--wait", "2500"));
const full = args.includes("--full");
const root = opt("--root", WWW_DIR);
const query = opt("--query", "");
// --phase prepare: pause once at least n²/4 messages of that kind are in flight (after --wait)
const phase = opt("--phase", "");
// --attr theme=dark: attributes set on the element before the run
const attrs = args.includes("--attr") ? opt("--attr", "").split(",").map((kv) => kv.split("=")) : [];
// --clip x,y,w,h: only that part of the page (CSS px)
const clip = args.includes("--clip") ? Object.fromEntries(opt("--clip", "").split(",").map((v, i) => [["x", "y", "width", "height"][i], Number(v)])) : undefined;

mkdirSync(out, { recursive: true });
const server = await startServer(root);
const browser = await launchBrowser();
try {
  for (const n of ns) {
    for (const lang of langs) {
      for (const [width, height] of viewports) {
        const p = await openPage(browser, { viewport: { width, height } });
        const { page } = p;
        page.setDefaultTimeout(60_000);
        await p.goto(`${server.url}index.html?n=${n}&seed=1${query ? `&${query}` : ""}`);
        await page.waitForFunction(() => document.querySelector("pbft-playground")?.simulation);
        await page.evaluate(async ([w, phase, lang, attrs]) => {
          const el = document.querySelector("pbft-playground");
          for (const [k, v] of attrs) el.setAttribute(k, v);
          // index.html takes the language from the element's attribute (embed.html from its URL).
          if (lang !== "en") {
            el.setAttribute("lang", lang);
            await new Promise((r) => setTimeout(r, 300));
          }
          el.speed = 1;
          const send = el.shadowRoot.querySelector("button.send");
          send.click();
          const timer = setInterval(() => send.click(), 400);
          await new Promise((r) => setTimeout(r, w));
          clearInterval(timer);
          if (phase) {
            const n = el.simulation.n;
            const enough = () => el.simulation.snapshot(0).inFlight.filter((m) => m.kind === phase).length >= (n * n) / 4;
            if (!enough()) send.click();
            for (let i = 0; i < 400 && !enough(); i++) await new Promise((r) => setTimeout(r, 5));
          }
          el.playing = false;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        }, [wait, phase, lang, attrs]);
        await page.waitForTimeout(300);
        const file = join(out, `n${n}-${lang}-${width}x${height}.png`);
        await page.screenshot({ path: file, fullPage: full, clip });
        const errors = p.errors;
        console.log(file, errors.length ? `errors: ${errors.join("; ")}` : "");
        await p.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
