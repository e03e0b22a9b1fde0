/* 创业政策计算器: the screener page. It asks the server for the questions (derived from the rulebook),
 * sends the answers as a profile to POST ui/evaluate, and shows what comes back. It decides nothing and
 * formats no money itself: statuses, amounts and totals arrive as words from the library. */
"use strict";

const UI = {
  zh: {
    title: "创业政策计算器",
    subtitle: "回答几个问题，查看您可以享受的创业扶持政策、金额和办理部门",
    step1: "城市和申请人类型", step2: "您的情况",
    city: "所在城市", as_of: "评估日期", kind: "您是", as_of_hint: "按这一天有效的政策计算，默认今天",
    step2_hint: "只列出该城市政策条件用到的问题。不清楚的可以不填：结果会告诉您还需要补充什么。",
    go: "查看可享受的政策", placeholder: "选择城市和申请人类型，回答问题后点击“查看可享受的政策”。",
    footer: "依据各市公开的政策文件整理，结果仅供参考，以主管部门审核为准。", api: "HTTP API 文档", lists: "名单批量评估（政策找人）",
    lang_button: "English",
    yes: "是", no: "否", unsure: "不清楚", none_of_these: "以上都不是", choose: "不清楚 / 未选择", other: "其他",
    multi_hint: "可多选；都不选表示不清楚",
    conditions: "相关条件", used_by: "关系到", for_amount: "用于计算金额", benefits_n: (shown, n) => `${shown}等${n}项待遇`,
    group_key: "最关键的问题", group_who: "身份与认定", group_facts: "基本情况（是/否）", group_dates: "日期",
    group_figures: "人数与金额", group_choices: "其他选择", group_history: "已享受过的待遇（可选）",
    answered: (a, n) => `已回答 ${a}/${n} 题`,
    in_force: "有效期", draft: "征求意见稿", doc_no_end: "未规定截止日期",
    out_of_force: (from, to) => `评估日期不在该文件有效期（${from} 至 ${to}）内，所有待遇都会显示为已过期或尚未生效。`,
    use_date: (d) => `改为 ${d} 评估`,
    loading: "正在计算…", error: "无法计算，请检查以下信息：",
    fix_answers: (n) => `有 ${n} 个回答需要更正，见标红的问题；下面是更正前的结果。`, network: "无法连接服务器，请稍后再试。",
    eligible: "符合条件", excluded: "不可同时享受", needs_info: "需补充信息", not_eligible: "不符合条件",
    other_kind: "面向其他类型申请人的待遇", expired: "已过期或尚未生效", already_received: "已享受（一次性待遇不再重复给予）",
    next_q: "下一步请回答：", next_unlocks: (n) => `（${n}项待遇在等这个答案）`, answer: "去回答",
    still_needed: "还需：", why_not: "原因：", where: "去哪办：", content: "内容：", amount: "金额：",
    totals_note: "合计只含补贴、奖励和贴息；贷款额度、投资和场地等不计入。",
    more: "条款原文、办理部门和判断依据", reasons: "判断依据",
    none_eligible: "暂无符合条件的待遇。", totals_title: "金额合计",
    result_for: (who, date) => `${who} · 评估日期 ${date}`,
    kinds_hint: "先选择城市", no_questions: "该类型申请人的待遇没有附加条件，直接查看结果即可。",
    answer_this: "请回答这一题", money_unit: "元", invalid_number: "请填写数字",
  },
  en: {
    title: "Entrepreneurship benefits screener",
    subtitle: "Answer a few questions to see the startup benefits you can get, how much, and where to apply",
    step1: "City and kind of applicant", step2: "Your situation",
    city: "City", as_of: "Evaluation date", kind: "You are", as_of_hint: "the rules in force on this day; default today",
    step2_hint: "Only the questions that this city's conditions use. Leave out what you do not know: the results say what is still needed.",
    go: "Show my benefits", placeholder: "Choose a city and kind of applicant, answer the questions, then press “Show my benefits”.",
    footer: "Based on the cities' published policy documents; for reference only — the departments decide.", api: "HTTP API docs", lists: "Evaluate a whole list",
    lang_button: "中文",
    yes: "yes", no: "no", unsure: "not sure", none_of_these: "none of these", choose: "not sure / not chosen", other: "other",
    multi_hint: "tick all that apply; none ticked means not sure",
    conditions: "conditions", used_by: "used by", for_amount: "used for the amount", benefits_n: (shown, n) => `${shown} and ${n - 1} more`,
    group_key: "The questions that decide the most", group_who: "Identities and recognitions",
    group_facts: "Your situation (yes/no)", group_dates: "Dates", group_figures: "Numbers and amounts",
    group_choices: "Other choices", group_history: "Benefits already received (optional)",
    answered: (a, n) => `${a} of ${n} answered`,
    in_force: "in force", draft: "draft for comments", doc_no_end: "no end date",
    out_of_force: (from, to) => `The evaluation date is outside the document's validity (${from} to ${to}): every benefit will show as expired or not yet in force.`,
    use_date: (d) => `Evaluate on ${d}`,
    loading: "Working…", error: "Could not evaluate. Please check:",
    fix_answers: (n) => `${n} answer(s) need correcting: see the questions marked in red; the results below are from before.`, network: "Cannot reach the server; please try again.",
    eligible: "Eligible", excluded: "Cannot be combined", needs_info: "Needs more information", not_eligible: "Not eligible",
    other_kind: "Benefits for other kinds of applicant", expired: "Expired or not yet in force",
    already_received: "Already received (one-off benefits are not given again)",
    next_q: "Answer next: ", next_unlocks: (n) => ` (${n} benefits wait for this answer)`, answer: "Answer",
    still_needed: "Still needed: ", why_not: "Why not: ", where: "Where to apply: ", content: "What: ", amount: "Amount: ",
    totals_note: "Totals add subsidies, awards and interest subsidies only; loan limits, investment and space are not added.",
    more: "Clause, quote, departments and reasoning", reasons: "Reasoning",
    none_eligible: "No benefit qualifies yet.", totals_title: "Totals",
    result_for: (who, date) => `${who} · evaluated on ${date}`,
    kinds_hint: "Choose a city first", no_questions: "The benefits for this kind of applicant have no further conditions.",
    answer_this: "Please answer this", money_unit: "yuan", invalid_number: "Please enter a number",
  },
};

