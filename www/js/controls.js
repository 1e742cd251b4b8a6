// The toolbar (scenario, client, run, network) and the timeline scrubber.
// Controls only forward clicks to the element's handlers; they never touch the simulation.

import { presetText } from "./describe.js";
import { h, setAttr, setFlag, setText } from "./dom.js";
import { formatTime } from "./i18n.js";
import { SPEEDS } from "./options.js";
import { N_CHOICES } from "./permalink.js";

export const LOSSES = [0, 0.05, 0.1, 0.2, 0.3, 0.5];
/** Continuous load choices, requests per virtual second (0: off). */
export const LOADS = [0, 1, 2, 5, 10, 20, 50];
/** Delivery modes: automatic, or you are the network. */
export const DELIVERIES = ["auto", "manual"];

/**
 * @param {(k: string, v?: object) => string} t
 * @param {object} on  handlers: preset(name), n(n), seed(seed), reset(), request(op), playPause(),
 *                     step(), speed(x), skipQuiet(bool), loss(rate), load(rate), share(), seek(t), live()
 * @param {{ presets: {name: string, title: string, description: string}[] }} data
 */
export class Controls {
  constructor(t, on, { presets, op = "warTime=1234" }) {
    this.t = t;
    this.presets = presets;

    // Scenario
    this.preset = h(
      "select",
      { "aria-label": t("scenario"), title: t("scenario.title"), onchange: () => on.preset(this.preset.value) },
      h("option", { value: "", text: t("preset.none"), title: t("scenario.title") }),
      presets.map((p) => h("option", { value: p.name, text: presetText(t, p, "title"), title: presetText(t, p, "description") })),
    );
    this.n = h(
      "select",
      { "aria-label": t("replicas"), title: t("replicas.select.title"), onchange: () => on.n(Number(this.n.value)) },
      N_CHOICES.map((n) => h("option", { value: String(n), text: t("replicas.option", { n, f: Math.floor((n - 1) / 3) }) })),
    );
    this.seed = h("input", {
      type: "number",
      min: "0",
      step: "1",
      inputmode: "numeric",
      class: "seed",
      "aria-label": t("seed"),
      title: t("seed.title"),
      onchange: () => {
        const v = Number(this.seed.value);
        if (Number.isSafeInteger(v) && v >= 0) on.seed(v);
      },
    });
    this.reset = h("button", { type: "button", class: "secondary", text: t("reset"), title: t("reset.title"), onclick: () => on.reset() });
    this.description = h("p", { class: "preset-description" });
    // A preset played to its end: "Done. … Now try: …"
    this.doneLabel = h("strong", { class: "done-label", text: t("done.label") });
    this.doneText = h("span", {});
    this.done = h("p", { class: "preset-done", role: "status", hidden: true }, h("span", { class: "icon", "aria-hidden": "true", text: "✓" }), this.doneLabel, " ", this.doneText);

    // Client
    this.op = h("input", {
      type: "text",
      class: "op",
      value: op,
      maxlength: "200",
      spellcheck: "false",
      autocomplete: "off",
      "aria-label": t("operation"),
      title: t("operation.title"),
      onkeydown: (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          on.request(this.op.value);
        }
      },
    });
    this.send = h("button", { type: "button", class: "primary send", text: t("send"), title: t("send.title"), onclick: () => on.request(this.op.value) });

    // Run
    this.play = h("button", { type: "button", class: "play", "aria-pressed": "false", text: t("pause"), title: t("play.title"), onclick: () => on.playPause() });
    this.step = h("button", { type: "button", class: "secondary", text: t("step"), title: t("step.title"), onclick: () => on.step() });
    this.speed = h(
      "select",
      { "aria-label": t("speed"), title: t("speed.title"), onchange: () => on.speed(Number(this.speed.value)) },
      SPEEDS.map((x) => h("option", { value: String(x), text: t("speed.option", { x }) })),
    );
    this.skipQuiet = h("input", { type: "checkbox", checked: true, title: t("skipQuiet.title"), onchange: () => on.skipQuiet(this.skipQuiet.checked) });
    const skipLabel = h("label", { class: "check", title: t("skipQuiet.title") }, this.skipQuiet, h("span", { text: t("skipQuiet") }));

    // Network
    this.loss = h(
      "select",
      { "aria-label": t("loss"), title: t("loss.title"), onchange: () => on.loss(Number(this.loss.value)) },
      LOSSES.map((p) => h("option", { value: String(p), text: t("loss.option", { p: Math.round(p * 100) }) })),
    );
    this.load = h(
      "select",
      { "aria-label": t("load"), title: t("load.title"), onchange: () => on.load(Number(this.load.value)) },
      LOADS.map((r) => h("option", { value: String(r), text: r === 0 ? t("load.off") : t("load.option", { r }) })),
    );
    this.delivery = h(
      "select",
      { "aria-label": t("delivery"), title: t("delivery.title"), class: "delivery", onchange: () => on.delivery(this.delivery.value) },
      DELIVERIES.map((d) => h("option", { value: d, text: t(`delivery.${d}`), title: t(`delivery.${d}.title`) })),
    );
    this.share = h("button", { type: "button", class: "secondary share", "aria-haspopup": "dialog", text: t("share"), title: t("share.button.title"), onclick: () => on.share() });

