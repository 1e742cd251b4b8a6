// The Live cluster panel: an address, Connect and Disconnect, and what the page is doing with the
// real cluster, in words. The mirror itself (js/live.js) is loaded only on Connect.

import { h, setText } from "./dom.js";

export class LivePanel {
  /**
   * @param {(k: string, v?: object) => string} t
   * @param {{ connect(address: string): void, disconnect(): void }} on
   */
  constructor(t, on) {
    this.t = t;
    this.address = h("input", { type: "text", class: "live-address", value: "localhost:1111", spellcheck: "false", autocomplete: "off", "aria-label": t("live.address"), title: t("live.address.title") });
    this.connectButton = h("button", { type: "button", class: "live-connect", text: t("live.connect"), title: t("live.connect.title"), onclick: () => on.connect(this.address.value) });
    this.disconnectButton = h("button", { type: "button", class: "secondary live-disconnect", text: t("live.disconnect"), title: t("live.disconnect.title"), disabled: true, onclick: () => on.disconnect() });
    this.state = h("p", { class: "live-status", role: "status", "aria-live": "polite" });
    this.replay = h("p", { class: "live-replay" });
    this.section = h(
      "details",
      { class: "live-panel" },
      h("summary", { text: t("live.title") }),
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
