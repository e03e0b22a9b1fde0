/* 名单批量评估: upload a list, watch its progress, download the outputs (the same run as `chuangye batch --report`).
   Everything goes to this server only; the page loads nothing from elsewhere. Its words follow the screener's
   language switch (app.js): the same UI/t() pattern and the same remembered choice, so the two pages agree. */
"use strict";

const UI = {
  zh: {
    title: "名单批量评估（政策找人）",
    subtitle: "上传一份申请人名单，找出名单中每个人可以享受的创业扶持政策，下载结果和预算报告",
    single: "单人政策计算器", lang_button: "English",
    step1: "选择名单", file: "名单文件（CSV 或 Excel .xlsx）",
    file_hint: "表头用中文或英文字段名均可；UTF-8 或 GB18030（GBK）编码均可。名单只在本机处理，结果下载后即从服务器删除，最迟一小时后删除。",
    city: "城市（可选）", city_from_list: "按名单中的“城市”列", city_option: (name, slug) => `${name}（${slug}）`,
    as_of: "评估日期", go: "开始评估",
    placeholder: "选择名单后点击“开始评估”：这里显示进度，完成后可以下载结果。",
    footer: "结果与命令行 chuangye batch --report 相同：results、applicants、errors、summary.json、report.md 和 report.html。",
    api: "HTTP API 文档",
    no_file: "请先选择名单文件", failed: "出错了，请重试", not_done: "没有完成评估。",
    with_hint: (message, hint) => `${message}（${hint}）`,
    uploading: (name, kb) => `正在上传 ${name}（${kb} KB）…`,
    running: (read, rejected, seconds) => `评估中：已处理 ${read} 行（拒绝 ${rejected}），用时 ${seconds} 秒`,
    done: (name) => `${name}：评估完成`,
    summary: (s) => `评估日期 ${s.as_of}，读取 ${s.read} 行 = 评估 ${s.evaluated} 行 + 拒绝 ${s.rejected} 行；结果 ${s.result_rows} 行`
      + (s.duplicate_ids ? `；${s.duplicate_ids} 行编号重复` : ""),
    files: (files) => `文件：${files.join("、")}。被拒绝的行及原因在 errors.csv 中。`,
    download: "下载结果（zip）",
    once: "只能下载一次：下载后服务器上的文件即被删除（最迟一小时后删除）。",
    downloaded: "结果已下载，服务器上的文件已删除。",
  },
  en: {
    title: "Evaluate a whole list",
    subtitle: "Upload a list of applicants to find the startup benefits each of them can get; download the results and a budget report",
    single: "Screen one applicant", lang_button: "中文",
    step1: "Choose the list", file: "The list (CSV or Excel .xlsx)",
    file_hint: "Headers may be the fields' Chinese or English names; UTF-8 or GB18030 (GBK) encoding. The list is processed on this machine only; the results are deleted from the server once downloaded, at the latest after an hour.",
    city: "City (optional)", city_from_list: "as in the list’s “city” column", city_option: (name, slug) => `${name} (${slug})`,
    as_of: "Evaluation date", go: "Start",
    placeholder: "Choose a list and press “Start”: the progress shows here, then the results to download.",
    footer: "The same outputs as the command line's chuangye batch --report --lang en: results, applicants, errors, summary.json, report.md and report.html.",
    api: "HTTP API docs",
    no_file: "Please choose a list file first", failed: "Something went wrong; please try again", not_done: "The evaluation did not finish.",
    with_hint: (message, hint) => `${message} (${hint})`,
    uploading: (name, kb) => `Uploading ${name} (${kb} KB)…`,
    running: (read, rejected, seconds) => `Evaluating: ${read} rows read (${rejected} rejected), ${seconds} s`,
    done: (name) => `${name}: done`,
    summary: (s) => `Evaluated on ${s.as_of}: read ${s.read} rows = ${s.evaluated} evaluated + ${s.rejected} rejected; ${s.result_rows} result rows`
      + (s.duplicate_ids ? `; ${s.duplicate_ids} rows with a repeated id` : ""),
    files: (files) => `Files: ${files.join(", ")}. The rejected rows and why are in errors.csv.`,
    download: "Download the results (zip)",
    once: "One download only: the files on the server are deleted once downloaded (at the latest after an hour).",
    downloaded: "Downloaded: the files on the server have been deleted.",
  },
};

const state = {
  lang: "zh",
  rulebooks: [],
  job: null,          // what the job box shows: {phase: uploading|running|failed|done, file?, status?, downloaded?}
  error: null,        // {key} or {body}: kept as data, so a language switch shows it again in the other language
};

const t = (key, ...args) => { const v = UI[state.lang][key]; return typeof v === "function" ? v(...args) : v; };

