/* Shared by every page: API calls, Vietnamese messages and labels, small DOM helpers. */
"use strict";

const Intake = (() => {
  // One Vietnamese message per error code of the API ({"error": {"code", "message"}}).
  const ERRORS = {
    empty_file: "Tệp rỗng (0 byte): hãy quét hoặc chọn lại tệp.",
    corrupt_file: "Tệp bị hỏng hoặc chưa tải lên hết: hãy lưu hoặc quét lại rồi tải lên.",
    encrypted_pdf: "PDF có mật khẩu mở nên không đọc được: hãy gửi bản không đặt mật khẩu.",
    no_pages: "Tệp PDF không có trang nào.",
    unsupported_type: "Loại tệp không được hỗ trợ: chỉ nhận PDF, TIFF, JPEG và PNG.",
    too_large: "Tệp quá lớn (quá nhiều trang, ảnh quá lớn hoặc quá nhiều tệp trong một lần): hãy chia nhỏ.",
    input_file: "Không đọc được tệp này.",
    tool_missing: "Máy chủ thiếu chương trình nhận dạng chữ: hãy báo quản trị hệ thống.",
    external_tool: "Lỗi khi nhận dạng tệp: hãy thử lại; nếu vẫn lỗi, báo quản trị hệ thống.",
    tool_timeout: "Xử lý tệp quá lâu nên bị dừng: hệ thống sẽ tự thử lại.",
    output: "Không ghi được kết quả trên máy chủ: hãy báo quản trị hệ thống.",
    bad_request: "Yêu cầu không hợp lệ.",
    invalid_field: "Giá trị không hợp lệ.",
    invalid_report: "Yêu cầu báo cáo không hợp lệ: hãy kiểm tra khoảng thời gian và bộ lọc.",
    not_found: "Không tìm thấy văn bản hoặc lô tải lên này.",
    unauthenticated: "Phiên làm việc đã kết thúc: hãy đăng nhập lại.",
    forbidden: "Tài khoản này không có quyền làm việc này.",
    conflict: "Thao tác không thực hiện được ở trạng thái hiện tại của văn bản.",
    signing_certificate: "Chứng thư số của cơ quan không ký được: hãy báo quản trị hệ thống kiểm tra chứng thư.",
    method_not_allowed: "Chức năng này chưa có trên máy chủ.",
    internal: "Lỗi hệ thống: hãy thử lại sau hoặc báo quản trị hệ thống.",
    network: "Mất kết nối tới máy chủ: hãy kiểm tra mạng rồi thử lại.",
  };
  // The API's English details, said in Vietnamese (validation of corrected fields, conflicts).
  const DETAILS = [
    [/is not a number and symbol/, "Số, ký hiệu không đúng dạng (ví dụ: 87/QĐ-UBND)."],
    [/is not a date/, "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."],
    [/is in the future/, "Ngày này ở tương lai: hãy kiểm tra lại."],
    [/organ_code: .* is not an agency code/, "Mã định danh không đúng dạng (ví dụ: 000.00.00.H41)."],
    [/secrecy: .* is not one of/, "Độ mật chỉ có thể là Mật, Tối mật hoặc Tuyệt mật."],
    [/urgency: .* is not one of/, "Độ khẩn chỉ có thể là Khẩn, Thượng khẩn, Hỏa tốc hoặc Hỏa tốc hẹn giờ."],
    [/longer than (\d+) characters/, "Quá dài: tối đa $1 ký tự."],
    [/still has fields to review: (.*)$/, "Còn trường cần kiểm tra: $1."],
    [/has empty required fields: ([a-z_, ]+)/, (m) => `Còn trường trống: ${m[1].split(", ").map((k) => FIELDS[k] || k)
      .join(", ")}. Nhập giá trị, hoặc chọn “Không có” nếu văn bản không có.`],
    [/: empty; a document without one is marked/,
      "Trường này đang trống: nhập giá trị, hoặc chọn “Không có” nếu văn bản không có."],
    [/only a document ready for review/, "Văn bản không còn ở trạng thái chờ kiểm tra (đã được xác nhận hoặc đang xử lý lại)."],
    [/did not fail|not failed/, "Văn bản này không ở trạng thái lỗi."],
    [/a split needs a page between/, "Chỉ tách được từ trang thứ hai trở đi."],
    [/cannot be merged with itself/, "Không thể gộp văn bản với chính nó."],
    [/only page of a document cannot be deleted/, "Không thể xóa trang duy nhất của văn bản."],
    [/has no PDF\/A to correct/, "Văn bản chưa có bản PDF/A nên chưa sửa trang được."],
    [/already starts at that page/, "Đã có văn bản bắt đầu từ trang này."],
    [/turns by 90, 180 or 270/, "Chỉ xoay được 90, 180 hoặc 270 độ."],
    // Moving a page: the API counts pages and positions from 0, the clerk from 1.
    [/position (-?\d+) is outside the document \(0-(\d+)\)/, (m) =>
      `Không có vị trí ${+m[1] + 1} trong văn bản này: chọn vị trí từ 1 đến ${+m[2] + 1}.`],
    [/position (-?\d+) is outside document (\d+) \(0-(\d+)\)/, (m) =>
      `Không có vị trí ${+m[1] + 1} trong văn bản ${m[2]}: chọn vị trí từ 1 đến ${+m[3] + 1} `
      + `(${+m[3] + 1} là cuối văn bản).`],
    [/last page of a document cannot be moved out/,
      "Không thể chuyển trang duy nhất của văn bản sang văn bản khác: hãy gộp hai văn bản."],
    [/has pages 0 to (\d+); there is no page (-?\d+)/, (m) =>
      `Văn bản chỉ có trang 1 đến ${+m[1] + 1}: không có trang ${+m[2] + 1}.`],
    [/^document (\d+) not found/, "Không tìm thấy văn bản số $1."],
    // Lowering or clearing a secrecy mark (documents/review.py): the API says it in Vietnamese.
    [/^(Hạ hoặc bỏ độ mật phải ghi lý do|Chỉ người được phép xem văn bản mật mới được hạ hoặc bỏ độ mật)\.$/,
      (m) => m[0]],
  ];

  const STATUS = {
    queued: "Đang chờ xử lý", processing: "Đang nhận dạng", ready_for_review: "Chờ kiểm tra",
    failed: "Lỗi", confirmed: "Đã xác nhận", delivered: "Đã chuyển", deleted: "Đã xóa",
    received: "Đã nhận", done: "Xong",
  };
  const URGENCY = { "HỎA TỐC HẸN GIỜ": "Hỏa tốc hẹn giờ", "HỎA TỐC": "Hỏa tốc", "THƯỢNG KHẨN": "Thượng khẩn",
    "KHẨN": "Khẩn" };
  const SECRECY = { "MẬT": "Mật", "TỐI MẬT": "Tối mật", "TUYỆT MẬT": "Tuyệt mật" };
  const FIELDS = {
    number: "Số, ký hiệu", code_number: "Số", code_notation: "Ký hiệu", issued_date: "Ngày ban hành",
    place: "Địa danh", organ_name: "Cơ quan ban hành", parent_organ: "Cơ quan chủ quản",
    organ_code: "Mã định danh cơ quan ban hành", registry_status: "Phản hồi",
    type_name: "Loại văn bản", subject: "Trích yếu", signer: "Người ký",
    "signer.competence": "Thẩm quyền ký", "signer.position": "Chức vụ người ký",
    "signer.full_name": "Họ tên người ký", to_places: "Nơi nhận", secrecy: "Độ mật",
    urgency: "Độ khẩn", arrival_stamp: "Dấu công văn đến", paper_arrived_on: "Ngày nhận bản giấy",
  };
  const TYPES = ["Quyết định", "Công văn", "Nghị quyết", "Chỉ thị", "Quy chế", "Quy định",
    "Thông báo", "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án",
    "Báo cáo", "Biên bản", "Tờ trình", "Hợp đồng", "Công điện", "Giấy mời", "Giấy giới thiệu",
    "Nghị định", "Thông tư", "Luật"];

  class ApiError extends Error {
    constructor(code, message, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
    get text() { return errorText(this.code, this.message); }
  }

  function errorText(code, message) {
    for (const [re, vi] of DETAILS) {
      const m = (message || "").match(re);
      if (m) return typeof vi === "function" ? vi(m) : vi.replace("$1", m[1] || "");
    }
    return ERRORS[code] || ERRORS.internal;
  }

  /* Who works is the session (its HttpOnly cookie); a request that changes something also carries
     the session's CSRF token, which the server wrote into the page. */
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function headers(extra, method) {
    const out = Object.assign({ Accept: "application/json" }, extra || {});
    if (method && !/^(GET|HEAD|OPTIONS)$/i.test(method)) out["X-CSRF-Token"] = csrfToken();
    return out;
  }

  /* The session ended (or the password must be changed first): to the page that says so,
     coming back here afterwards. */
  function refused(status, err) {
    if (status === 401) {
      const next = location.pathname + location.search;
      location.assign(`/dang-nhap?${new URLSearchParams({ next })}`);
      return true;
    }
    if (status === 403 && err && err.details && err.details.reason === "password_change") {
      location.assign("/doi-mat-khau");
      return true;
    }
    return false;
  }

  async function api(method, url, body) {
    const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}, method) };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      throw new ApiError("network", String(e), 0);
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const err = (data && data.error) || {};
      refused(response.status, err);
      throw new ApiError(err.code || "internal", err.message || response.statusText, response.status);
    }
    return data;
  }

  /* h("a", {href: "/x", class: "y"}, "text", child...) — never innerHTML with data. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k in el && typeof v !== "string") el[k] = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // Same folding as the server (documents.search.fold): marks removed, đ -> d, lower case.
  function foldChar(c) {
    return c.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
      .toLowerCase();
  }
  function fold(s) { return Array.from(s || "").map(foldChar).join(""); }

  /* The text with every word of the query marked, diacritics optional (positions kept). */
  function highlight(text, query) {
    const frag = document.createDocumentFragment();
    const chars = Array.from(text || "");
    const folded = chars.map((c) => { const f = foldChar(c); return f.length === 1 ? f : c.toLowerCase(); });
    const flat = folded.join("");
    const words = fold(query).split(/\s+/).filter((w) => w.length > 0);
    const hit = new Array(chars.length).fill(false);
    for (const w of words) {
      let at = flat.indexOf(w);
      while (at >= 0) {
        for (let i = at; i < at + w.length && i < hit.length; i++) hit[i] = true;
        at = flat.indexOf(w, at + w.length);
      }
    }
    let i = 0;
    while (i < chars.length) {
      let j = i;
      while (j < chars.length && hit[j] === hit[i]) j++;
      const piece = chars.slice(i, j).join("");
      frag.append(hit[i] ? h("mark", {}, piece) : document.createTextNode(piece));
      i = j;
    }
    return frag;
  }

  function pad(n) { return String(n).padStart(2, "0"); }
  function fmtDate(iso) {
    if (!iso) return "";
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
  }
  /* A time of the API (ISO 8601, UTC when it names no offset) as dd/mm/yyyy hh:mm in Vietnam time
     (Asia/Ho_Chi_Minh, UTC+7 all year, no daylight saving), whatever the browser's own zone. */
  const VN_OFFSET_MS = 7 * 3600 * 1000;
  function instant(iso) {
    const text = String(iso);
    return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes("T") ? text : `${text}Z`);
  }
  function fmtDateTime(iso) {
    if (!iso) return "";
    const t = instant(iso);
    if (isNaN(t)) return iso;
    const d = new Date(t.getTime() + VN_OFFSET_MS);
    return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }
  /* dd/mm/yyyy (or d/m/yyyy, or ISO) -> YYYY-MM-DD; "" -> null; anything else as typed. */
  function isoDate(text) {
    const t = (text || "").trim();
    if (!t) return null;
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
    return m ? `${m[3]}-${pad(m[2])}-${pad(m[1])}` : t;
  }
  function age(iso) {
    if (!iso) return "";
    const minutes = Math.max(0, (Date.now() - instant(iso).getTime()) / 60000);
    if (minutes < 1) return "vừa xong";
    if (minutes < 60) return `${Math.floor(minutes)} phút`;
    if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} giờ`;
    return `${Math.floor(minutes / 1440)} ngày`;
  }
  function bytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    return `${(n / 1048576).toFixed(1).replace(".", ",")} MB`;
  }
  function code(doc) {
    if (!doc.number) return "";
    return doc.notation ? `${doc.number}/${doc.notation}` : doc.number;
  }
  function actor(a) {
    if (!a) return "";
    if (a.startsWith("user:")) {
      try { return decodeURIComponent(a.slice(5)); } catch (e) { return a.slice(5); }
    }
    if (a.startsWith("system")) return "Hệ thống";
    return a;
  }

  /* How a restricted document is named (the API's `restricted` and `secrecy_level`): its mark from
     level 2 (MẬT) up; at level 1 "Chưa rõ độ mật" (a mark not read with certainty, or no mark
     without proof, until a person decides); "" when it is not restricted. */
  function secrecyText(doc) {
    if (!doc.restricted) return "";
    if (doc.secrecy_level >= 2) return SECRECY[doc.secrecy] || doc.secrecy || "Mật";
    return "Chưa rõ độ mật";
  }

  /* Badges of a document: urgency, restriction (secrecy), possible duplicate. */
  function badges(doc) {
    const out = [];
    if (doc.urgency) out.push(h("span", { class: "badge urgent" }, URGENCY[doc.urgency] || doc.urgency));
    const secret = secrecyText(doc);
    if (secret) {
      const sure = doc.secrecy_level >= 2;
      const why = doc.secrecy ? `Dấu độ mật đọc chưa chắc chắn: “${doc.secrecy}”`
        : "Chưa chắc văn bản không có dấu độ mật: chỉ người có thẩm quyền được xem cho đến khi được kiểm tra";
      out.push(h("span", { class: sure ? "badge secret" : "badge secret unsure", title: sure ? null : why }, secret));
    }
    if (doc.possible_duplicate_of) {
      out.push(h("span", { class: "badge dup", title: `Có thể trùng với văn bản số ${doc.possible_duplicate_of}` },
        "Có thể trùng"));
    }
    return out;
  }

  /* The data the server wrote into the page (what the script would fetch first), once. */
  let initialTaken = false;
  function initial() {
    const el = document.getElementById("initial-data");
    if (initialTaken || !el) return null;
    initialTaken = true;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  let toastTimer = null;
  function toast(message, bad) {
    const el = document.getElementById("toast");
    el.textContent = message;
    el.className = "toast show" + (bad ? " bad" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { el.className = "toast"; }, bad ? 7000 : 3500);
  }

  return {
    ApiError, ERRORS, STATUS, URGENCY, SECRECY, FIELDS, TYPES, api, h, fold, highlight, errorText,
    fmtDate, fmtDateTime, isoDate, age, bytes, code, actor, badges, secrecyText, toast, headers, refused, initial,
  };
})();
