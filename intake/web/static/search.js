/* Search: one box, diacritics optional; number, agency, date, summary, the match highlighted. */
"use strict";

(() => {
  const { h, api, highlight, fmtDate, code, badges, STATUS } = Intake;
  const PAGE = 20;
  const form = document.getElementById("search-form");
  const box = document.getElementById("q");
  const list = document.getElementById("results");
  const summary = document.getElementById("search-summary");
  const more = document.getElementById("more");
  let query = "";
  let offset = 0;

  async function run(q, from) {
    query = q;
    offset = from;
    if (!from) list.replaceChildren();
    summary.textContent = "Đang tìm…";
    let data;
    try {
      data = await api("GET", `/api/search?${new URLSearchParams({ q, limit: PAGE, offset: from })}`);
    } catch (err) {
      summary.textContent = err.text;
      return;
    }
    list.append(...data.items.map((d) => item(d, q)));
    const n = list.children.length;
    summary.textContent = n ? `${n} văn bản có “${q}”${data.items.length === PAGE ? " (còn nữa)" : ""}.`
      : `Không tìm thấy văn bản nào có “${q}”.`;
    more.hidden = data.items.length < PAGE;
    performance.mark("intake:rendered");
  }

  function item(d, q) {
    const number = code(d);
    const title = number ? `${d.type || "Văn bản"} số ${number}` : (d.title || `Văn bản ${d.id}`);
    return h("li", {},
      h("h2", {}, h("a", { href: `/van-ban/${d.id}` }, highlight(title, q)), " ", badges(d)),
      h("div", { class: "meta" },
        d.organ ? highlight(d.organ, q) : "Chưa rõ cơ quan ban hành",
        d.issued_date ? ` · ngày ${fmtDate(d.issued_date)}` : "",
        ` · ${STATUS[d.status] || d.status}`),
      d.subject ? h("p", { class: "subject" }, h("strong", {}, "Trích yếu: "), highlight(d.subject, q)) : null,
      d.snippet ? h("p", { class: "snippet" }, "…", highlight(d.snippet.replace(/\s+/g, " "), q), "…") : null,
      h("div", { class: "links" },
        d.links && d.links.pdf
          ? h("a", { href: d.links.pdf, target: "_blank", rel: "noopener" }, "Mở bản PDF/A")
          : h("span", { class: "hint" }, "Chưa có bản PDF/A"),
        h("a", { href: `/van-ban/${d.id}` }, "Xem thông tin và lịch sử")));
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = box.value.trim();
    if (!q) { box.focus(); return; }
    history.pushState(null, "", `/tim-kiem?${new URLSearchParams({ q })}`);
    run(q, 0);
  });
  more.addEventListener("click", () => run(query, offset + PAGE));
  function fromUrl() {
    const q = new URLSearchParams(location.search).get("q") || "";
    box.value = q;
    if (q) run(q, 0);
    else { list.replaceChildren(); summary.textContent = ""; box.focus(); }
  }
  window.addEventListener("popstate", fromUrl);
  fromUrl();
})();