function show(node, ...children) {
  node.replaceChildren(...children.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  show(node, ...children);
  return node;
}

// the API gives each problem in Chinese (message, hint) and English (message_en, hint_en); a request FastAPI
// itself refused has Chinese only, which is then shown rather than nothing
function problemText(body) {
  const en = state.lang === "en";
  const problems = (body && body.problems) || [];
  if (!problems.length) return (body && body.detail) || t("failed");
  return problems.map((p) => {
    const message = (en && p.message_en) || p.message;
    const hint = (en && p.hint_en) || p.hint;
    return hint ? t("with_hint", message, hint) : message;
  }).join("\n");
}

class ApiError extends Error {
  constructor(body) { super(body && body.detail); this.body = body; }
}

function renderCities() {
  const sel = $("#list-city");
  const chosen = sel.value;
  sel.replaceChildren(el("option", {value: ""}, t("city_from_list")), ...state.rulebooks.map((b) => {
    const option = el("option", {value: b.city}, t("city_option", state.lang === "zh" ? b.city_zh : b.city_en, b.city));
    option.selected = b.city === chosen;
    return option;
  }));
}

async function loadRulebooks() {
  const response = await fetch(`rulebooks?lang=${state.lang}`);
  if (!response.ok) return;
  const list = await response.json();
  state.rulebooks = list.rulebooks || list;  // both names are in every entry: a language switch needs no new request
  renderCities();
}

function renderError() {
  const box = $("#list-error");
  const e = state.error;
  box.textContent = !e ? "" : e.key ? t(e.key) : problemText(e.body);
  box.hidden = !e;
}

function error(e) {
  state.error = e;
  renderError();
}

function renderJob() {
  const job = $("#list-job");
  const j = state.job;
  job.dataset.state = j ? j.phase : "idle";
  job.dataset.lang = state.lang;
  if (!j) return show(job, el("p", {class: "placeholder"}, t("placeholder")));
  if (j.phase === "uploading") return show(job, el("p", {}, t("uploading", j.file.name, (j.file.size / 1024).toFixed(0))));
  if (j.phase === "failed") return show(job, el("p", {class: "placeholder"}, t("not_done")));
  const status = j.status;
  if (j.phase === "running") {
    const locale = state.lang === "zh" ? "zh-CN" : "en";
    return show(job, el("p", {class: "progress"}, t("running", status.read.toLocaleString(locale), status.rejected, status.seconds)));
  }
  const s = status.summary;
  const link = el("a", {id: "list-download", class: "primary button", href: status.download}, t("download"));
  link.addEventListener("click", () => {
    setTimeout(() => { j.downloaded = true; if (state.job === j) renderJob(); }, 300);
  });
  show(job,
    el("h3", {}, t("done", status.name)),
    el("p", {id: "list-summary"}, t("summary", s)),
    el("p", {class: "hint small"}, t("files", s.files)),
    link,
    el("p", {id: "list-note", class: "hint small"}, j.downloaded ? t("downloaded") : t("once")));
}

function setJob(job) {
  state.job = job;
  renderJob();
}

async function start() {
  error(null);
  const file = $("#list-file").files[0];
  if (!file) return error({key: "no_file"});
  // the outputs are written in the page's language at upload time (CSV headers and cells, the report, the zip's name)
  const params = new URLSearchParams({name: file.name, lang: state.lang});
  if ($("#list-as-of").value) params.set("as_of", $("#list-as-of").value);
  if ($("#list-city").value) params.set("city", $("#list-city").value);
  $("#list-go").disabled = true;
  setJob({phase: "uploading", file});
  try {
    const response = await fetch(`lists/jobs?${params}`, {method: "POST", body: file,
      headers: {"Content-Type": "application/octet-stream"}});
    const body = await response.json();
    if (!response.ok) throw new ApiError(body);
    await follow(body.id);
  } catch (e) {
    setJob({phase: "failed"});
    if (!(e instanceof ApiError)) console.error(e);
    error(e instanceof ApiError ? {body: e.body} : {key: "failed"});
  } finally {
    $("#list-go").disabled = false;
  }
}

async function follow(id) {
  for (;;) {
    const response = await fetch(`lists/jobs/${id}`);
    const status = await response.json();
    if (!response.ok) throw new ApiError(status);
    if (status.state === "running") {
      setJob({phase: "running", status});
      await new Promise((r) => setTimeout(r, 400));
      continue;
    }
    if (status.state === "failed") throw new ApiError(status);
    return setJob({phase: "done", status});
  }
}

async function setLang(lang) {
  state.lang = lang;
  rememberLang(lang);
  applyStaticTexts(state.lang, t);
  renderCities();
  renderJob();
  renderError();
}

document.addEventListener("DOMContentLoaded", () => {
  state.lang = chosenLang();
  applyStaticTexts(state.lang, t);
  renderJob();
  $("#lang").addEventListener("click", () => setLang(state.lang === "zh" ? "en" : "zh"));
  $("#list-go").addEventListener("click", start);
  loadRulebooks().finally(() => { document.body.dataset.ready = "true"; });
});
