/* What both pages share: the page's language — chosen by ?lang=, else the one last chosen on either page
   (localStorage), else Chinese — and the words marked data-t. Loaded before each page's own script. */
"use strict";

const $ = (sel) => document.querySelector(sel);

function chosenLang() {
  let lang = new URLSearchParams(location.search).get("lang");
  try { lang = lang || localStorage.getItem("chuangye-lang"); } catch (e) { /* private mode */ }
  return lang === "en" ? "en" : "zh";
}

function rememberLang(lang) {
  try { localStorage.setItem("chuangye-lang", lang); } catch (e) { /* private mode */ }
}

// the page's fixed words (data-t), its title and the language button, in `lang`; `t` is the page's word lookup
function applyStaticTexts(lang, t) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = `${t("title")} · chuangye-rules`;
  document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = t(e.dataset.t); });
  const btn = $("#lang");
  btn.textContent = t("lang_button");
  btn.setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
}
