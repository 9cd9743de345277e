/* The repositories table: filter, sort and page through the rows embedded in this page.
   Filters can be given in the address (#?code=CL401&class=permissive&q=bert&sev=error),
   so a view can be shared or opened by a script. */
(function () {
  "use strict";
  var PAGE = 100;
  var SEV = ["error", "warning", "info"];
  function json(id) { return JSON.parse(document.getElementById(id).textContent); }
  var rows = json("rows");
  var messages = json("messages");
  function message(ref) { return typeof ref === "number" ? messages[ref] : ref; }
  var rules = json("rule-index");
  var colours = json("class-colours");
  var table = document.getElementById("repo-table");
  var body = table.querySelector("tbody");
  var inputs = {
    q: document.getElementById("f-q"),
    "class": document.getElementById("f-class"),
    code: document.getElementById("f-code"),
    sev: document.getElementById("f-sev"),
    group: document.getElementById("f-group")
  };
  var state = { q: "", "class": "", code: "", sev: "", group: "", sort: -1, dir: 1, page: 0 };
  var index = rows.map(function (r, i) {
    var codes = " " + r[8].map(function (f) { return f[0]; }).join(" ") + " ";
    var worst = r[5] ? "error" : r[6] ? "warning" : r[7] ? "info" : "clean";
    return { i: i, text: (r[0] + " " + r[1] + " " + r[4]).toLowerCase(), codes: codes, worst: worst };
  });
  var shown = index;

  function readAddress() {
    var text = location.hash.indexOf("#?") === 0 ? location.hash.slice(2) : location.search.slice(1);
    var params = new URLSearchParams(text);
    ["q", "class", "code", "sev", "group"].forEach(function (k) {
      state[k] = params.get(k) || "";
      if (inputs[k]) { inputs[k].value = state[k]; }
    });
    state.sort = params.has("sort") ? parseInt(params.get("sort"), 10) : -1;
    state.dir = params.get("dir") === "desc" ? -1 : 1;
    state.page = Math.max(0, (parseInt(params.get("page") || "1", 10) || 1) - 1);
  }

  function writeAddress() {
    var params = new URLSearchParams();
    ["q", "class", "code", "sev", "group"].forEach(function (k) { if (state[k]) { params.set(k, state[k]); } });
    if (state.sort >= 0) { params.set("sort", state.sort); params.set("dir", state.dir < 0 ? "desc" : "asc"); }
    if (state.page) { params.set("page", state.page + 1); }
    var text = params.toString();
    try { history.replaceState(null, "", text ? "#?" + text : location.pathname + location.search); }
    catch (e) { /* some browsers refuse history changes on file: pages; the view still works */ }
  }

  function filter() {
    var q = state.q.trim().toLowerCase();
    var code = state.code ? " " + state.code + " " : "";
    shown = index.filter(function (x) {
      var r = rows[x.i];
      if (q && x.text.indexOf(q) < 0) { return false; }
      if (state["class"] && r[3] !== state["class"]) { return false; }
      if (code && x.codes.indexOf(code) < 0) { return false; }
      if (state.sev && x.worst !== state.sev) { return false; }
      if (state.group && r[1] !== state.group) { return false; }
      return true;
    });
    if (state.sort >= 0) {
      var col = state.sort, dir = state.dir;
      shown.sort(function (a, b) {
        var va = rows[a.i][col], vb = rows[b.i][col];
        var c = typeof va === "number" ? va - vb : String(va).localeCompare(String(vb));
        return c ? c * dir : a.i - b.i;
      });
    }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function codeLink(f) {
    var rule = rules[f[0]] || {};
    var a = el("a", { href: "#rule-" + f[0], "class": "code s" + f[1], title: (rule.name || "") + ": " + (rule.summary || "") }, f[0]);
    return a;
  }

  function detailRow(r) {
    var tr = el("tr", { "class": "detail" });
    var td = el("td", { colspan: "8" });
    var ul = el("ul");
    r[8].forEach(function (f) {
      var li = el("li");
      li.appendChild(codeLink(f));
      li.appendChild(document.createTextNode(" " + SEV[f[1]] + (f[2] ? " (line " + f[2] + ")" : "") + ": " + message(f[3])));
      ul.appendChild(li);
    });
    if (!r[8].length) { ul.appendChild(el("li", {}, "No findings.")); }
    td.appendChild(ul);
    tr.appendChild(td);
    return tr;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (state.page >= pages) { state.page = pages - 1; }
    var start = state.page * PAGE;
    var frag = document.createDocumentFragment();
    shown.slice(start, start + PAGE).forEach(function (x) {
      var r = rows[x.i];
      var tr = el("tr", { "class": "repo", "data-row": String(x.i), tabindex: "0", "aria-expanded": "false" });
      tr.appendChild(el("td", { "class": "id" }, r[0]));
      tr.appendChild(el("td", {}, r[1]));
      var cls = el("td");
      cls.appendChild(el("span", { "class": "cls", style: "background:" + (colours[r[3]] || "#ddd") }, r[3]));
      tr.appendChild(cls);
      tr.appendChild(el("td", {}, r[4]));
      tr.appendChild(el("td", { "class": "num" }, String(r[5])));
      tr.appendChild(el("td", { "class": "num" }, String(r[6])));
      tr.appendChild(el("td", { "class": "num" }, String(r[7])));
      var codes = el("td", { "class": "codes" });
      var seen = {};
      r[8].forEach(function (f) { if (!seen[f[0]]) { seen[f[0]] = 1; codes.appendChild(codeLink(f)); } });
      tr.appendChild(codes);
      frag.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(frag);
    var total = rows.length;
    document.getElementById("match-count").textContent =
      shown.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " repositories match";
    document.getElementById("p-info").textContent = shown.length
      ? "rows " + (start + 1).toLocaleString("en") + "–" + Math.min(start + PAGE, shown.length).toLocaleString("en") + ", page " + (state.page + 1) + " of " + pages
      : "no rows";
    document.getElementById("p-prev").disabled = state.page === 0;
    document.getElementById("p-next").disabled = state.page >= pages - 1;
    table.querySelectorAll("th[data-col]").forEach(function (th) {
      var col = parseInt(th.getAttribute("data-col"), 10);
      th.setAttribute("aria-sort", col === state.sort ? (state.dir < 0 ? "descending" : "ascending") : "none");
    });
  }

  function update(resetPage) {
    if (resetPage) { state.page = 0; }
    filter();
    render();
    writeAddress();
  }

  Object.keys(inputs).forEach(function (k) {
    var input = inputs[k];
    if (!input) { return; }
    input.addEventListener(k === "q" ? "input" : "change", function () { state[k] = input.value; update(true); });
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    Object.keys(inputs).forEach(function (k) { if (inputs[k]) { inputs[k].value = ""; } state[k] = ""; });
    state.sort = -1; update(true);
  });
  document.getElementById("p-prev").addEventListener("click", function () { state.page -= 1; update(false); });
  document.getElementById("p-next").addEventListener("click", function () { state.page += 1; update(false); });
  table.querySelectorAll("th[data-col] button").forEach(function (button) {
    button.addEventListener("click", function () {
      var col = parseInt(button.parentNode.getAttribute("data-col"), 10);
      if (state.sort === col) { state.dir = -state.dir; } else { state.sort = col; state.dir = col >= 5 ? -1 : 1; }
      update(true);
    });
  });
  function toggle(tr) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("detail")) { next.remove(); tr.setAttribute("aria-expanded", "false"); return; }
    tr.after(detailRow(rows[parseInt(tr.getAttribute("data-row"), 10)]));
    tr.setAttribute("aria-expanded", "true");
  }
  body.addEventListener("click", function (e) {
    if (e.target.closest("a")) { return; }
    var tr = e.target.closest("tr.repo");
    if (tr) { toggle(tr); }
  });
  body.addEventListener("keydown", function (e) {
    var tr = e.target.closest("tr.repo");
    if (tr && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggle(tr); }
  });

  /* A link to a rule opens its documentation. */
  function openRule() {
    if (location.hash.indexOf("#rule-") !== 0) { return; }
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", function () {
    if (location.hash.indexOf("#?") === 0) { readAddress(); filter(); render(); } else { openRule(); }
  });

  readAddress();
  filter();
  render();
  openRule();
  document.body.setAttribute("data-ready", "true");
})();
