// The Explore panel's Web Worker: the engine's explore build (www/pkg-explore, with the explorer
// and its message loop, written in Rust with web-sys), loaded only when a search starts. Rust
// installs the message handler and answers { type: "ready" }; see crate/src/wasm/explore.rs.
import init, { exploreWorker } from "../pkg-explore/pbft_explore.js";

try {
  await init({ module_or_path: new URL("../pkg-explore/pbft_explore_bg.wasm", import.meta.url) });
  exploreWorker();
} catch (e) {
  postMessage({ type: "error", id: 0, message: e?.message ?? String(e) });
}