const state = {
  lang: "zh",
  rulebooks: [],
  city: null,
  kind: null,
  questions: [],
  answers: {},        // field -> value; kept across city, kind and language changes
  evaluated: false,
  seq: 0,
  timer: null,
};

const t = (key, ...args) => { const v = UI[state.lang][key]; return typeof v === "function" ? v(...args) : v; };

/* Build DOM without innerHTML: text from rulebooks is always set as text. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) { const err = new Error((data && data.detail) || res.statusText); err.data = data; throw err; }
  return data;
}

/* ------------------------------------------------------------------ step 1: city, date, kind */

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function book() { return state.rulebooks.find((b) => b.city === state.city) || null; }

function renderCities() {
  const sel = $("#city");
  sel.replaceChildren(...state.rulebooks.map((b) => {
    const name = state.lang === "zh" ? b.city_zh : b.city_en;
    const to = b.document.in_force_to || "…";
    return h("option", {value: b.city, selected: b.city === state.city},
      `${name}（${b.document.in_force_from.slice(0, 4)}–${to.slice(0, 4)}${b.document.draft ? "，" + t("draft") : ""}）`);
  }));
}

function renderDoc() {
  const b = book();
  const box = $("#doc");
  if (!b) { box.replaceChildren(); return; }
  const d = b.document;
  box.replaceChildren(
    h("div", {class: "doc-title"}, d.title, d.number ? `（${d.number}）` : ""),
    h("div", {class: "doc-meta"},
      `${d.issuer} · ${t("in_force")} ${d.in_force_from} ~ ${d.in_force_to || t("doc_no_end")}`,
      d.draft ? h("span", {class: "badge warn"}, t("draft")) : null),
  );
  renderValidity();
}

