/* 名单批量评估: upload a list, watch its progress, download the outputs (the same run as `chuangye batch --report`).
   Everything goes to this server only; the page loads nothing from elsewhere. */
"use strict";

const $ = (sel) => document.querySelector(sel);

function show(node, ...children) {
  node.replaceChildren(...children.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  show(node, ...children);
  return node;
}

function problemText(body) {
  const problems = (body && body.problems) || [];
  return problems.length ? problems.map((p) => p.message).join("\n") : (body && body.detail) || "出错了，请重试";
}

async function cities() {
  const response = await fetch("rulebooks");
  if (!response.ok) return;
  const list = await response.json();
  for (const c of list.rulebooks || list) {
    $("#list-city").append(el("option", {value: c.city}, `${c.city_zh}（${c.city}）`));
  }
}

function error(text) {
  const box = $("#list-error");
  box.textContent = text;
  box.hidden = !text;
}

async function start() {
  error("");
  const file = $("#list-file").files[0];
  if (!file) return error("请先选择名单文件");
  const params = new URLSearchParams({name: file.name});
  if ($("#list-as-of").value) params.set("as_of", $("#list-as-of").value);
  if ($("#list-city").value) params.set("city", $("#list-city").value);
  $("#list-go").disabled = true;
  const job = $("#list-job");
  job.dataset.state = "uploading";
  show(job, el("p", {}, `正在上传 ${file.name}（${(file.size / 1024).toFixed(0)} KB）…`));
  try {
    const response = await fetch(`lists/jobs?${params}`, {method: "POST", body: file,
      headers: {"Content-Type": "application/octet-stream"}});
    const body = await response.json();
    if (!response.ok) throw new Error(problemText(body));
    await follow(body.id);
  } catch (e) {
    job.dataset.state = "failed";
    show(job, el("p", {class: "placeholder"}, "没有完成评估。"));
    error(e.message);
  } finally {
    $("#list-go").disabled = false;
  }
}

async function follow(id) {
  const job = $("#list-job");
  for (;;) {
    const response = await fetch(`lists/jobs/${id}`);
    const status = await response.json();
    if (!response.ok) throw new Error(problemText(status));
    if (status.state === "running") {
      job.dataset.state = "running";
      show(job, el("p", {class: "progress"}, `评估中：已处理 ${status.read.toLocaleString()} 行（拒绝 ${status.rejected}），用时 ${status.seconds} 秒`));
      await new Promise((r) => setTimeout(r, 400));
      continue;
    }
    if (status.state === "failed") throw new Error(problemText(status));
    return done(status);
  }
}

function done(status) {
  const s = status.summary;
  const job = $("#list-job");
  const link = el("a", {id: "list-download", class: "primary button", href: status.download}, "下载结果（zip）");
  link.addEventListener("click", () => {
    setTimeout(() => show($("#list-note"), "结果已下载，服务器上的文件已删除。"), 300);
  });
  show(job,
    el("h3", {}, `${status.name}：评估完成`),
    el("p", {id: "list-summary"}, `评估日期 ${s.as_of}，读取 ${s.read} 行 = 评估 ${s.evaluated} 行 + 拒绝 ${s.rejected} 行；结果 ${s.result_rows} 行`
      + (s.duplicate_ids ? `；${s.duplicate_ids} 行编号重复` : "")),
    el("p", {class: "hint small"}, "文件：" + s.files.join("、") + "。被拒绝的行及原因在 errors.csv 中。"),
    link,
    el("p", {id: "list-note", class: "hint small"}, "只能下载一次：下载后服务器上的文件即被删除（最迟一小时后删除）。"));
  job.dataset.state = "done";
}

document.addEventListener("DOMContentLoaded", () => {
  $("#list-go").addEventListener("click", start);
  cities().finally(() => { document.body.dataset.ready = "true"; });
});
