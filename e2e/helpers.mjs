// End-to-end test helpers: a static server, headless Chromium (playwright-core),
// and a page wrapper that records console errors, page errors, failed requests
// and any attempt to reach the network outside the local server.
//
// Typical test file (e2e/<something>.test.mjs, run by `npm test` / `npm run test:e2e`):
//
//   import { test } from "node:test";
//   import assert from "node:assert/strict";
//   import { useE2E } from "./helpers.mjs";
//
//   const e2e = useE2E();                       // one server + one browser per file
//
//   test("four replicas commit a request", async () => {
//     const p = await e2e.open("index.html");   // fresh browser context per call
//     try {
//       const out = await p.page.evaluate(async () => {
//         const { default: init, Simulation } = await import("/pkg/pbft_playground.js");
//         await init();
//         const sim = new Simulation({ n: 4, seed: 7 });
//         sim.request("x=1");
//         sim.runUntilIdle(10_000);
//         return sim.snapshot();
//       });
//       assert.equal(out.client.accepted.length, 1);
//       p.assertNoErrors();
//     } finally {
//       await p.close();
//     }
//   });
//
// Lower-level pieces (startServer, launchBrowser, openPage) are exported too.

import assert from "node:assert/strict";
import { after, before } from "node:test";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { STRICT_CSP, startServer as startStaticServer } from "../scripts/serve.mjs";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WWW_DIR = join(REPO_ROOT, "www");
export { STRICT_CSP };

/** Flags for headless Chromium: no sandbox (root in CI), no GPU, no background network traffic. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

/**
 * (a) Serve a directory on a free port of 127.0.0.1.
 * @param {string} [root] directory (default www/)
 * @param {{ port?: number, csp?: boolean | string, headers?: Record<string,string> }} [options]
 *   csp: true sends STRICT_CSP (no inline scripts, no eval, no network), to check the page is CSP-clean.
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>} url ends with "/"
 */
export async function startServer(root = WWW_DIR, options = {}) {
  const { url, port, close } = await startStaticServer(root, { port: 0, ...options, host: "127.0.0.1", dev: true });
  return { url, port, close };
}

/**
 * (b) Launch headless Chromium with playwright-core.
 * Executable: $CHROMIUM_PATH or /usr/bin/chromium.
 * @param {import("playwright-core").LaunchOptions} [options] merged over the defaults (args are appended)
 */
export async function launchBrowser(options = {}) {
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    chromiumSandbox: false,
    timeout: 60_000,
    ...rest,
    args: [...CHROMIUM_ARGS, ...args],
  });
}

function isLocalUrl(raw) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    return true;
  }
  if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return true;
  return ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
}

/**
 * (c) A new page (in its own browser context) that records problems.
 * @param {import("playwright-core").Browser} browser
 * @param {{ viewport?: {width:number,height:number}, contextOptions?: object, allowExternal?: boolean }} [options]
 *   Requests to hosts other than localhost are blocked and recorded (the site must be self-contained)
 *   unless allowExternal is true.
 */
export async function openPage(browser, { viewport = { width: 1280, height: 800 }, contextOptions = {}, allowExternal = false } = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);

  const consoleErrors = [];
  const consoleWarnings = [];
  const pageErrors = [];
  const requestFailures = [];
  const httpErrors = [];
  const externalRequests = [];

  page.on("console", (msg) => {
    const loc = msg.location();
    const where = loc?.url ? ` (${loc.url}:${loc.lineNumber ?? 0})` : "";
    if (msg.type() === "error") consoleErrors.push(msg.text() + where);
    else if (msg.type() === "warning") consoleWarnings.push(msg.text() + where);
  });
  page.on("pageerror", (err) => pageErrors.push(err.stack || err.message || String(err)));
  page.on("requestfailed", (req) => {
    if (!isLocalUrl(req.url()) && !allowExternal) return; // recorded as externalRequests
    requestFailures.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText ?? "failed"}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) httpErrors.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  if (!allowExternal) {
    await context.route(
      (url) => !isLocalUrl(url.href),
      (route) => {
        externalRequests.push(route.request().url());
        return route.abort("blockedbyclient");
      },
    );
  }

  const wrapper = {
    page,
    context,
    consoleErrors,
    consoleWarnings,
    pageErrors,
    requestFailures,
    httpErrors,
    externalRequests,
    /** Navigate and wait for the load event. Returns the playwright Response. */
    async goto(url, options = {}) {
      return page.goto(url, { waitUntil: "load", ...options });
    },
    /** Every recorded problem, as strings. */
    get errors() {
      return [
        ...pageErrors.map((e) => `page error: ${e}`),
        ...consoleErrors.map((e) => `console.error: ${e}`),
        ...requestFailures.map((e) => `request failed: ${e}`),
        ...httpErrors.map((e) => `HTTP error: ${e}`),
        ...externalRequests.map((e) => `external request (blocked): ${e}`),
      ];
    },
    /** Fail the test if any error was recorded. */
    assertNoErrors(message = "the page reported errors") {
      const errors = wrapper.errors;
      assert.deepEqual(errors, [], `${message}:\n  ${errors.join("\n  ")}`);
    },
    async close() {
      await context.close();
    },
  };
  return wrapper;
}

/**
 * node:test fixture: starts one server and one browser for the current test file
 * (in `before`), closes them in `after`.
 * @param {{ root?: string, csp?: boolean | string, launch?: object }} [options]
 * @returns {{ url: string, server: object, browser: import("playwright-core").Browser,
 *             open: (path?: string, pageOptions?: object) => Promise<ReturnType<typeof openPage>> }}
 *   `open(path)` opens a fresh page at `path` (relative to the server root) and waits for load.
 *   Its fields are filled in once `before` has run, i.e. use them inside tests.
 */
export function useE2E({ root = WWW_DIR, csp = false, launch = {} } = {}) {
  const ctx = {
    url: undefined,
    server: undefined,
    browser: undefined,
    async open(path = "", pageOptions = {}) {
      const p = await openPage(ctx.browser, pageOptions);
      await p.goto(new URL(path, ctx.url).href);
      return p;
    },
  };
  before(async () => {
    ctx.server = await startServer(root, { csp });
    ctx.url = ctx.server.url;
    ctx.browser = await launchBrowser(launch);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/** Polls `fn` (async, returns truthy when done) until it holds or `timeout` ms pass. */
export async function eventually(fn, { timeout = 10_000, interval = 50, message = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