function renderValidity() {
  const b = book();
  const box = $("#validity");
  const asOf = $("#as-of").value;
  if (!b || !asOf) { box.hidden = true; return; }
  const from = b.document.in_force_from, to = b.document.in_force_to;
  const outside = asOf < from || (to && asOf > to);
  box.hidden = !outside;
  if (!outside) return;
  const target = asOf < from ? from : to;
  box.replaceChildren(
    h("span", {}, t("out_of_force", from, to || t("doc_no_end"))), " ",
    h("button", {type: "button", class: "link", id: "use-date", onclick: () => {
      $("#as-of").value = target; renderValidity(); changed();
    }}, t("use_date", target)),
  );
}

function renderKinds() {
  const b = book();
  const box = $("#kinds");
  if (!b) { box.replaceChildren(h("span", {class: "hint"}, t("kinds_hint"))); return; }
  if (!b.applicant_kinds.some((k) => k.value === state.kind)) state.kind = null;
  box.replaceChildren(...b.applicant_kinds.map((k) => h("label", {class: "chip"},
    h("input", {type: "radio", name: "kind", value: k.value, checked: k.value === state.kind,
      onchange: () => { state.kind = k.value; loadQuestions(); }}),
    h("span", {}, k.label))));
}

/* ------------------------------------------------------------------ step 2: the questions */

async function loadQuestions() {
  if (!state.city || !state.kind) {
    $("#step2").hidden = true;
    if (state.evaluated) {  // the shown results were for another city or kind of applicant
      state.evaluated = false;
      state.seq++;
      const box = $("#results");
      box.dataset.state = "idle";
      box.replaceChildren(h("p", {class: "placeholder"}, t("placeholder")));
    }
    return;
  }
  const data = await api(`rulebooks/${encodeURIComponent(state.city)}/questions?kind=${encodeURIComponent(state.kind)}&lang=${state.lang}`);
  state.questions = data.questions;
  renderQuestions();
  $("#step2").hidden = false;
  if (state.evaluated) schedule();
}

function renderQuestions() {
  const form = $("#questions");
  if (!state.questions.length) {
    form.replaceChildren(h("p", {class: "hint"}, t("no_questions")));
  } else {
    const parts = [];
    let group = null;
    for (const q of state.questions) {
      if (q.group !== group) {
        group = q.group;
        parts.push(h("h3", {class: "q-group", dataset: {group}}, t(`group_${group}`)));
      }
      parts.push(renderQuestion(q));
    }
    form.replaceChildren(...parts);
  }
  updateProgress();
}

// one short line: the first condition that tests the fact, and how many benefits it decides (the names in
// the tooltip)
function why(q) {
  const names = q.benefits.map((b) => b.name);
  const zh = state.lang === "zh";
  const used = names.length > 1 ? t("benefits_n", names[0], names.length) : (names[0] || "");
  const parts = [];
  const colon = zh ? "：" : ": ";
  if (q.conditions.length) {
    const more = q.conditions.length > 1 || q.more_conditions;
    parts.push(`${t("conditions")}${colon}${q.conditions[0]}${more ? (zh ? "等" : "…") : ""}`);
  }
  parts.push(`${t("used_by")}${colon}${used}`);
  return parts.join(zh ? "　" : " · ");
}

