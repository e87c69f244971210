// The code browser's search updates while the learner types, and a coding case can open a lookup beside it
// to pick a code into the answer. Without this script both are plain links and forms that work the same.
"use strict";

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function findCodes(endpoint, query) {
  const params = new URLSearchParams({ q: query, typing: "1" });
  const response = await fetch(`${endpoint}?${params}`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

function debounce(fn, wait) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
}

function hitItem(hit, pick) {
  const li = element("li");
  if (pick) {
    const use = element("button", `Use ${hit.code}`);
    use.type = "button";
    use.addEventListener("click", () => pick(hit.code));
    li.append(use);
  }
  const link = element("a");
  link.href = hit.url;
  link.append(element("code", hit.code));
  if (pick) link.target = "_blank";
  li.append(link, " ", element("span", hit.title, "code-title"), " ",
            element("span", hit.billable ? "billable" : "not billable", hit.billable ? "badge" : "badge muted"));
  return li;
}

function showResults(box, data, pick) {
  box.replaceChildren();
  if (!data.query) return;
  if (!data.total) {
    box.append(element("p", `No code matches “${data.query}”. Try fewer or other words, or the beginning of a code.`, "empty"));
    return;
  }
  const more = data.pages > 1 ? ` (first ${data.hits.length} shown)` : "";
  box.append(element("p", `${data.total.toLocaleString()} result${data.total === 1 ? "" : "s"}${more}.`));
  const list = element("ol", "", "codes");
  for (const hit of data.hits) list.append(hitItem(hit, pick));
  box.append(list);
}

function liveSearch(input, endpoint, box, pick, onQuery) {
  let latest = 0;
  input.addEventListener("input", debounce(async () => {
    const query = input.value.trim();
    const ticket = ++latest;
    if (onQuery) onQuery(query);
    if (!query) { box.replaceChildren(); return; }
    try {
      const data = await findCodes(endpoint, query);
      if (ticket === latest) showResults(box, data, pick);  // an older, slower answer never replaces a newer one
    } catch (error) { /* the form still submits normally */ }
  }, 200));
}

function browserPage() {
  const form = document.querySelector("main > form[data-code-search]");
  const box = document.getElementById("code-results");
  if (!form || !box) return;
  const input = form.querySelector("input[name=q]");
  liveSearch(input, form.dataset.endpoint, box, null, (query) => {
    const url = new URL(window.location.href);
    url.searchParams.set("q", query);
    url.searchParams.delete("page");
    history.replaceState(null, "", url);
  });
}

function lookups() {
  for (const link of document.querySelectorAll("a[data-code-lookup]")) {
    const field = document.getElementById(link.dataset.codeLookup);
    if (!field) continue;
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const question = link.closest(".coding-case") || link.parentElement;
      let panel = question.querySelector(".lookup");
      if (!panel) {
        panel = element("div", "", "lookup");
        panel.id = `${field.id}-lookup`;
        const label = element("label", "Find a code");
        const input = element("input");
        input.type = "search";
        input.maxLength = 100;
        input.autocomplete = "off";
        label.append(input);
        const box = element("div");
        box.setAttribute("aria-live", "polite");
        panel.append(label, box);
        const pick = (code) => {
          const codes = field.value.split(/[\s,;]+/).filter(Boolean);
          if (!codes.map((c) => c.toUpperCase()).includes(code)) codes.push(code);
          field.value = codes.join(", ");
          field.focus();
        };
        liveSearch(input, link.href.replace(/\/codes\/?(\?.*)?$/, "/codes/search.json"), box, pick);
        question.classList.add("has-lookup");
        question.append(panel);
        link.setAttribute("aria-controls", panel.id);
      } else {
        panel.hidden = !panel.hidden;
      }
      link.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) panel.querySelector("input").focus();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => { browserPage(); lookups(); });
