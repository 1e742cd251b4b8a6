// The Live cluster panel: an address, Connect and Disconnect, and what the page is doing with the
// real cluster, in words. The mirror itself (js/live.js) is loaded only on Connect. The panel's
// body is loaded when it is first opened (js/ui.js; the element imports it by URL): js/dom.js's
// h and setText are handed over rather than imported, so that the built site keeps them in the
// element's own file, and its English words come with it (the zh-CN words are in
// js/i18n-zh-CN.js, loaded with the language).

/** The panel's English words (the element adds them to its table: i18n.js addTable). */
export const WORDS = {
  "live.intro": "Start four pbft-node processes (README, “Run a real cluster”), give the address of one, and Connect. The page reads every node's event stream (/events) and replays what arrived where, in the same order, through this same engine: the ring, the diagram and the panels show the real cluster's traffic, slowed down to the page's speed. Send request goes through the node's /req.",
  "live.address": "Node address",
  "live.address.title": "One node of the cluster, e.g. localhost:1111 (the four generals: Apple on 1111 to IBM on 1114); its stream names the others",
  "live.connect": "Connect",
  "live.connect.title": "Read the cluster's event streams and replay them here (the run on screen is replaced)",
  "live.disconnect.title": "Stop watching the cluster (the run on screen stays as it is)",
  "live.disconnect": "Disconnect",
  "live.connecting": "Connecting…",
  "live.following": "Watching {nodes}: {backlog} real events waiting to be shown.",
  "live.down": "Not reachable (shown as crashed): {nodes}.",
  "live.closed": "Not watching a cluster.",
  "live.failed": "No pbft-node answered at {address} (is it running, and does it allow this page's origin? See --cors-origin).",
  "live.history": "{node} has run already (view {view}, executed up to n{seq}): the page replays a cluster from its start only. Start the four nodes afresh (with empty data directories) and connect again.",
  "live.diverged.lagged": "The page fell behind {node}'s stream and missed events: it stopped following.",
  "live.diverged.backlog": "The cluster runs faster than the page can show: it stopped following.",
  "live.diverged.fresh": "{node} restarted without its state (no --data-dir): the replay cannot follow a replica that forgot. It stopped following.",
  "live.diverged.refused": "The engine refused a replayed step ({message}): it stopped following.",
  "live.diverged.stuck": "A real delivery has no matching message in the replay: the replay differs, and it stopped following.",
  "live.replay.none": "Replayed: nothing executed yet.",
  "live.replay.same": "Replayed: the same. {count} executions of the real replicas, compared with the engine's replay.",
  "live.replay.differs": "Replayed: different. {replica} executed {real} at n{seq}; the replay executed {replayed}.",
  "live.cannot": "What a browser cannot do: stop or start a process, or cut a link. To crash a replica, press Ctrl-C (or kill it) in its terminal: its stream ends and the page shows it crashed; a node started with --data-dir comes back with its state. The buttons that would change only the replay (crash, behaviour, partition, delivering by hand) say so and do nothing while the page watches.",
};

let h, setText;

export class LivePanel {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {{ connect(address: string): void, disconnect(): void }} on
   * @param {HTMLDetailsElement} section  the panel (its summary in it), which this fills
   * @param {{ h, setText }} lib  js/dom.js's
   */
  constructor(t, on, section, lib) {
    ({ h, setText } = lib);
    this.t = t;
    this.address = h("input", { type: "text", class: "live-address", value: "localhost:1111", spellcheck: "false", autocomplete: "off", "aria-label": t("live.address"), title: t("live.address.title") });
    this.connectButton = h("button", { type: "button", class: "live-connect", text: t("live.connect"), title: t("live.connect.title"), onclick: () => on.connect(this.address.value) });
    this.disconnectButton = h("button", { type: "button", class: "secondary live-disconnect", text: t("live.disconnect"), title: t("live.disconnect.title"), disabled: true, onclick: () => on.disconnect() });
    this.state = h("p", { class: "live-status", role: "status", "aria-live": "polite" });
    this.replay = h("p", { class: "live-replay" });
    this.section = section;
    section.append(
      h("p", { class: "muted small live-intro", text: t("live.intro") }),
      h("div", { class: "live-row" }, h("label", { class: "field" }, h("span", { text: t("live.address") }), this.address), this.connectButton, this.disconnectButton),
      this.state,
      this.replay,
      h("p", { class: "muted small live-cannot", text: t("live.cannot") }),
    );
  }

  /** Shows the mirror's status (LiveMirror.status()), or none (not connected). */
  update(s) {
    const t = this.t;
    const on = s && (s.state === "following" || s.state === "connecting");
    this.connectButton.disabled = !!on;
    this.disconnectButton.disabled = !on;
    if (!s) {
      setText(this.state, "");
      setText(this.replay, "");
      return;
    }
    const down = s.names.filter((_, i) => !s.up[i]);
    const d = s.detail ?? {};
    const words = {
      connecting: () => t("live.connecting"),
      following: () => t("live.following", { nodes: s.names.join(", "), backlog: s.backlog }) + (down.length ? " " + t("live.down", { nodes: down.join(", ") }) : ""),
      closed: () => t("live.closed"),
      failed: () => t("live.failed", { address: d.address ?? "" }),
      history: () => t("live.history", { node: d.node, seq: d.seq, view: d.view }),
      diverged: () => t(`live.diverged.${d.reason}`, { node: d.node ?? "", message: d.message ?? "" }),
    };
    setText(this.state, (words[s.state] ?? words.closed)());
    const c = s.compare;
    if (!c || (c.checked === 0 && c.same)) setText(this.replay, s.state === "following" ? t("live.replay.none") : "");
    else if (c.same) setText(this.replay, t("live.replay.same", { count: c.checked }));
    else setText(this.replay, t("live.replay.differs", { replica: s.names[c.at.replica], seq: c.at.seq, real: c.at.real ?? "null", replayed: c.at.replayed ?? "null" }));
    this.replay.dataset.same = c ? String(c.same) : "";
  }
}