function renderQuestion(q) {
  const id = `q-${q.field}`;
  const value = state.answers[q.field];
  let input;
  if (q.type === "bool") {
    const opt = (v, text) => h("label", {class: "seg"},
      h("input", {type: "radio", name: id, value: v, checked: String(value ?? "") === v,
        onchange: () => answer(q.field, v === "" ? undefined : v === "true")}),
      h("span", {}, text));
    input = h("div", {class: "segs", role: "radiogroup"}, opt("true", t("yes")), opt("false", t("no")), opt("", t("unsure")));
  } else if (q.type === "set_of") {
    const chosen = Array.isArray(value) ? value : null;
    const boxes = q.options.map((o) => h("label", {class: "chip"},
      h("input", {type: "checkbox", name: id, value: o.value, checked: !!(chosen && chosen.includes(o.value)),
        onchange: () => setOf(q)}),
      h("span", {}, o.label)));
    boxes.push(h("label", {class: "chip none"},
      h("input", {type: "checkbox", name: id, value: "__none__", checked: !!(chosen && chosen.length === 0),
        onchange: (e) => setOf(q, e.target)}),
      h("span", {}, t("none_of_these"))));
    input = h("div", {class: "chips"}, boxes);
  } else if (q.type === "one_of" || (q.type === "text" && q.options.length)) {
    const opts = [h("option", {value: ""}, t("choose"))];
    for (const o of q.options) opts.push(h("option", {value: o.value, selected: value === o.value}, o.label));
    if (q.other) opts.push(h("option", {value: q.other.value, selected: value === q.other.value}, q.other.label));
    input = h("select", {id, name: id, onchange: (e) => answer(q.field, e.target.value || undefined)}, opts);
  } else if (q.type === "date") {
    input = h("input", {id, name: id, type: "date", min: "1900-01-01", max: "2100-12-31", value: value || "",
      onchange: (e) => answer(q.field, e.target.value || undefined)});
  } else if (q.type === "int" || q.type === "money" || q.type === "number") {
    const field = h("input", {id, name: id, type: "text", value: value ?? "", autocomplete: "off",
      inputmode: q.type === "int" ? "numeric" : "decimal",
      pattern: q.type === "int" ? "[0-9]*" : "[0-9]*[.]?[0-9]*",
      oninput: (e) => numberAnswer(q, e.target)});
    input = h("div", {class: "with-unit"}, field, q.unit ? h("span", {class: "unit"}, q.unit) : null);
  } else {
    input = h("input", {id, name: id, type: "text", value: value || "",
      oninput: (e) => answer(q.field, e.target.value.trim() || undefined)});
  }
  const labelFor = ["bool", "set_of"].includes(q.type) ? null : id;
  return h("div", {class: "q", id: `question-${q.field}`, dataset: {field: q.field, type: q.type}},
    h(labelFor ? "label" : "div", {class: "q-label", for: labelFor}, q.label,
      q.for_amount ? h("span", {class: "badge"}, t("for_amount")) : null),
    input,
    q.type === "set_of" ? h("div", {class: "q-why"}, t("multi_hint")) : null,
    h("div", {class: "q-why", title: q.benefits.map((b) => b.name).join(state.lang === "zh" ? "、" : ", ")}, why(q)));
}

function answer(field, value) {
  if (value === undefined) delete state.answers[field];
  else state.answers[field] = value;
  updateProgress();
  changed();
}

function setOf(q, clicked) {
  const boxes = [...document.querySelectorAll(`input[name="q-${q.field}"]`)];
  const none = boxes.find((b) => b.value === "__none__");
  if (clicked === none && none.checked) boxes.forEach((b) => { if (b !== none) b.checked = false; });
  else if (boxes.some((b) => b !== none && b.checked)) none.checked = false;
  const chosen = boxes.filter((b) => b.checked && b !== none).map((b) => b.value);
  answer(q.field, none.checked ? [] : (chosen.length ? chosen : undefined));
}

function numberAnswer(q, input) {
  const text = input.value.trim().replace(/[,，\s]/g, "");
  const ok = text === "" || (q.type === "int" ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text);
  input.setCustomValidity(ok ? "" : t("invalid_number"));
  input.classList.toggle("invalid", !ok);
  if (!ok) return;
  answer(q.field, text === "" ? undefined : (q.type === "int" ? Number(text) : text));
}

function updateProgress() {
  const n = state.questions.length;
  const a = state.questions.filter((q) => q.field in state.answers).length;
  $("#progress").textContent = n ? t("answered", a, n) : "";
}

function profile() {
  const p = {city: state.city, kind: state.kind};
  for (const q of state.questions) if (q.field in state.answers) p[q.field] = state.answers[q.field];
  return p;
}

/* ------------------------------------------------------------------ results */

function changed() { if (state.evaluated) schedule(); }

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(evaluateNow, 350);
}

