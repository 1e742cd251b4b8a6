// Live cluster: the page watches four real pbft-node processes. Loaded on demand (the Live
// cluster panel's Connect), so a first visit does not load it.
//
// Each node's GET /events (Server-Sent Events, the simulator's events with real times) says what
// arrived there and which timers went off. The page replays those inputs, node by node in their
// order, through the deterministic engine in manual delivery ("you are the network"): a REQUEST
// submitted at node c is client c's request, a message delivered at a node is the engine's
// matching message in flight (same sender, receiver, kind, view and sequence number; the oldest
// first, as links keep their order), delivered once it has flown to its door, and a timer that
// went off is fired. The ring, the diagram and the panels draw the engine's run as always, at the
// page's speed: slowed down so a person can follow it. What the real replicas executed is compared
// with what the replayed ones executed: "replayed: the same", or where they differ.
//
// What a page cannot do: kill or start a process, cut a link. A node that stops is a crashed
// replica in the replay (its stream ends); a durable one (--data-dir) that comes back recovers with
// its state, as the engine's `recover` does. No DOM here: the panel (live-panel.js) words the status.

const MAX_BACKLOG = 20_000; // real inputs waiting to be replayed before the page gives up following
const PER_TICK = 4; // inputs replayed per tick at most (each one is drawn)
const TICK_MS = 40;
const STUCK_MS = 8000; // nothing replayable this long while the engine waits: the replay differs

