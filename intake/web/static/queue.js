/* Review queue: documents waiting for a clerk, the most urgent first (Hỏa tốc hẹn giờ, Hỏa tốc,
   Thượng khẩn, Khẩn), then oldest. */
"use strict";

(() => {
  const { h, STATUS, TYPES, fmtDate, isoDate, age, code, badges, errorText } = Intake;
  const PAGE = 50;
  const form = document.getElementById("filters");
  const tbody = document.querySelector("#queue tbody");
  const summary = document.getElementById("queue-summary");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const pageInfo = document.getElementById("page-info");
  const typeSelect = document.getElementById("f-type");
  for (const t of TYPES) typeSelect.append(h("option", { value: t }, t));

  const KEYS = ["agency", "type", "urgency", "issued_from", "issued_to", "status"];
  const DATES = new Set(["issued_from", "issued_to"]);  // typed dd/mm/yyyy, ISO in the address

  function params() {
    return new URLSearchParams(location.search);
  }

  function fillForm(p) {
    for (const k of KEYS) form.elements[k].value = DATES.has(k) ? fmtDate(p.get(k) || "") : (p.get(k) || "");
  }

  async function load() {
    const p = params();
    fillForm(p);
    const offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
    const query = new URLSearchParams();
    for (const k of KEYS) if (p.get(k)) query.set(k, p.get(k));
    query.set("limit", PAGE);
    query.set("offset", offset);
    let data = Intake.initial();
    try {
      data = data || await Intake.api("GET", `/api/review-queue?${query}`);
    } catch (err) {
      summary.textContent = err.text;
      return;
    }
    draw(data, p.get("status"));
    performance.mark("intake:rendered");
  }

  function draw(data, status) {
    const what = status ? `Trạng thái “${STATUS[status] || status}”` : "Chờ kiểm tra";
    summary.textContent = data.total
      ? `${what}: ${data.total} văn bản${data.urgent ? `, trong đó ${data.urgent} văn bản khẩn` : ""}.`
      : `${what}: không có văn bản nào.`;
    tbody.replaceChildren(...data.items.map(row));
    // Failures stay in sight from the queue: they wait for a person to retry or discard them.
    const failed = data.failed || 0;
    document.getElementById("failed-banner").replaceChildren(...(failed && status !== "failed" ? [
      h("div", { class: "banner bad", role: "alert", id: "failed-note" },
        `${failed} văn bản không xử lý được: `,
        h("a", { href: "/hang-doi?status=failed" }, "xem, xử lý lại hoặc bỏ"), ".")] : []));
    const page = Math.floor(data.offset / data.limit) + 1;
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    pageInfo.textContent = `Trang ${page}/${pages}`;
    prev.disabled = data.offset === 0;
    next.disabled = data.offset + data.limit >= data.total;
  }

  function row(doc) {
    const label = code(doc) || doc.title || `Văn bản ${doc.id}`;
    const review = doc.status === "failed"
      ? h("span", { class: "state failed" }, errorText((doc.error || {}).code, (doc.error || {}).message))
      : doc.review_count
        ? h("span", { class: "badge review" }, `${doc.review_count} trường`)
        : h("span", { class: "badge ok" }, doc.status === "ready_for_review" ? "Đủ tin cậy" : (STATUS[doc.status] || doc.status));
    return h("tr", { class: doc.urgency ? "urgent" : "" },
      h("td", { "data-label": "Độ khẩn" }, doc.urgency ? badges({ urgency: doc.urgency }) : h("span", { class: "badge muted" }, "Thường")),
      h("td", { "data-label": "Văn bản" },
        h("a", { href: `/van-ban/${doc.id}` }, label), " ",
        badges({ secrecy: doc.secrecy, secrecy_level: doc.secrecy_level, restricted: doc.restricted,
          possible_duplicate_of: doc.possible_duplicate_of }),
        doc.subject ? h("span", { class: "subject" }, doc.subject) : null),
      h("td", { "data-label": "Cơ quan" }, doc.organ || "—"),
      h("td", { "data-label": "Loại" }, doc.type || "—"),
      h("td", { "data-label": "Ngày ban hành" }, fmtDate(doc.issued_date) || "—"),
      h("td", { "data-label": "Cần xem" }, review),
      h("td", { "data-label": "Đã chờ", title: Intake.fmtDateTime(doc.uploaded_at) }, age(doc.uploaded_at)));
  }

  function go(offset) {
    const p = new URLSearchParams();
    for (const k of KEYS) {
      const v = form.elements[k].value.trim();
      if (v) p.set(k, DATES.has(k) ? isoDate(v) : v);
    }
    if (offset) p.set("offset", offset);
    history.pushState(null, "", `${location.pathname}${p.toString() ? "?" + p : ""}`);
    load();
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); go(0); });
  form.addEventListener("reset", () => setTimeout(() => go(0), 0));
  prev.addEventListener("click", () => go(Math.max(0, (parseInt(params().get("offset") || "0", 10) || 0) - PAGE)));
  next.addEventListener("click", () => go((parseInt(params().get("offset") || "0", 10) || 0) + PAGE));
  window.addEventListener("popstate", load);
  load();
})();