async function evaluateNow() {
  if (!state.city || !state.kind) return;
  clearTimeout(state.timer);
  const seq = ++state.seq;
  const box = $("#results");
  box.dataset.state = "loading";
  box.setAttribute("aria-busy", "true");
  if (!state.evaluated) box.replaceChildren(h("p", {class: "placeholder"}, t("loading")));
  state.evaluated = true;
  try {
    const data = await api("ui/evaluate", {profile: profile(), city: state.city, as_of: $("#as-of").value || null,
                                          lang: state.lang});
    if (seq !== state.seq) return;  // a newer answer is already on its way
    clearAnswerProblems();
    renderResults(data);
    box.dataset.lang = state.lang;
    box.dataset.state = "done";
  } catch (err) {
    if (seq !== state.seq) return;
    renderError(err);
    box.dataset.state = "error";
  } finally {
    if (seq === state.seq) box.removeAttribute("aria-busy");
  }
}

function clearAnswerProblems() {
  document.querySelectorAll(".q-error, #answer-problems").forEach((e) => e.remove());
  document.querySelectorAll(".q.invalid-answer").forEach((e) => e.classList.remove("invalid-answer"));
}

// a problem with one answer is shown at its question (in the question's words, not the field's internal
// name), and the results of the last valid answers stay; only what belongs to no question replaces them
function renderError(err) {
  const problems = (err.data && err.data.problems) || [];
  clearAnswerProblems();
  const rest = [];
  for (const p of problems) {
    const field = (p.field || "").replace(/^profile\./, "");
    const q = state.questions.find((x) => x.field === field);
    const el = q && document.getElementById(`question-${field}`);
    if (!el) { rest.push(p); continue; }
    const text = p.message.split(`${field}（${q.label_zh}）`).join(q.label).split(field).join(q.label);
    el.classList.add("invalid-answer");
    el.append(h("div", {class: "q-error", role: "alert"}, text, p.hint ? `（${p.hint}）` : ""));
  }
  const placed = problems.length - rest.length;
  if (placed && !rest.length && $("#results article.benefit")) {
    $("#results").prepend(h("div", {class: "notice bad", id: "answer-problems", role: "alert"}, t("fix_answers", placed)));
    return;
  }
  $("#results").replaceChildren(h("div", {class: "notice bad", id: "answer-problems"},
    h("p", {}, placed ? t("fix_answers", placed) : (err.data ? t("error") : t("network"))),
    rest.length ? h("ul", {}, rest.map((p) => h("li", {}, p.message, p.hint ? `（${p.hint}）` : ""))) : null));
}

const GROUPS = ["eligible", "excluded", "needs_info"];

function renderResults(data) {
  const box = $("#results");
  const ev = data.evaluation;
  WORDS = data.display.words || {};
  const parts = [];
  ev.cities.forEach((city, i) => parts.push(renderCity(city, data.display.cities[i], ev)));
  box.replaceChildren(...parts);
}