/** The address of a node as typed ("localhost:1111", "http://127.0.0.1:1111/") as an origin. */
export function nodeOrigin(text) {
  let s = String(text ?? "").trim();
  if (!/^https?:\/\//.test(s)) s = `http://${s}`;
  const u = new URL(s);
  return u.origin;
}

export class LiveMirror {
  /**
   * @param {{ start(extra: object, names: string[]): object, sim(): object, act(fn: (sim: object) => void): void, notify(status: object): void }} host
   *   start: makes a new run with these options and returns its Simulation; sim: the run's
   *   Simulation now (to read); act: changes the run as a user's action does (the page takes its
   *   events and shows them; an error is thrown); notify: the status changed
   */
  constructor(host) {
    this.host = host;
    this.sources = [];
    this.queues = [];
    this.sent = [];
    this.realExecuted = [];
    this.up = [];
    this.origins = [];
    this.names = [];
    this.state = "connecting";
    this.detail = null;
    this.replayed = 0;
    this.stuckSince = 0;
    this.timer = 0;
    this.compare = { same: true, checked: 0, at: null };
  }

  /** Connects through the node at `address`: its hello names the others. */
  async connect(address) {
    const first = nodeOrigin(address);
    const hello = await this.#hello(first);
    this.n = hello.n;
    this.names = hello.names;
    this.origins = hello.addrs.map((a, i) => (i === hello.replica ? first : nodeOrigin(a)));
    this.queues = hello.names.map(() => []);
    this.sent = hello.names.map(() => new Map());
    this.realExecuted = hello.names.map(() => new Map());
    this.up = hello.names.map(() => false);
    const hellos = await Promise.all(this.origins.map((o) => this.#open(o).catch(() => null)));
    const history = hellos.find((h) => h && (h.lastExecuted > 0 || h.view > 0));
    if (history) {
      this.close();
      this.state = "history";
      this.detail = { node: history.node, seq: history.lastExecuted, view: history.view };
      this.#notify();
      return;
    }
    const c = hello.config;
    this.host.start(
      { clients: hello.n, delivery: "manual", checkpointInterval: c.checkpoint_interval, logWindow: c.log_window, viewChangeTimeout: c.view_change_timeout, clientTimeout: c.client_timeout },
      hello.names,
    );
    this.state = "following";
    hellos.forEach((h, i) => {
      if (!h) this.#down(i);
    });
    this.timer = setInterval(() => this.#tick(), TICK_MS);
    this.#notify();
  }

  /** Sends `op` through the first node that is up (`/req`); resolves to its answer. */
  async send(op) {
    const i = Math.max(0, this.up.findIndex(Boolean));
    const r = await fetch(`${this.origins[i]}/req?${encodeURIComponent(op)}`);
    return r.json();
  }

  close() {
    clearInterval(this.timer);
    for (const s of this.sources) s?.close();
    this.sources = [];
    if (this.state === "following") this.state = "closed";
    this.#notify();
  }

  /** What the panel shows. */
  status() {
    const backlog = this.queues.reduce((t, q) => t + q.length, 0);
    return { state: this.state, detail: this.detail, names: this.names, up: [...this.up], backlog, replayed: this.replayed, compare: { ...this.compare }, origins: this.origins };
  }

  // ----- streams -----------------------------------------------------------------

  #hello(origin) {
    return new Promise((resolve, reject) => {
      const es = new EventSource(`${origin}/events`);
      es.addEventListener("hello", (e) => {
        es.close();
        resolve(JSON.parse(e.data));
      });
      es.onerror = () => {
        es.close();
        reject(new Error(origin));
      };
    });
  }

  #open(origin) {
    return new Promise((resolve, reject) => {
      const es = new EventSource(`${origin}/events`);
      let hello = null;
      es.addEventListener("hello", (e) => {
        hello = JSON.parse(e.data);
        const i = hello.replica;
        this.sources[i] = es;
        if (!this.up[i] && this.state === "following") this.#back(i, hello);
        this.up[i] = true;
        resolve(hello);
      });
      es.addEventListener("lagged", () => this.#diverge({ reason: "lagged", node: hello?.node }));
      es.onmessage = (e) => hello && this.#take(hello.replica, JSON.parse(e.data));
      es.onerror = () => {
        if (!hello) {
          es.close();
          return reject(new Error(origin));
        }
        // The node stopped (the browser tries again by itself).
        if (this.up[hello.replica]) this.#down(hello.replica);
      };
    });
  }

  #take(i, ev) {
    if (this.state !== "following") return;
    switch (ev.type) {
      case "sent":
        this.sent[i].set(ev.msg, ev);
        if (this.sent[i].size > MAX_BACKLOG) this.sent[i].delete(this.sent[i].keys().next().value);
        break;
      case "executed":
        this.realExecuted[ev.replica]?.set(ev.seq, ev.op ?? null);
        break;
      case "delivered":
      case "submitted":
      case "fired":
        this.queues[i].push(ev);
        if (this.queues[i].length > MAX_BACKLOG) this.#diverge({ reason: "backlog" });
        break;
    }
  }

  #down(i) {
    this.up[i] = false;
    try {
      this.host.act((sim) => sim.crash(i));
    } catch {}
    this.#notify();
  }

  #back(i, hello) {
    if (!hello.durable) return this.#diverge({ reason: "fresh", node: hello.node });
    try {
      this.host.act((sim) => sim.recover(i));
    } catch {}
    this.#notify();
  }

  #diverge(detail) {
    if (this.state !== "following") return;
    this.state = "diverged";
    this.detail = detail;
    this.close();
    this.state = "diverged";
    this.#notify();
  }

  #notify() {
    this.host.notify(this.status());
  }

  // ----- the replay -------------------------------------------------------------------

  #tick() {
    if (this.state !== "following") return;
    const sim = this.host.sim();
    let done = 0;
    let waiting = false;
    while (done < PER_TICK) {
      const snap = sim.snapshot(0);
      const step = this.#next(snap);
      if (!step) {
        waiting = this.queues.some((q) => q.length > 0);
        break;
      }
      if (step.wait) break; // a match is still flying to its door
      this.queues[step.node].shift();
      try {
        this.host.act(step.apply);
      } catch (e) {
        return this.#diverge({ reason: "refused", message: e.message });
      }
      this.replayed += 1;
      done += 1;
    }
    const now = performance.now();
    if (done > 0 || !waiting || !sim.idle) this.stuckSince = now;
    else if (now - this.stuckSince > STUCK_MS) return this.#diverge({ reason: "stuck", event: this.queues.find((q) => q.length)?.[0] });
    this.#compare(sim);
    if (done > 0) this.#notify();
  }

  /** The next real input to replay (the earliest head that can be), or a wait, or null. */
  #next(snap) {
    let best = null;
    let flying = false;
    this.queues.forEach((q, node) => {
      const ev = q[0];
      if (!ev || (best && best.time <= ev.time)) return;
      const step = this.#step(node, ev, snap);
      if (step === "flying") flying = true;
      else if (step) best = { ...step, node, time: ev.time };
    });
    return best ?? (flying ? { wait: true } : null);
  }

  #step(node, ev, snap) {
    if (ev.type === "submitted") return { apply: (sim) => sim.request(ev.op, ev.client) };
    // A timer the replay does not have running (a real one raced with its cancellation) is skipped.
    if (ev.type === "fired") return { apply: (sim) => sim.snapshot(0).pendingTimers.some((p) => p.node === ev.node && p.timer === ev.timer) && sim.fireTimer(ev.node, ev.timer) };
    // delivered: the sender's `sent` says its view and sequence number.
    const from = ev.from >= 0 ? ev.from : -1 - ev.from;
    const sent = this.sent[from]?.get(ev.msg);
    if (!sent) return null;
    const match = snap.inFlight.find((m) => m.from === ev.from && m.to === ev.to && m.kind === ev.kind && (m.view ?? null) === (sent.view ?? null) && (m.seq ?? null) === (sent.seq ?? null));
    if (!match) return null;
    if (match.deliverAt > snap.now) return "flying";
    return {
      apply: (sim) => {
        sim.deliver(match.id);
        this.sent[from].delete(ev.msg);
      },
    };
  }

  /** Compares the real replicas' executions with the replayed ones', as far as both went. */
  #compare(sim) {
    if (!this.compare.same) return;
    let checked = this.compare.checked;
    for (const r of sim.snapshot(64).replicas) {
      const real = this.realExecuted[r.id];
      for (const e of r.executed) {
        if (!real?.has(e.seq)) continue;
        // Compared once, then forgotten: what is kept is bounded by how far the replay lags.
        const op = real.get(e.seq);
        real.delete(e.seq);
        checked += 1;
        if (op !== (e.op ?? null)) {
          this.compare = { same: false, checked, at: { replica: r.id, seq: e.seq, real: op, replayed: e.op ?? null } };
          return this.#notify();
        }
      }
    }
    if (checked !== this.compare.checked) {
      this.compare = { same: true, checked, at: null };
      this.#notify();
    }
  }
}