    // The guided tour (its module is loaded when this is pressed).
    this.tour = h("button", { type: "button", class: "secondary tour-open", text: t("tour.open"), title: t("tour.open.title"), onclick: () => on.tour() });

    const field = (label, control, cls = "") => h("label", { class: `field ${cls}` }, h("span", { class: "field-label", text: label }), control);

    this.settingsBar = h(
      "div",
      { class: "bar settings" },
      h(
        "fieldset",
        { class: "group scenario" },
        h("legend", { class: "visually-hidden", text: t("scenario") }),
        field(t("scenario"), this.preset, "grow"),
        field(t("replicas"), this.n),
        field(t("seed"), this.seed),
        h("div", { class: "field end" }, this.reset),
      ),
      h(
        "fieldset",
        { class: "group network" },
        h("legend", { class: "visually-hidden", text: t("loss") }),
        field(t("loss"), this.loss),
        field(t("delivery"), this.delivery),
        h("div", { class: "field end" }, skipLabel),
      ),
    );
    this.mainBar = h(
      "div",
      { class: "bar main" },
      h(
        "fieldset",
        { class: "group client" },
        h("legend", { class: "visually-hidden", text: t("client") }),
        field(t("operation"), this.op, "grow"),
        h("div", { class: "field end" }, this.send),
        field(t("load"), this.load),
      ),
      h(
        "fieldset",
        { class: "group run" },
        h("legend", { class: "visually-hidden", text: t("speed") }),
        h("div", { class: "field end" }, this.play),
        h("div", { class: "field end" }, this.step),
        field(t("speed"), this.speed),
      ),
      // Sharing and the tour sit with the run's controls: the scenario's menu gets the width its
      // titles need on the first row.
      h("div", { class: "group tools" }, h("div", { class: "field end" }, this.share), h("div", { class: "field end" }, this.tour)),
    );
    this.toolbar = h("div", { class: "toolbar" }, this.settingsBar, this.mainBar);

    // Timeline
    this.scrub = h("input", {
      type: "range",
      min: "0",
      max: "0",
      step: "1",
      value: "0",
      class: "scrub",
      "aria-label": t("timeline"),
      title: t("timeline.title"),
      oninput: () => on.seek(Number(this.scrub.value)),
    });
    this.time = h("output", { class: "time", "aria-live": "off" });
    this.max = h("span", { class: "time-max" });
    this.live = h("button", { type: "button", class: "secondary small", text: t("timeline.live"), title: t("timeline.live.title"), onclick: () => on.live() });
    this.timeline = h("div", { class: "timeline" }, h("span", { class: "field-label", text: t("timeline") }), this.scrub, this.time, this.max, this.live);
  }

  /** Reflects the element's state (`view.run`, see panels.js) in the controls (cheap: only touches what changed). */
  update({ run: { preset, n, seed, playing, speed, loss, load = 0, delivery = "auto", now, max, skipQuiet, done = false } }) {
    const t = this.t;
    if (this.preset.value !== preset) this.preset.value = preset;
    const p = this.presets.find((x) => x.name === preset);
    setText(this.description, p ? presetText(t, p, "description") : "");
    setFlag(this.description, "hidden", !p);
    const finished = !!p && done;
    setFlag(this.done, "hidden", !finished);
    if (finished) {
      setText(this.doneText, t.defined(`done.${preset}`) ? t(`done.${preset}`) : t("done.generic"));
      // The whole text on hover where a narrow frame shows two lines of it.
      setAttr(this.done, "title", this.done.textContent.replace(/^✓/, "").trim());
    }
    if (this.n.value !== String(n)) this.n.value = String(n);
    if (this.seed !== this.seed.getRootNode().activeElement && this.seed.value !== String(seed)) this.seed.value = String(seed);
    setText(this.play, playing ? t("pause") : t("play"));
    setAttr(this.play, "aria-pressed", playing ? "true" : "false");
    if (Number(this.speed.value) !== speed) this.speed.value = String(speed);
    const lossValue = LOSSES.includes(loss) ? String(loss) : null;
    if (lossValue !== null && this.loss.value !== lossValue) this.loss.value = lossValue;
    if (lossValue === null && !this.loss.querySelector(`option[value="${loss}"]`)) {
      this.loss.append(h("option", { value: String(loss), text: t("loss.option", { p: Math.round(loss * 100) }) }));
      this.loss.value = String(loss);
    }
    if (this.load.value !== String(load)) {
      if (!this.load.querySelector(`option[value="${load}"]`)) this.load.append(h("option", { value: String(load), text: t("load.option", { r: load }) }));
      this.load.value = String(load);
    }
    if (this.skipQuiet.checked !== skipQuiet) this.skipQuiet.checked = skipQuiet;
    if (this.delivery.value !== delivery) this.delivery.value = delivery;
    const m = Math.max(max, now);
    setAttr(this.scrub, "max", String(Math.floor(m)));
    if (!this.dragging) this.scrub.value = String(Math.floor(now));
    setAttr(this.scrub, "aria-valuetext", formatTime(Math.floor(now)));
    setText(this.time, t("timeline.value", { t: formatTime(Math.floor(now)) }));
    setText(this.max, t("timeline.of", { max: formatTime(Math.floor(m)) }));
    this.live.disabled = Math.floor(now) >= Math.floor(m);
  }
}