function renderCity(city, disp, ev) {
  const by = {eligible: [], excluded: [], needs_info: [], already_received: [], not_eligible: [], other_kind: [],
              expired: []};
  const byId = Object.fromEntries(city.benefits.map((b) => [b.id, b]));
  for (const id of disp.order) {
    const b = byId[id];
    const d = disp.benefits[b.id];
    if (b.status === "not_eligible" && d.other_kind) by.other_kind.push(b);
    else if (b.status === "expired" || b.status === "not_yet_in_force") by.expired.push(b);
    else by[b.status].push(b);
  }
  const out = [
    h("header", {class: "r-head"},
      h("h2", {}, disp.title),
      h("div", {class: "r-meta"}, t("result_for", kindLabel(), ev.as_of))),
  ];
  if (disp.draft) out.push(h("div", {class: "notice warn draft", role: "note"}, "⚠ ", disp.draft_note));
  if (disp.validity_note) out.push(h("div", {class: "notice warn"}, disp.validity_note));
  const tot = disp.totals;
  out.push(h("div", {class: "totals", id: "totals", title: tot.summary},
    h("div", {class: "total"}, h("span", {class: "k"}, tot.exact_label), h("strong", {}, tot.exact)),
    h("div", {class: "total"}, h("span", {class: "k"}, tot.up_to_label), h("strong", {}, tot.up_to)),
    tot.unquantified_text ? h("div", {class: "total small"}, tot.unquantified_text) : null,
    h("div", {class: "total-note"}, t("totals_note"))));

  for (const g of GROUPS) {
    if (!by[g].length && g !== "eligible") continue;
    const sec = h("section", {class: `group g-${g}`, dataset: {group: g}},
      h("h3", {}, `${t(g)}${count(by[g].length)}`));
    if (g === "eligible" && !by[g].length) sec.append(h("p", {class: "hint"}, t("none_eligible")));
    if (g === "needs_info" && disp.next_question) sec.append(nextQuestion(disp.next_question));
    by[g].forEach((b) => sec.append(card(b, disp.benefits[b.id])));
    out.push(sec);
  }
  for (const g of ["already_received", "not_eligible", "other_kind", "expired"]) {
    if (!by[g].length) continue;
    out.push(h("details", {class: `group g-${g}`, dataset: {group: g}},
      h("summary", {}, `${t(g)}${count(by[g].length)}`),
      by[g].map((b) => card(b, disp.benefits[b.id]))));
  }
  return h("div", {class: "city", dataset: {city: city.city}}, out);
}

function count(n) { return state.lang === "zh" ? `（${n}）` : ` (${n})`; }

function kindLabel() {
  const b = book();
  const k = b && b.applicant_kinds.find((x) => x.value === state.kind);
  return k ? k.label : "";
}

function questionLabel(field) {
  const q = state.questions.find((x) => x.field === field);
  return q ? q.label : field;
}

function goTo(field) {
  const el = document.getElementById(`question-${field}`);
  if (!el) return;
  document.querySelectorAll(".q.focus").forEach((x) => x.classList.remove("focus"));
  el.classList.add("focus");
  el.scrollIntoView({behavior: "smooth", block: "center"});
  const input = el.querySelector("input, select");
  if (input) input.focus({preventScroll: true});
}

function nextQuestion(nq) {
  return h("div", {class: "next", id: "next-question", dataset: {field: nq.field}},
    h("span", {}, t("next_q")), h("strong", {}, questionLabel(nq.field)),
    h("span", {class: "hint"}, t("next_unlocks", nq.benefits)), " ",
    h("button", {type: "button", class: "small", onclick: () => goTo(nq.field)}, t("answer")));
}

