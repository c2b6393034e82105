/* The batches uploaded, newest first (GET /api/batches): who, when, unit, files, progress and the
   documents that failed, with "retry" and "discard" for a clerk. Refreshed while one is running,
   so it survives a reload of the upload page. */
"use strict";

(() => {
  const { h, api, STATUS, fmtDateTime, errorText, actor, bytes } = Intake;
  const PAGE = 20;
  const table = document.getElementById("batch-list");
  const tbody = table.querySelector("tbody");
  const summary = document.getElementById("batches-summary");
  const clerk = table.dataset.clerk === "yes";
  let offset = 0;
  let timer = null;

  async function load() {
    clearTimeout(timer);
    let data;
    try {
      data = await api("GET", `/api/batches?limit=${PAGE}&offset=${offset}`);
    } catch (err) {
      summary.textContent = err.text;
      return;
    }
    summary.textContent = data.total ? `${data.total} lô, mới nhất trước.` : "Chưa có lô nào được tải lên.";
    tbody.replaceChildren(...data.items.map(row));
    const pages = Math.max(1, Math.ceil(data.total / PAGE));
    document.getElementById("page-info").textContent = `Trang ${Math.floor(offset / PAGE) + 1}/${pages}`;
    document.getElementById("prev").disabled = offset === 0;
    document.getElementById("next").disabled = offset + PAGE >= data.total;
    performance.mark("intake:rendered");
    if (data.items.some((b) => b.status === "received" || b.status === "processing")) timer = setTimeout(load, 4000);
  }

  function who(b) {
    if (b.source === "watch" || (b.created_by || "").startsWith("system")) return "Thư mục quét";
    return actor(b.created_by) || "—";
  }

  function progress(b) {
    const pct = b.pages_total ? Math.round((100 * b.pages_done) / b.pages_total) : (b.status === "done" ? 100 : 0);
    const text = b.status === "received" ? "Đã nhận, chờ tách văn bản"
      : `Đã xử lý ${b.documents_done}/${b.documents_total} văn bản, ${b.pages_done}/${b.pages_total} trang`;
    return [h("progress", { max: 100, value: pct, "aria-label": `Lô ${b.id}: ${pct}%` }), " ",
      h("span", { class: `state ${b.status}` }, STATUS[b.status] || b.status), h("br"),
      h("span", { class: "hint" }, text, b.documents_ready ? ` · ${b.documents_ready} chờ kiểm tra` : "")];
  }

  function failures(b) {
    if (!b.documents_failed) return "—";
    return h("ul", { class: "failed-docs" }, b.failed.map((d) => h("li", { "data-doc": d.id },
      clerk ? h("a", { href: `/van-ban/${d.id}` }, d.title) : d.title, ": ",
      errorText((d.error || {}).code, (d.error || {}).message),
      clerk ? [" ", h("button", { type: "button", class: "retry", onclick: () => act(d, "retry") }, "Xử lý lại"),
        " ", h("button", { type: "button", class: "danger discard", onclick: () => {
          if (window.confirm(`Bỏ văn bản “${d.title}”? Bản gốc vẫn được lưu.`)) act(d, "discard");
        } }, "Bỏ")] : null)));
  }

  async function act(d, what) {
    try {
      await api("POST", `/api/documents/${d.id}/${what}`);
    } catch (err) {
      Intake.toast(err.text, true);
      return;
    }
    Intake.toast(what === "retry" ? `Đã đưa “${d.title}” vào hàng đợi xử lý lại.` : `Đã bỏ “${d.title}”.`);
    load();
  }

  function row(b) {
    const names = b.filenames.join(", ") + (b.files > b.filenames.length ? ", …" : "");
    return h("tr", { "data-batch": b.id, class: b.documents_failed ? "has-failed" : "" },
      h("td", { "data-label": "Lô" }, `Lô ${b.id}`),
      h("td", { "data-label": "Thời gian" }, fmtDateTime(b.created_at)),
      h("td", { "data-label": "Người tải lên" }, who(b)),
      h("td", { "data-label": "Đơn vị" }, b.unit || "—"),
      h("td", { "data-label": "Tệp" }, `${b.files} tệp (${bytes(b.size)})`, h("br"), h("span", { class: "hint" }, names)),
      h("td", { "data-label": "Tiến độ" }, progress(b)),
      h("td", { "data-label": "Lỗi" }, failures(b)));
  }

  document.getElementById("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  document.getElementById("next").addEventListener("click", () => { offset += PAGE; load(); });
  load();
})();
