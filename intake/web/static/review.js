/* Review one document: page images beside the fields, uncertain fields first, keyboard-first.
   Tab: next uncertain field. Enter: accept (or save the corrected value). Ctrl+Enter: confirm;
   a document with every field confident opens with the confirm button focused (one key).
   Enter never accepts an empty number, date, agency, type or subject: the clerk says the document
   has none (Alt+K or the “Không có” button; the API's `none`). */
"use strict";

(() => {
  const { h, api, STATUS, URGENCY, SECRECY, FIELDS, fmtDate, fmtDateTime, isoDate, errorText } = Intake;
  const docId = parseInt(location.pathname.split("/").filter(Boolean).pop(), 10);
  const $ = (id) => document.getElementById(id);
  const form = $("fields");
  const img = $("page-img");
  const box = $("box");
  const sheet = $("sheet");
  const wrap = $("sheet-wrap");
  const confirmBtn = $("confirm");
  const confirmAll = $("confirm-all");

  // The fields a clerk checks, in the order of the page; `src` are the stored fields it stands for.
  const SPEC = [
    { key: "number", kind: "text", src: ["number", "code_number", "code_notation"], hint: "ví dụ 87/QĐ-UBND" },
    { key: "issued_date", kind: "date", hint: "ngày/tháng/năm" },
    { key: "organ_name", kind: "text" },
    { key: "parent_organ", kind: "text" },
    { key: "organ_code", kind: "text", hint: "khi danh sách chưa có, ví dụ 000.00.00.H41" },
    { key: "type_name", kind: "text" },
    { key: "subject", kind: "textarea" },
    { key: "place", kind: "text" },
    { key: "signer.competence", kind: "text", hint: "TM., KT., Q., TL., TUQ." },
    { key: "signer.position", kind: "text" },
    { key: "signer.full_name", kind: "text" },
    { key: "to_places", kind: "lines", hint: "mỗi nơi một dòng" },
    { key: "urgency", kind: "select", options: URGENCY },
    { key: "secrecy", kind: "select", options: SECRECY },
    { key: "arrival_stamp", kind: "pair" },
    { key: "paper_arrived_on", kind: "date", hint: "ngày/tháng/năm", extra: true },
  ];

  // Never confirmed empty unless a person said the document has none (documents/confirm.py REQUIRED).
  const REQUIRED = new Set(["number", "issued_date", "organ_name", "type_name", "subject"]);
  const NONE_HELP = "Trường này đang trống: nhập giá trị, hoặc nhấn Alt+K (“Không có”) nếu văn bản không có.";

  let doc = null;
  let page = 0;
  let zoom = 1;  // 1 = fit width
  let rows = [];  // {spec, el, inputs, error, conf, mark, checked}
  let current = null;
  let imageVersion = "";  // changes after a page correction (same address, new image)

  /* ---------- reading a field ---------- */
  function stored(key) {
    const fields = doc.fields || {};
    if (key.startsWith("signer.")) {
      const signer = fields.signer || {};
      const part = key.split(".")[1];
      const parts = signer.parts || {};
      const f = parts[part] || {};
      const value = ((doc.metadata || {}).signer || {})[part];
      return {
        value: value !== undefined ? value : null,
        confidence: f.confidence !== undefined ? f.confidence : signer.confidence,
        needs_review: f.needs_review !== undefined ? f.needs_review : Boolean(signer.needs_review && !signer.parts),
        page: f.page !== undefined ? f.page : signer.page,
        bbox: f.bbox || (parts[part] ? null : signer.bbox),
        corrected_by: f.corrected_by,
      };
    }
    if (key === "paper_arrived_on") return { value: doc.paper_arrived_on, confidence: null, needs_review: false };
    const f = fields[key] || {};
    const meta = (doc.metadata || {})[key];
    return {
      value: f.value !== undefined ? f.value : (meta !== undefined ? meta : null),
      confidence: f.confidence, needs_review: Boolean(f.needs_review), page: f.page, bbox: f.bbox,
      corrected_by: f.corrected_by, none: Boolean(f.none), present: key in fields,
    };
  }

  function state(spec) {
    const s = stored(spec.key);
    for (const other of spec.src || []) {
      const f = (doc.fields || {})[other];
      if (f && f.needs_review) {
        s.needs_review = true;
        if (typeof f.confidence === "number") s.confidence = Math.min(s.confidence ?? 1, f.confidence);
      }
    }
    return s;
  }

  /* ---------- shown value <-> API value ---------- */
  function shown(spec, value) {
    if (value === null || value === undefined) return spec.kind === "pair" ? ["", ""] : "";
    switch (spec.kind) {
      case "date": return fmtDate(value);
      case "lines": return Array.isArray(value) ? value.join("\n") : String(value);
      case "pair": return [value.number || "", fmtDate(value.date || "")];
      default: return String(value);
    }
  }

  function typed(row) {
    const spec = row.spec;
    const raw = row.inputs.map((i) => i.value);
    switch (spec.kind) {
      case "date": return isoDate(raw[0]);
      case "lines": return raw[0].split("\n").map((s) => s.trim()).filter(Boolean);
      case "select": return raw[0] || null;
      case "textarea": return raw[0].replace(/\s+/g, " ").trim() || null;
      case "text": {
        const t = raw[0].trim();
        // Only the pre-filled symbol, no digits typed: the number is still empty.
        return spec.key === "number" && t.startsWith("/") ? null : (t || null);
      }
      case "pair": {
        const [number, date] = [raw[0].trim(), raw[1].trim()];
        return number || date ? { number: number || null, date: isoDate(date) } : null;
      }
      default: return raw[0].trim() || null;
    }
  }

  function same(a, b) { return JSON.stringify(a ?? null) === JSON.stringify(b ?? null); }

  /* ---------- drawing ---------- */
  function banners() {
    const out = [];
    if (doc.restricted) {
      out.push(h("div", { class: "banner secret", role: "note", id: "secret-banner" }, doc.secrecy_level >= 2
        ? `Văn bản ${Intake.secrecyText(doc)}: tài liệu hạn chế, chỉ người có thẩm quyền được xem; `
          + "không chuyển điện tử tự động."
        : "Chưa rõ độ mật: văn bản được hạn chế như văn bản mật (chỉ người có thẩm quyền được xem, "
          + "không chuyển điện tử tự động) cho đến khi trường “Độ mật” được kiểm tra."));
    }
    if (doc.possible_duplicate_of) {
      out.push(h("div", { class: "banner dup", role: "note", id: "dup-banner" },
        "Có thể trùng với văn bản đã có (cùng số, ký hiệu và cơ quan ban hành): ",
        h("a", { href: `/van-ban/${doc.possible_duplicate_of}` }, `mở văn bản ${doc.possible_duplicate_of}`),
        ". Kiểm tra trước khi xác nhận."));
    }
    if (doc.urgency) {
      out.push(h("div", { class: "banner bad", role: "note" },
        `Văn bản ${URGENCY[doc.urgency] || doc.urgency}: cần xử lý ngay.`));
    }
    if (doc.copy_note) {  // the scan is not an eligible electronic copy (documents/copy_check.py)
      out.push(h("div", { class: "banner info", role: "note", id: "copy-banner" }, doc.copy_note));
    }
    if (doc.agency_signature_note) {  // our agency's signature of the copy (documents/signing)
      const tone = { signed: "good", pending: "info" }[(doc.agency_signature || {}).state] || "bad";
      out.push(h("div", { class: `banner ${tone}`, role: "note", id: "agency-signature-banner" },
        doc.agency_signature_note));
    }
    if (doc.signatures && doc.signatures.length) {  // the original's own signatures (documents/incoming_signatures.py)
      const tone = { valid: "good", untrusted: "info", not_yet_valid: "info" }[doc.signatures_status] || "bad";
      out.push(h("div", { class: `banner ${tone}`, role: "note", id: "signature-banner" },
        "Văn bản có chữ ký số:",
        h("ul", {}, doc.signatures.map((s) => h("li", { class: `sig-${s.status}` }, s.message))),
        h("a", { href: `/api/documents/${doc.id}/original` }, "Tải bản gốc có chữ ký số")));
    }
    if (doc.split && doc.split.needs_review) {
      out.push(h("div", { class: "banner info", role: "note" },
        "Ranh giới văn bản chưa chắc chắn: kiểm tra xem văn bản có thiếu hoặc thừa trang không."));
    }
    if (doc.status === "failed") {
      const err = doc.error || {};
      out.push(h("div", { class: "banner bad", role: "alert", id: "failed-banner" },
        `Không xử lý được: ${errorText(err.code, err.message)} `,
        h("span", { class: "failed-actions" },
          h("button", { type: "button", id: "retry-doc", class: "primary", onclick: () => failedAction("retry") },
            "Xử lý lại"),
          h("button", { type: "button", id: "discard-doc", class: "danger", onclick: () => {
            if (window.confirm("Bỏ văn bản này? Văn bản không còn trong danh sách; bản gốc vẫn được lưu.")) failedAction("discard");
          } }, "Bỏ văn bản này"))));
    } else if (doc.status === "confirmed" || doc.status === "delivered") {
      out.push(h("div", { class: "banner good", role: "status", id: "done-banner" },
        `${STATUS[doc.status]} lúc ${fmtDateTime(doc.confirmed_at)}.`));
    } else if (doc.status !== "ready_for_review") {
      out.push(h("div", { class: "banner info", role: "status" }, `Văn bản ${(STATUS[doc.status] || doc.status).toLowerCase()}: chưa thể kiểm tra.`));
    }
    $("banners").replaceChildren(...out);
  }

  function header() {
    const code = Intake.code(doc);
    $("doc-title").textContent = code ? `${doc.type || "Văn bản"} số ${code}` : (doc.title || `Văn bản ${doc.id}`);
    document.title = `${$("doc-title").textContent} — Kiểm tra văn bản`;
    $("doc-status").replaceChildren(
      `${STATUS[doc.status] || doc.status} · tệp ${doc.filename || doc.title} · ${doc.pages_total} trang`,
      doc.organ ? ` · ${doc.organ}` : "", " ", ...Intake.badges(doc));
    const pdf = $("pdf-link");
    pdf.hidden = !(doc.links && doc.links.pdf);
    if (!pdf.hidden) pdf.href = doc.links.pdf;
  }

  function editable() { return doc.status === "ready_for_review"; }

  function confText(s) {
    if (typeof s.confidence !== "number") return "";
    return `${Math.round(s.confidence * 100)}%`;
  }

  function buildForm() {
    const specs = SPEC.map((spec) => ({ spec, s: state(spec) }));
    const uncertain = specs.filter((x) => x.s.needs_review && !x.spec.extra);
    const confident = specs.filter((x) => !x.s.needs_review || x.spec.extra);
    rows = [];
    const children = [];
    if (uncertain.length) children.push(h("h3", {}, `Cần kiểm tra (${uncertain.length})`));
    uncertain.forEach((x) => children.push(fieldRow(x.spec, x.s, true)));
    if (confident.length) children.push(h("h3", {}, "Đủ tin cậy"));
    confident.forEach((x) => children.push(fieldRow(x.spec, x.s, false)));
    form.replaceChildren(...children);
  }

  function fieldRow(spec, s, uncertain) {
    const id = `f-${spec.key.replace(".", "-")}`;
    const label = FIELDS[spec.key] || spec.key;
    let values = shown(spec, s.value);
    // Digits missing, symbol read: the box holds "/UBND-KTTH" and the cursor goes before it.
    const notation = ((doc.fields || {}).code_notation || {}).value;
    if (spec.key === "number" && !values && notation && !s.none) values = `/${notation}`;
    let inputs;
    const common = { "aria-describedby": `${id}-conf ${id}-err`, disabled: !editable() };
    if (spec.kind === "textarea" || spec.kind === "lines") {
      inputs = [h("textarea", { id, rows: spec.kind === "lines" ? 3 : 2, ...common }, values)];
    } else if (spec.kind === "select") {
      const sel = h("select", { id, ...common }, h("option", { value: "" }, "Không"),
        ...Object.entries(spec.options).map(([v, t]) => h("option", { value: v }, t)));
      if (values && !(values in spec.options)) sel.append(h("option", { value: values }, values));
      sel.value = values;
      inputs = [sel];
    } else if (spec.kind === "pair") {
      inputs = [
        h("input", { id, type: "text", placeholder: "số đến", "aria-label": `${label}: số đến`, ...common }),
        h("input", { id: `${id}-date`, type: "text", placeholder: "ngày/tháng/năm", "aria-label": `${label}: ngày đến`, ...common }),
      ];
      inputs[0].value = values[0];
      inputs[1].value = values[1];
    } else {
      inputs = [h("input", { id, type: "text", autocomplete: "off", placeholder: spec.hint || "", ...common })];
      inputs[0].value = values;
    }
    let meter = null;
    if (typeof s.confidence === "number") {
      const fill = h("span");
      fill.style.width = `${Math.round(s.confidence * 100)}%`;  // CSSOM: allowed by the CSP, a style="" is not
      meter = h("span", { class: `meter${s.needs_review ? " low" : ""}`, "aria-hidden": "true" }, fill);
    }
    const mark = h("span", { class: `badge ${s.needs_review ? "review" : "ok"}` },
      s.needs_review ? "Cần kiểm tra" : (s.none ? "Không có" : (s.corrected_by ? "Đã kiểm tra" : "Tin cậy")));
    const none = REQUIRED.has(spec.key) && (uncertain || !s.value) && !s.none ? h("button", { type: "button", class: "none-btn", id: `${id}-none`,
      disabled: !editable(), tabindex: "-1", "aria-keyshortcuts": "Alt+K", title: "Văn bản không có trường này (Alt+K)" },
    "Không có") : null;
    const conf = h("span", { class: "conf", id: `${id}-conf` }, meter,
      confText(s) ? `Độ tin cậy ${confText(s)} · ` : "", mark, none);
    const error = h("div", { class: "error", id: `${id}-err`, role: "alert" });
    const reason = spec.key === "secrecy" ? reasonBox(id, common) : null;
    const el = h("div", { class: `field${uncertain ? " uncertain" : ""}`, "data-key": spec.key },
      h("div", { class: "head" }, spec.kind === "pair" ? h("span", { class: "label" }, label) : h("label", { for: id }, label), conf),
      spec.kind === "pair" ? h("div", { class: "pair" }, inputs) : inputs, reason && reason.box, error);
    if (spec.kind === "pair") el.querySelector(".label").style.fontWeight = "600";
    const row = { spec, el, inputs, error, mark, conf, checked: false, uncertain, s, reason };
    for (const input of reason ? [...inputs, reason.input] : inputs) {
      input.addEventListener("focus", () => focusRow(row));
      input.addEventListener("keydown", (e) => onKey(e, row));
    }
    if (s.none) inputs[0].placeholder = "(văn bản không có)";
    if (none) none.addEventListener("click", () => markNone(row));
    if (spec.key === "number") {  // the digits go before a symbol already in the box
      inputs[0].addEventListener("focus", () => {
        if (inputs[0].value.startsWith("/")) inputs[0].setSelectionRange(0, 0);
      });
    }
    if (reason) inputs[0].addEventListener("change", () => showReason(row));
    rows.push(row);
    return el;
  }

  /* Lowering or clearing a secrecy mark (MẬT and above) needs a reason (documents/review.py): the
     box for it shows while the chosen mark is lower than the document's level. */
  const LEVEL = { "": 0, "MẬT": 2, "TỐI MẬT": 3, "TUYỆT MẬT": 4 };

  function reasonBox(id, common) {
    const input = h("input", { id: `${id}-reason`, type: "text", autocomplete: "off", maxlength: "500",
      placeholder: "ví dụ: dấu của bản sao khác, văn bản không mật", ...common });
    const box = h("div", { class: "reason", id: `${id}-reason-box`, hidden: true },
      h("label", { for: input.id }, "Lý do hạ/bỏ độ mật"), input);
    return { box, input };
  }

  function lowering(row) {
    const to = LEVEL[row.inputs[0].value] ?? 1;  // a mark read uncertainly: level 1
    return doc.secrecy_level >= 2 && to < doc.secrecy_level;
  }

  function showReason(row) {
    row.reason.box.hidden = !lowering(row);
    if (row.reason.box.hidden) row.reason.input.value = "";
  }

  /* Empty where a value is required, and not said to be absent: as the server refuses it. */
  function emptyRequired(row) {
    return REQUIRED.has(row.spec.key) && row.s.present && !row.s.none && typed(row) === null;
  }

  function pending() { return rows.filter((r) => (r.uncertain && !r.checked) || emptyRequired(r)); }

  function leftText() {
    const left = pending();
    $("review-left").textContent = !editable() ? ""
      : left.length ? `Còn ${left.length} trường cần kiểm tra. Enter để chấp nhận, sửa rồi Enter để lưu.`
        : "Mọi trường đã đủ tin cậy: nhấn Enter trên nút “Xác nhận văn bản” (hoặc Ctrl+Enter).";
    confirmAll.hidden = !editable() || left.length === 0;
    confirmBtn.hidden = !editable();
  }

  /* ---------- pages ---------- */
  function showPage(index) {
    const pages = doc.pages || [];
    if (!pages.length) {
      $("page-no").textContent = "Không có trang";
      img.hidden = true;
      return;
    }
    page = Math.max(0, Math.min(pages.length - 1, index));
    const p = pages[page];
    $("page-no").textContent = `Trang ${page + 1}/${pages.length}`;
    pageTools();
    $("page-prev").disabled = page === 0;
    $("page-next").disabled = page === pages.length - 1;
    if (p.image) {
      const src = imageVersion ? `${p.image}?v=${imageVersion}` : p.image;
      if (img.getAttribute("src") !== src) img.src = src;
      img.alt = `Ảnh trang ${page + 1} của văn bản`;
      img.hidden = false;
    } else {
      img.hidden = true;
    }
    drawBox();
  }

  function setZoom(z) {
    zoom = Math.max(0.5, Math.min(4, z));
    sheet.style.width = `${Math.round(zoom * 100)}%`;
    $("zoom-level").textContent = `${Math.round(zoom * 100)}%`;
    drawBox();
  }

  function drawBox() {
    box.classList.remove("show");
    if (!current) return;
    const s = current.s;
    const p = (doc.pages || [])[page];
    if (!p || !s.bbox || s.page !== page || !p.width || !p.height) return;
    const [x0, y0, x1, y1] = s.bbox;
    box.style.left = `${(x0 / p.width) * 100}%`;
    box.style.top = `${(y0 / p.height) * 100}%`;
    box.style.width = `${((x1 - x0) / p.width) * 100}%`;
    box.style.height = `${((y1 - y0) / p.height) * 100}%`;
    box.classList.add("show");
    // Bring the box into the visible part of the page, without moving the whole window.
    const top = (y0 / p.height) * sheet.clientHeight;
    const left = (x0 / p.width) * sheet.clientWidth;
    if (top < wrap.scrollTop || top > wrap.scrollTop + wrap.clientHeight - 40) wrap.scrollTop = Math.max(0, top - 60);
    if (left < wrap.scrollLeft || left > wrap.scrollLeft + wrap.clientWidth - 40) wrap.scrollLeft = Math.max(0, left - 60);
  }

  function focusRow(row) {
    if (current && current !== row) current.el.classList.remove("current");
    current = row;
    row.el.classList.add("current");
    if (typeof row.s.page === "number" && row.s.page !== page && row.s.bbox) showPage(row.s.page);
    else drawBox();
  }

  /* ---------- keyboard ---------- */
  function onKey(e, row) {
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      if (e.shiftKey && e.target.tagName === "TEXTAREA") return;  // a new line
      e.preventDefault();
      accept(row);
    } else if (e.altKey && !e.ctrlKey && (e.code === "KeyK" || e.key === "k" || e.key === "K")
      && REQUIRED.has(row.spec.key)) {
      e.preventDefault();
      markNone(row);
    } else if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      const inRow = row.inputs.indexOf(e.target);
      if (inRow < row.inputs.length - 1) return;  // second box of a pair, or the reason box
      if (row.reason && !row.reason.box.hidden) return;  // from the mark to its reason
      const target = nextPending(row);
      if (target) {
        e.preventDefault();
        stopAt(target);
      }
    }
  }

  /* The page moves the clerk to a field with its value selected, as a native Tab would: typing
     replaces a wrong value instead of adding to it (a number's lone symbol keeps the cursor
     before it, set by its focus handler). */
  function stopAt(row) {
    const input = row.inputs[0];
    input.focus();
    if (input.select && !(row.spec.key === "number" && input.value.startsWith("/"))) input.select();
  }

  function nextPending(after) {
    const order = rows;
    const at = order.indexOf(after);
    return order.slice(at + 1).find((r) => r.uncertain && !r.checked) || null;
  }

  function moveOn(row) {
    const target = nextPending(row) || pending()[0];
    if (target) stopAt(target);
    else confirmBtn.focus();
  }

  document.addEventListener("keydown", (e) => {
    if (!doc) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      confirm(false);
    } else if (e.altKey && e.key === "PageDown") {
      e.preventDefault();
      showPage(page + 1);
    } else if (e.altKey && e.key === "PageUp") {
      e.preventDefault();
      showPage(page - 1);
    } else if (e.altKey && (e.key === "=" || e.key === "+")) {
      e.preventDefault();
      setZoom(zoom + 0.25);
    } else if (e.altKey && (e.key === "-" || e.key === "−")) {
      e.preventDefault();
      setZoom(zoom - 0.25);
    } else if (e.altKey && e.key === "0") {
      e.preventDefault();
      setZoom(1);
    }
  });

  /* ---------- saving ---------- */
  function noSigner() {
    const signer = (doc.fields || {}).signer || {};
    const boxes = rows.filter((r) => r.spec.key.startsWith("signer."));
    return !signer.parts && boxes.length > 0 && boxes.every((r) => typed(r) === null);
  }

  async function accept(row) {
    if (!editable()) return;
    const value = typed(row);
    const unchanged = same(value, row.s.value) || (row.spec.kind === "textarea" && same(value, (row.s.value || "").replace(/\s+/g, " ").trim()));
    if (!row.uncertain && unchanged) {  // a confident value left as it was: nothing to record
      moveOn(row);
      return;
    }
    if (row.spec.extra && !value) { moveOn(row); return; }
    if (REQUIRED.has(row.spec.key) && value === null && !row.s.none) {
      row.error.textContent = NONE_HELP;  // Enter on an empty box accepts nothing
      return;
    }
    row.error.textContent = "";
    let body = row.spec.extra ? { paper_arrived_on: value } : { fields: { [row.spec.key]: value } };
    if (row.spec.key.startsWith("signer.") && noSigner()) {
      // No signer block was read and the clerk leaves the boxes empty: one Enter says the file
      // has no signer (a first page alone, a body cut short), for the three boxes at once.
      body = { fields: { signer: { competence: null, position: null, full_name: null } } };
    }
    const why = row.reason && !row.reason.box.hidden ? row.reason.input.value.trim() : "";
    if (why) body.reason = why;
    try {
      doc = await api("PATCH", `/api/documents/${docId}`, body);
    } catch (err) {
      row.error.textContent = err.text;
      if (row.reason && !row.reason.box.hidden) row.reason.input.focus();
      return;
    }
    if (row.reason) showReason(row);  // the document's level is now the chosen one
    saved(row, unchanged ? "Đã chấp nhận" : "Đã sửa");
  }

  /* The clerk says the document carries no such value (no number, no date...): recorded as such. */
  async function markNone(row) {
    if (!editable()) return;
    row.error.textContent = "";
    try {
      doc = await api("PATCH", `/api/documents/${docId}`, { none: [row.spec.key] });
    } catch (err) {
      row.error.textContent = err.text;
      return;
    }
    saved(row, "Không có");
    row.inputs[0].value = "";
    row.inputs[0].placeholder = "(văn bản không có)";
  }

  function saved(row, text) {
    row.checked = true;
    refreshRows(row);
    row.el.classList.add("checked");
    row.mark.className = "badge ok";
    row.mark.textContent = text;
    banners();
    header();
    history();
    leftText();
    moveOn(row);
  }

  /* After a save the stored value may be normalised (87 / QĐ-UBND -> 87/QĐ-UBND): the saved row
     shows it; other rows keep what the clerk may be typing, with their state updated. */
  function refreshRows(done) {
    for (const row of rows) {
      row.s = state(row.spec);
      if (row.uncertain && !row.s.needs_review) row.checked = true;
    }
    const values = shown(done.spec, done.s.value);
    if (done.spec.kind === "pair") {
      done.inputs[0].value = values[0];
      done.inputs[1].value = values[1];
    } else {
      done.inputs[0].value = values;
    }
  }

  async function confirm(acceptRemaining) {
    if (!editable()) return;
    const empty = rows.filter(emptyRequired);  // never accepted as read, even all at once
    if (empty.length) {
      empty.forEach((r) => { r.error.textContent = NONE_HELP; });
      Intake.toast(`Còn trường trống: ${empty.map((r) => FIELDS[r.spec.key]).join(", ")}.`, true);
      stopAt(empty[0]);
      return;
    }
    const left = pending();
    if (left.length && !acceptRemaining) {
      Intake.toast(`Còn ${left.length} trường cần kiểm tra: ${left.map((r) => FIELDS[r.spec.key]).join(", ")}.`, true);
      confirmAll.hidden = false;
      stopAt(left[0]);
      return;
    }
    confirmBtn.disabled = true;
    try {
      await api("POST", `/api/documents/${docId}/confirm`, { accept_remaining: Boolean(acceptRemaining) });
      doc = await api("GET", `/api/documents/${docId}`);
    } catch (err) {
      confirmBtn.disabled = false;
      Intake.toast(err.text, true);
      return;
    }
    confirmBtn.disabled = false;
    drawAll();
    Intake.toast("Đã xác nhận văn bản.");
    await findNext();
    $("next-doc").focus();
  }

  async function findNext() {
    const link = $("next-doc");
    let nextId = null;
    try {
      const queue = await api("GET", "/api/review-queue?limit=2");
      const next = queue.items.find((d) => d.id !== docId);
      nextId = next ? next.id : null;
    } catch (err) {
      Intake.toast(err.text, true);
    }
    if (nextId) {
      link.href = `/van-ban/${nextId}`;
      link.textContent = "Văn bản tiếp theo →";
      link.className = "button primary";
    } else {
      link.href = "/hang-doi";
      link.textContent = "Về danh sách (không còn văn bản chờ)";
    }
  }

  /* A failed document: queued again, or discarded (it leaves the lists; the original stays). */
  async function failedAction(what) {
    try {
      await api("POST", `/api/documents/${docId}/${what}`);
      doc = await api("GET", `/api/documents/${docId}`);
    } catch (err) {
      Intake.toast(err.text, true);
      return;
    }
    drawAll();
    Intake.toast(what === "retry" ? "Đã đưa văn bản vào hàng đợi xử lý lại." : "Đã bỏ văn bản.");
  }

  /* ---------- history ---------- */
  const ACTIONS = {
    status: "Đổi trạng thái", field: "Sửa", accept: "Chấp nhận", duplicate: "Đánh dấu có thể trùng",
    retry: "Xử lý lại", upload: "Tải lên", none: "Văn bản không có", recovered: "Làm lại sau sự cố",
    delivery: "Chuyển sang phần mềm quản lý văn bản", registry: "Phản hồi của phần mềm quản lý văn bản",
    split: "Tách văn bản", merge: "Gộp văn bản", move: "Chuyển trang", move_out: "Chuyển trang",
    move_in: "Nhận trang", rotate: "Xoay trang",
    delete_page: "Xóa trang", retitled: "Cập nhật tiêu đề tệp PDF",
  };

  // The registry's status codes (documents/registry.py STATUS_CODES), 13/15/16 the revocation flow.
  const REGISTRY = { "01": "Đã đến", "02": "Từ chối tiếp nhận", "03": "Đã tiếp nhận", "04": "Phân công",
    "05": "Đang xử lý", "06": "Hoàn thành", "13": "Đề nghị thu hồi", "15": "Đồng ý thu hồi",
    "16": "Từ chối thu hồi" };

  function val(field, v) {
    if (v === null || v === undefined || v === "") return "(trống)";
    if (field === "registry_status") return REGISTRY[v] ? `${v} ${REGISTRY[v]}` : String(v);
    if (field === null && typeof v === "string" && STATUS[v]) return STATUS[v];
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return fmtDate(v);
    if (Array.isArray(v)) return v.join("; ");
    if (typeof v === "object") return Object.values(v).filter((x) => x).map((x) => val(null, x)).join(", ");
    if (field === "urgency") return URGENCY[v] || v;
    if (field === "secrecy") return SECRECY[v] || v;
    return String(v);
  }

  function history() {
    const items = (doc.history || []).slice().reverse();
    $("history").querySelector("tbody").replaceChildren(...items.map((e) => h("tr", {},
      h("td", { "data-label": "Thời gian" }, fmtDateTime(e.at)),
      h("td", { "data-label": "Người thực hiện" }, Intake.actor(e.actor)),
      h("td", { "data-label": "Thao tác" }, ACTIONS[e.action] || e.action),
      h("td", { "data-label": "Trường" }, e.field ? (FIELDS[e.field] || e.field) : "—"),
      h("td", { "data-label": "Thay đổi", class: "change" }, change(e)))));
  }

  function change(e) {
    if (e.action === "duplicate") {
      return ["Cùng số, ký hiệu và cơ quan ban hành với ",
        h("a", { href: `/van-ban/${e.new}` }, `văn bản ${e.new}`)];
    }
    if (e.action === "accept") return h("span", { class: "new" }, val(e.field, e.new));
    if (e.action === "none") return [h("span", { class: "old" }, val(e.field, e.old)), " → không có"];
    const n = (x) => (typeof x === "number" ? x + 1 : x);
    if (e.action === "rotate") return `Trang ${n(e.old)} xoay ${e.new}° theo chiều kim đồng hồ`;
    if (e.action === "delete_page") return `Trang ${n(e.old)} bỏ khỏi văn bản (bản gốc vẫn giữ)`;
    if (e.action === "split" && e.old === null) {
      return ["Tách ra từ ", h("a", { href: `/van-ban/${e.new}` }, `văn bản ${e.new}`)];
    }
    if (e.action === "split") return `Tách thành văn bản mới từ trang ${n(e.new)}`;
    if (e.action === "merge") return ["Gộp thêm các trang của ", h("a", { href: `/van-ban/${e.new}` }, `văn bản ${e.new}`)];
    if (e.action === "move") return `Trang ${n(e.old)} chuyển đến vị trí ${n(e.new)}`;
    if (e.action === "move_out") return [`Trang ${n(e.old)} chuyển sang `, docLink(e.new)];
    if (e.action === "move_in") {
      const from = e.old || {};
      return [`Nhận trang ${n(from.page)} của `, docLink(from.document), `, đặt ở vị trí ${n(e.new)}`];
    }
    return [h("span", { class: "old" }, val(e.field, e.old)), " → ", h("span", { class: "new" }, val(e.field, e.new)),
      e.field === "secrecy" && e.detail ? h("span", { class: "reason" }, ` (lý do: ${e.detail})`) : null];
  }

  function docLink(id) { return h("a", { href: `/van-ban/${id}` }, `văn bản ${id}`); }

  /* ---------- page corrections (split, merge, move, rotate, delete) ---------- */
  function pageTools() {
    const panel = $("page-tools");
    const pages = (doc.pages || []).length;
    panel.hidden = !editable() || pages === 0;
    if (panel.hidden) return;
    const turn = h("select", { id: "turn-degrees" },
      h("option", { value: "90" }, "90° sang phải"), h("option", { value: "180" }, "180°"),
      h("option", { value: "270" }, "90° sang trái"));
    const other = h("input", { id: "merge-other", type: "number", min: "1", inputmode: "numeric", size: "8" });
    const moveTo = h("input", { id: "move-to", type: "number", min: "1", inputmode: "numeric", size: "4",
      placeholder: "trống: cuối" });
    const moveDoc = h("input", { id: "move-doc", type: "number", min: "1", inputmode: "numeric", size: "8",
      placeholder: "trống: văn bản này" });
    $("page-actions").replaceChildren(
      h("label", { for: "turn-degrees" }, "Xoay trang đang xem", turn),
      h("button", { type: "button", id: "rotate-page", onclick: () => correct("POST",
        `/pages/${page}/rotate`, { degrees: parseInt(turn.value, 10) }, "Đã xoay trang.") }, "Xoay"),
      h("button", { type: "button", id: "split-here", disabled: page === 0, onclick: () => correct("POST",
        "/split", { at: page }, "Đã tách thành văn bản mới.") }, `Tách từ trang ${page + 1} thành văn bản mới`),
      h("button", { type: "button", id: "delete-page", class: "danger", disabled: pages === 1, onclick: () => {
        if (window.confirm(`Xóa trang ${page + 1} khỏi văn bản? (Bản gốc vẫn giữ trang này.)`)) {
          correct("DELETE", `/pages/${page}`, undefined, "Đã xóa trang.");
        }
      } }, `Xóa trang ${page + 1}`),
      h("label", { for: "merge-other" }, "Gộp văn bản số", other),
      h("button", { type: "button", id: "merge-doc", onclick: () => {
        const id = parseInt(other.value, 10);
        if (id > 0) correct("POST", "/merge", { other: id }, `Đã gộp văn bản ${id} vào sau văn bản này.`);
        else other.focus();
      } }, "Gộp vào sau văn bản này"),
      h("label", { for: "move-to" }, "Chuyển trang này đến vị trí", moveTo),
      h("label", { for: "move-doc" }, "sang văn bản số", moveDoc),
      h("button", { type: "button", id: "move-page", onclick: () => movePage(moveTo, moveDoc) }, "Chuyển trang"));
  }

  /* Move the page shown: to a position (1-based for the clerk, 0-based for the API) in this
     document, or in another one when its number is given; no position: to the end. Range
     errors come from the API. */
  function movePage(toBox, docBox) {
    const typedTo = toBox.value.trim();
    const to = typedTo ? parseInt(typedTo, 10) : null;
    const typedDoc = docBox.value.trim();
    const target = typedDoc ? parseInt(typedDoc, 10) : null;
    if (typedDoc && !(target > 0)) { docBox.focus(); return; }
    if (typedTo && !Number.isInteger(to)) { toBox.focus(); return; }
    const elsewhere = target !== null && target !== docId;
    const pages = (doc.pages || []).length;
    const here = to === null ? pages : to;
    if (!elsewhere && here - 1 === page) {
      Intake.toast(`Trang ${page + 1} đã ở vị trí ${here}: không có gì thay đổi.`);
      return;
    }
    let done = `Đã chuyển trang ${page + 1} đến vị trí ${here}.`;
    if (elsewhere) {
      done = to === null ? `Đã chuyển trang ${page + 1} sang cuối văn bản ${target}.`
        : `Đã chuyển trang ${page + 1} sang văn bản ${target}, vị trí ${to}.`;
    }
    // Within the document the view follows the page to where it now is.
    correct("POST", `/pages/${page}/move`, { to: to === null ? null : to - 1,
      document: elsewhere ? target : null }, done, elsewhere ? undefined : here - 1);
  }

  async function correct(method, path, body, done, showAt) {
    let answer;
    try {
      answer = await api(method, `/api/documents/${docId}${path}`, body);
    } catch (err) {
      Intake.toast(err.text, true);
      return;
    }
    doc = answer.document || answer;
    imageVersion = String(Date.now());
    page = Math.min(typeof showAt === "number" ? showAt : page, Math.max(0, (doc.pages || []).length - 1));
    drawAll();
    if (answer.new_document) {
      const id = answer.new_document.id;
      Intake.toast(`${done} Văn bản mới: số ${id}.`);
      $("page-actions").append(h("a", { href: `/van-ban/${id}`, id: "new-doc-link" }, `Mở văn bản mới (số ${id})`));
    } else {
      Intake.toast(done);
    }
  }

  /* ---------- page ---------- */
  function drawAll() {
    banners();
    header();
    buildForm();
    leftText();
    history();
    showPage(page);
  }

  $("page-prev").addEventListener("click", () => showPage(page - 1));
  $("page-next").addEventListener("click", () => showPage(page + 1));
  $("zoom-in").addEventListener("click", () => setZoom(zoom + 0.25));
  $("zoom-out").addEventListener("click", () => setZoom(zoom - 0.25));
  $("fit-width").addEventListener("click", () => setZoom(1));
  confirmBtn.addEventListener("click", () => confirm(false));
  // Enter on the focused button confirms, handled here rather than left to the engine's own
  // activation (WebDriver-driven Firefox does not turn a synthesised Enter into a click).
  confirmBtn.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    e.preventDefault();
    confirm(false);
  });
  confirmAll.addEventListener("click", () => confirm(true));
  form.addEventListener("submit", (e) => e.preventDefault());

  async function load() {
    try {
      doc = Intake.initial() || await api("GET", `/api/documents/${docId}`);
    } catch (err) {
      $("doc-status").textContent = err.text;
      return;
    }
    drawAll();
    setZoom(1);
    performance.mark("intake:rendered");
    // Keyboard first: the first uncertain field, or the confirm button when none is left.
    if (!editable()) return;
    const first = pending()[0];
    if (first) stopAt(first);
    else confirmBtn.focus();
  }

  load();
})();
