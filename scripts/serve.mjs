// A static file server for a directory (used by `npm start` and the e2e tests).
// Built on `sirv` (npm), which serves .wasm as application/wasm.

import { createServer } from "node:http";
import sirv from "sirv";

/**
 * A strict Content-Security-Policy matching the design's "no inline scripts,
 * no eval, no network" rule. Opt-in (`csp: true`) so that tests can check the
 * page is CSP-clean.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors *",
].join("; ");

/**
 * Serve `root` over HTTP.
 * @param {string} root directory to serve
 * @param {{ port?: number, host?: string, dev?: boolean, csp?: boolean | string,
 *           headers?: Record<string,string> }} [options]
 *   port 0 (default) picks a free port; dev (default true) disables caching.
 * @returns {Promise<{ url: string, port: number, server: import("node:http").Server, close: () => Promise<void> }>}
 *   url ends with "/".
 */
export async function startServer(root, { port = 0, host = "127.0.0.1", dev = true, csp = false, headers = {} } = {}) {
  const extra = { ...headers };
  if (csp) extra["Content-Security-Policy"] = csp === true ? STRICT_CSP : csp;
  const serve = sirv(root, {
    dev,
    etag: true,
    setHeaders(res) {
      for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    },
  });
  const server = createServer((req, res) => {
    serve(req, res, () => {
      res.statusCode = 404;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(`404 Not Found: ${req.url}\n`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}/`,
    port: actualPort,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