function card(b, d) {
  const zh = state.lang === "zh";
  const colon = zh ? "：" : ": ";
  const figure = ["exact", "up_to", "range"].includes(d.amount_kind) ||
                 (d.amount_kind === "formula" && b.amount.max !== null);
  const showPeriod = !["not_stated", "in_kind"].includes(d.amount_kind);
  const meta = [d.category, showPeriod ? d.period : null, b.clause].filter(Boolean).join(" · ");
  const el = h("article", {class: `benefit s-${b.status}`, dataset: {id: b.id, status: b.status}},
    h("div", {class: "b-head"},
      h("h4", {class: "b-name"}, zh ? b.name : b.name_en),
      figure ? h("span", {class: d.amount_kind === "formula" ? "b-amount long" : "b-amount"}, d.amount) : null),
    !figure ? h("p", {class: "b-content"}, h("span", {class: "k"}, d.amount_kind === "in_kind" ? t("content") : t("amount")),
                h("span", {class: "b-amount-text"}, d.amount_kind === "in_kind" ? b.amount.description : d.amount)) : null,
    d.parts.length ? h("ul", {class: "parts"}, d.parts.map((p) => h("li", {}, `${p.label}：${p.amount}`))) : null,
    h("p", {class: "b-meta"}, meta, b.period_note ? ` · ${b.period_note}` : ""),
    b.lead_departments.length ? h("p", {class: "b-dept"}, h("span", {class: "k"}, t("where")), (b.lead_departments_text || b.lead_departments).join(state.lang === "en" ? ", " : "、")) : null);
  if (b.status === "excluded" && b.exclusion_note) el.append(h("p", {class: "b-note"}, b.exclusion_note));
  if (d.expired_on) el.append(h("p", {class: "b-note"}, d.expired_on));
  if (d.missing.length) {
    el.append(h("p", {class: "b-missing"}, h("span", {class: "k"}, t("still_needed")),
      d.missing.map((m, i) => [i ? (zh ? "、" : ", ") : "",
        m.question ? h("button", {type: "button", class: "link", onclick: () => goTo(m.name), dataset: {field: m.name}}, m.label)
                   : h("span", {}, m.label)])));
  }
  if (d.failed.length && !d.other_kind) {
    el.append(h("p", {class: "b-why"}, h("span", {class: "k"}, t("why_not")), d.failed.join(zh ? "；" : "; ")));
  }
  const more = h("details", {class: "b-more"}, h("summary", {}, t("more")),
    h("p", {}, h("span", {class: "k"}, `${wordsOf("clause")}${colon}`), b.clause),
    h("blockquote", {class: "quote"}, b.quote.join("……")),
    b.lead_departments.length ? h("p", {}, h("span", {class: "k"}, `${wordsOf("lead")}${colon}`), (b.lead_departments_text || b.lead_departments).join(state.lang === "en" ? ", " : "、")) : null,
    b.cooperating_departments.length ? h("p", {}, h("span", {class: "k"}, `${wordsOf("cooperating")}${colon}`), (b.cooperating_departments_text || b.cooperating_departments).join(state.lang === "en" ? ", " : "、")) : null,
    b.notes ? h("p", {}, h("span", {class: "k"}, `${wordsOf("notes")}${colon}`), b.notes) : null,
    h("p", {class: "k"}, `${wordsOf("reasons")}${colon}`),
    h("ul", {class: "reasons"}, b.reasons.map((r) => h("li", {class: `r-${r.result === null ? "unknown" : r.result}`,
      dataset: {depth: String(Math.min(r.depth, 4))}},
      h("span", {class: "mark"}, r.result === true ? "✓" : r.result === false ? "✗" : "?"), " ", r.text,
      r.value !== null ? h("span", {class: "hint"}, zh ? `（您的情况：${r.value}）` : ` (yours: ${r.value})`) : ""))));
  el.append(more);
  return el;
}

// the section words of the CLI (条款, 原文, 牵头单位…) come with each evaluation
let WORDS = {};
function wordsOf(key) { return WORDS[key] || key; }

/* ------------------------------------------------------------------ start */

async function loadRulebooks() {
  state.rulebooks = await api(`rulebooks?lang=${state.lang}`);
  if (!state.city && state.rulebooks.length) {
    // prefer a document in force today
    const d = $("#as-of").value;
    const inForce = state.rulebooks.find((b) => b.document.in_force_from <= d && (!b.document.in_force_to || d <= b.document.in_force_to));
    state.city = (inForce || state.rulebooks[0]).city;
  }
  renderCities();
  renderDoc();
  renderKinds();
}

async function setLang(lang) {
  state.lang = lang;
  rememberLang(lang);
  applyStaticTexts(state.lang, t);
  await loadRulebooks();
  await loadQuestions();
  if (state.evaluated) await evaluateNow();
}

async function start() {
  const params = new URLSearchParams(location.search);
  state.lang = chosenLang();
  state.city = params.get("city");
  state.kind = params.get("kind");
  $("#as-of").value = params.get("as_of") || today();
  applyStaticTexts(state.lang, t);
  $("#lang").addEventListener("click", () => setLang(state.lang === "zh" ? "en" : "zh"));
  $("#city").addEventListener("change", (e) => {
    state.city = e.target.value; renderDoc(); renderKinds(); loadQuestions();
  });
  $("#as-of").addEventListener("change", () => { renderValidity(); changed(); });
  $("#go").addEventListener("click", async () => {
    await evaluateNow();
    if (window.matchMedia("(max-width: 899px)").matches) $("#results").scrollIntoView({behavior: "smooth"});
  });
  try {
    await loadRulebooks();
    await loadQuestions();
  } catch (err) {
    renderError(err);
  }
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
