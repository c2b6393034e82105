/* Upload page: drag-and-drop or pick files, one batch per upload; per-file upload progress
   (XMLHttpRequest upload events), then per-document page progress (server-sent events). */
"use strict";

(() => {
  const { h, STATUS, errorText, bytes } = Intake;
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const chosenText = document.getElementById("chosen");
  const send = document.getElementById("send");
  const batches = document.getElementById("batches");
  const unitInput = document.getElementById("unit");
  // The unit chosen last time, when it still is one of this person's units.
  const lastUnit = localStorage.getItem("intake-unit");
  if (unitInput && lastUnit && Array.from(unitInput.options || []).some((o) => o.value === lastUnit)) {
    unitInput.value = lastUnit;
  }
  let chosen = [];

  function choose(files) {
    chosen = Array.from(files || []);
    const total = chosen.reduce((n, f) => n + f.size, 0);
    chosenText.textContent = chosen.length
      ? `Đã chọn ${chosen.length} tệp (${bytes(total)}): ${chosen.map((f) => f.name).join(", ")}`
      : "Chưa chọn tệp nào.";
    send.disabled = chosen.length === 0;
    send.textContent = chosen.length ? `Tải lên ${chosen.length} tệp` : "Tải lên";
  }

  input.addEventListener("change", () => { choose(input.files); if (chosen.length) send.focus(); });
  // A file dropped beside the zone must not make the browser leave the page.
  for (const type of ["dragover", "drop"]) document.addEventListener(type, (e) => e.preventDefault());
  drop.addEventListener("dragover", (e) => { drop.classList.add("over"); e.dataTransfer.dropEffect = "copy"; });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    drop.classList.remove("over");
    choose(e.dataTransfer.files);
    if (chosen.length) send.focus();
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!chosen.length) return;
    upload(chosen);
    form.reset();
    choose([]);
  });

  function bar(label) {
    return h("progress", { max: 100, value: 0, "aria-label": label });
  }

  /* One batch: the card, the request with its upload progress, then the live progress. */
  function upload(files) {
    const card = h("section", { class: "batch panel", "aria-live": "polite" });
    const title = h("h2", {}, "Lô mới: đang tải lên…");
    const summary = h("p", { class: "hint" }, "");
    card.append(title, summary);
    const rows = files.map((f) => {
      const progress = bar(`Tải lên ${f.name}`);
      const state = h("span", { class: "state" }, "Đang tải lên 0%");
      const docs = h("div", { class: "docs" });
      const row = h("div", { class: "file-row" }, h("span", { class: "name" }, `${f.name} (${bytes(f.size)})`),
        progress, state);
      card.append(row, docs);
      return { file: f, progress, state, docs, docRows: new Map() };
    });
    batches.prepend(card);

    const body = new FormData();
    for (const f of files) body.append("files", f, f.name);
    if (unitInput && unitInput.value.trim()) {
      body.append("unit", unitInput.value.trim());
      localStorage.setItem("intake-unit", unitInput.value.trim());
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/batches");
    for (const [k, v] of Object.entries(Intake.headers({}, "POST"))) xhr.setRequestHeader(k, v);
    // The multipart body carries the files in order: bytes sent so far tell how far each file is.
    const sizes = files.map((f) => f.size);
    const sum = sizes.reduce((a, b) => a + b, 0) || 1;
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      let sent = (e.loaded / e.total) * sum;
      rows.forEach((r, i) => {
        const part = sizes[i] ? Math.max(0, Math.min(1, sent / sizes[i])) : 1;
        sent -= sizes[i];
        r.progress.value = Math.round(part * 100);
        r.state.textContent = part >= 1 ? "Đã gửi, chờ máy chủ ghi nhận" : `Đang tải lên ${Math.round(part * 100)}%`;
      });
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (xhr.status !== 202 || !data || data.error) {
        const err = (data && data.error) || { code: "internal", message: xhr.statusText };
        if (Intake.refused(xhr.status, err)) return;
        failAll(rows, title, errorText(err.code, err.message));
        return;
      }
      title.textContent = `Lô số ${data.id}`;
      data.files.forEach((f, i) => {
        const r = rows[i];
        if (!r) return;
        r.progress.value = 100;
        r.uploadId = f.upload_id;
        r.state.textContent = f.duplicate_of_upload
          ? "Tệp này đã được tải lên trước đây: dùng văn bản đã có"
          : "Đã tải lên, chờ nhận dạng";
      });
      if (!data.queued) summary.textContent = "Hàng đợi tạm thời không sẵn sàng: lô đã được lưu và sẽ được xử lý khi hệ thống hoạt động lại.";
      follow(data.id, rows, title, summary);
    });
    xhr.addEventListener("error", () => failAll(rows, title, errorText("network")));
    xhr.send(body);
  }

  function failAll(rows, title, message) {
    title.textContent = "Không tải lên được";
    for (const r of rows) {
      r.state.textContent = message;
      r.state.className = "state failed";
    }
    Intake.toast(message, true);
  }

  /* Server-sent events: `progress` with the batch, then `done`. */
  function follow(batchId, rows, title, summary) {
    const source = new EventSource(`/api/batches/${batchId}/events`);
    source.addEventListener("progress", (e) => draw(JSON.parse(e.data), rows, title, summary));
    source.addEventListener("done", (e) => {
      source.close();
      const data = JSON.parse(e.data);
      title.textContent = `Lô số ${batchId}: ${data.status === "failed" ? "không xử lý được" : "đã xử lý xong"}`;
      refresh(batchId, rows, title, summary);
    });
    source.addEventListener("error", (e) => {
      if (e.data) {  // the server's own `error` event: the batch is gone
        source.close();
        const err = JSON.parse(e.data).error || {};
        summary.textContent = errorText(err.code, err.message);
      }
      // otherwise the connection dropped: EventSource reconnects by itself
    });
  }

  async function refresh(batchId, rows, title, summary) {
    try {
      draw(await Intake.api("GET", `/api/batches/${batchId}`), rows, title, summary);
    } catch (err) {
      summary.textContent = err.text;
    }
  }

  function draw(batch, rows, title, summary) {
    const docs = new Map(batch.documents.map((d) => [d.id, d]));
    const ready = batch.documents.filter((d) => d.status === "ready_for_review").length;
    const failed = batch.documents.filter((d) => d.status === "failed").length;
    summary.textContent = `${STATUS[batch.status] || batch.status}: ${batch.documents_done}/${batch.documents_total} văn bản xong`
      + ` (${ready} chờ kiểm tra${failed ? `, ${failed} lỗi` : ""}); ${batch.pages_done}/${batch.pages_total} trang.`;
    batch.files.forEach((f, i) => {
      const r = rows.find((x) => x.uploadId === f.upload_id) || rows[i];
      if (!r) return;
      for (const id of f.documents) drawDoc(r, id, docs.get(id), Boolean(f.duplicate_of_upload));
      if (!f.documents.length && batch.status === "received") r.state.textContent = "Đã tải lên, đang chờ tách văn bản";
      else if (f.documents.length) r.state.textContent = f.duplicate_of_upload
        ? "Tệp đã có từ trước" : `${f.documents.length} văn bản`;
    });
  }

  function drawDoc(r, id, doc, earlier) {
    let row = r.docRows.get(id);
    if (!row) {
      const link = h("a", { href: `/van-ban/${id}` }, `Văn bản ${id}`);
      const progress = h("progress", { max: 1, value: 0, "aria-label": `Nhận dạng văn bản ${id}` });
      const state = h("span", { class: "state" }, "");
      row = { el: h("div", { class: "doc-row" }, h("span", { class: "name" }, link), progress, state), link, progress, state };
      r.docs.append(row.el);
      r.docRows.set(id, row);
    }
    if (!doc) {  // a document of an earlier batch (same file uploaded again)
      row.progress.max = 1;
      row.progress.value = 1;
      row.state.textContent = earlier ? "Đã có từ lần tải lên trước: mở để xem" : "";
      return;
    }
    const label = Intake.code(doc) || doc.title || `Văn bản ${id}`;
    row.link.textContent = label;
    row.progress.max = Math.max(1, doc.pages_total);
    row.progress.value = doc.pages_done;
    row.progress.setAttribute("aria-label", `Nhận dạng ${label}: ${doc.pages_done}/${doc.pages_total} trang`);
    row.state.className = "state";
    row.state.replaceChildren();
    if (doc.status === "failed") {
      row.state.className = "state failed";
      const err = doc.error || {};
      row.state.append(`Lỗi: ${errorText(err.code, err.message)}`);
    } else if (doc.status === "ready_for_review") {
      row.state.className = "state ready";
      row.state.append("Sẵn sàng kiểm tra — ", h("a", { href: `/van-ban/${id}` }, "Kiểm tra ngay"));
      if (doc.review_count) row.state.append(` (${doc.review_count} trường cần xem)`);
    } else {
      const pages = doc.pages_total ? ` — ${doc.pages_done}/${doc.pages_total} trang` : "";
      row.state.append(`${STATUS[doc.status] || doc.status}${pages}`);
    }
    row.state.prepend(...Intake.badges(doc), doc.urgency || doc.restricted || doc.possible_duplicate_of ? " " : "");
  }
})();
