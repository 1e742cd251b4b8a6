#!/usr/bin/env node
// `npm start`: set up the machine, build the wasm into www/pkg, serve www/.
//
//   PORT=9000 npm start      # default port 8080
//   HOST=0.0.0.0 npm start   # listen on all interfaces (default 127.0.0.1)
//   npm run serve            # serve www/ without setup or build (node scripts/start.mjs --no-build)

import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, c, npmCmd, run } from "./lib.mjs";
import { startServer } from "./serve.mjs";
import { setupOrExit } from "./setup.mjs";

const WWW = join(REPO_ROOT, "www");
const noBuild = process.argv.includes("--no-build");

if (!noBuild) {
  await setupOrExit({ browser: false });
  console.log(c.cyan("\n[start] building the wasm package into www/pkg"));
  const code = await run(npmCmd, ["run", "--silent", "build:wasm"]);
  if (code !== 0) {
    console.error(c.red(`[start] the wasm build failed (exit code ${code}); not starting the server.`));
    process.exit(code);
  }
}
if (!existsSync(join(WWW, "pkg"))) {
  console.warn(c.yellow("[start] warning: www/pkg does not exist; run `npm run build:wasm` (or `npm start`)."));
}

const rawPort = process.env.PORT ?? "8080";
const port = Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(c.red(`[start] PORT must be a port number, got "${rawPort}"`));
  process.exit(2);
}
const host = process.env.HOST || "127.0.0.1";

let server;
try {
  server = await startServer(WWW, { port, host, dev: true });
} catch (e) {
  if (e.code === "EADDRINUSE") {
    console.error(c.red(`[start] port ${port} is already in use. Pick another one: PORT=${port + 1} npm start`));
  } else {
    console.error(c.red(`[start] could not start the server: ${e.message}`));
  }
  process.exit(1);
}

const url = host === "127.0.0.1" ? `http://localhost:${server.port}/` : server.url;
console.log(
  [
    "",
    c.green("  pbft-playground is running:"),
    "",
    `    ${c.bold(url)}`,
    "",
    c.dim(`  serving ${WWW} (no caching) - press Ctrl+C to stop`),
    "",
  ].join("\n"),
);

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    await server.close();
    process.exit(0);
  });
}
