// index.html's language: `?lang=zh-CN` (or `en`) sets the page's own words and the element's
// language, as `lang` does for an embed; another value goes to the element, which says that it
// falls back to English. The element keeps `lang` in the address as it updates its permalink.
// Runs before the element's module (module scripts run in document order).

const ZH = {
  title: "PBFT 演练场：实用拜占庭容错，实时运行",
  heading: "PBFT 演练场",
  lede:
    "Castro 与 Liskov 的实用拜占庭容错（PBFT），在你的浏览器里实时运行。" +
    "<span class=\"more\">每个点都是一条真实的消息，来自编译为 WebAssembly 的 Rust 引擎：发送请求、让副本崩溃、让它们说谎，" +
    "看 <em>n</em> = 3<em>f</em> + 1 个副本依然达成一致。</span>",
  footer:
    "确定性：同样的种子和同样的操作给出同样的运行，每条消息都一样，所以本页的时间线和链接能精确重放。" +
    "论文：M. Castro 与 B. Liskov，<a href=\"https://pmg.csail.mit.edu/papers/osdi99.pdf\" rel=\"noopener\">Practical Byzantine Fault Tolerance</a>，OSDI 1999。",
  noscript: "演练场需要 JavaScript 和 WebAssembly。",
};

const params = new URLSearchParams(location.search);
const lang = params.get("lang");
const el = document.querySelector("pbft-playground");
// The speed and the theme of the address go to the element as attributes (text: the element
// checks them and gives a notice for a bad value).
for (const name of ["speed", "theme"]) {
  const value = params.get(name);
  if (value !== null && el) el.setAttribute(name, value.slice(0, 40));
}
if (lang !== null && el) {
  // The attribute is text: the element checks it and gives a notice for a value it does not know.
  el.setAttribute("lang", lang.slice(0, 40));
  if (lang === "zh-CN" || lang === "en") document.documentElement.lang = lang;
  if (lang === "zh-CN") {
    document.title = ZH.title;
    document.querySelector(".site-header h1").textContent = ZH.heading;
    // Fixed strings of this file, not text from the address.
    document.querySelector(".site-header .lede").innerHTML = ZH.lede;
    document.querySelector(".site-footer p").innerHTML = ZH.footer;
    const ns = document.querySelector("noscript .noscript");
    if (ns) ns.textContent = ZH.noscript;
  }
}
