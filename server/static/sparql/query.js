// The SPARQL query page: runs the editor's query through the protocol and shows the answer —
// a table whose IRIs carry their name in the page language (from /api/labels) beside their
// short name and link to their page, a syntax error with its line and column, downloads and a
// permalink. Every word comes from the page (its language); no framework, no CDN: it works
// offline.
"use strict";

const form = document.getElementById("query-form");
const config = JSON.parse(form.dataset.config);
const editor = document.getElementById("query");
const output = document.getElementById("output");
const statusLine = document.getElementById("status");
const permalink = document.getElementById("permalink");
const downloads = document.getElementById("downloads");
const downloadLinks = document.getElementById("download-links");
const endpoint = form.getAttribute("action");
const seconds = new Intl.NumberFormat(config.lang, { minimumFractionDigits: 2,
                                                     maximumFractionDigits: 2 });
const count = new Intl.NumberFormat(config.lang);
const LABEL_BATCH = 500;        // IRIs named per request (the server takes at most 1000)
const LABELLED_AT_MOST = 5000;  // distinct IRIs of an answer that get their names

function say(key, values = {}) {
  return config.strings[key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
}

// A page of this site or an http(s) address: never javascript:, data: or other schemes. No
// spaces or control characters either: browsers drop them before reading the address
// ("java\tscript:", "/\t/elsewhere"), and a backslash reads as a slash ("/\\elsewhere").
const SAFE_URL = /^(\/(?![\/\\])|https?:\/\/)[^\x00-\x20\x7f]*$/i;

function safeUrl(url) {
  return url && SAFE_URL.test(url) ? url : null;
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;   // textContent: never parsed as HTML
  if (className) made.className = className;
  return made;
}

function queryUrl(query, format) {
  const params = new URLSearchParams({ query });
  if (format) params.set("format", format);
  return endpoint + "?" + params.toString();
}

function setBusy(busy) {
  output.setAttribute("aria-busy", String(busy));
}

// --- cells -----------------------------------------------------------------------------------

function iriCell(cell, iri) {
  // The IRI itself, as code (a link when it is a web address) until its name comes.
  const code = element("code", iri, "iri");
  const url = safeUrl(iri);
  if (url) {
    const link = element("a");
    link.href = url;
    link.appendChild(code);
    cell.replaceChildren(link);
  } else {
    cell.replaceChildren(code);
  }
}

function named(cell, iri, found) {
  // The name in the page language (a badge when it is another), then the short name; an IRI
  // nothing names keeps its short name as code.
  if (!found || (!found.label && !found.short)) return;
  const name = found.label ? element("span", found.label) : element("code", found.short, "short");
  if (found.label && found.lang) name.lang = found.lang;
  else if (found.label) name.translate = false;        // a name in no stated language
  const url = safeUrl(found.url);
  const parts = [name];
  if (url) {
    const link = element("a");
    link.href = url;
    link.appendChild(name);
    parts[0] = link;
  }
  const primary = (found.lang || "").split("-")[0].toLowerCase();
  if (found.label && primary && primary !== config.lang) {
    parts.push(" ", element("span", config.languageNames[primary] || found.lang, "badge lang"));
  }
  if (found.label && found.short) {
    const short = element("code", found.short, "short");
    short.title = iri;
    parts.push(" ", short);
  }
  cell.replaceChildren(...parts);
}

function literalCell(cell, term) {
  // A value of the data: in its language, or (untagged) not to be translated.
  const text = element("span", term.value);
  if (!term["xml:lang"]) text.translate = false;
  if (term["xml:lang"]) {
    text.lang = term["xml:lang"];
    cell.append(text, " ", element("small", "@" + term["xml:lang"]));
    return;
  }
  cell.appendChild(text);
  if (term.datatype) {
    cell.appendChild(element("small", " ^^" + term.datatype.replace(
      "http://www.w3.org/2001/XMLSchema#", "xsd:")));
  }
}

function termCell(term, cells) {
  const cell = document.createElement("td");
  if (!term) return cell;
  if (term.type === "uri") {
    iriCell(cell, term.value);
    if (!cells.has(term.value)) cells.set(term.value, []);
    cells.get(term.value).push(cell);
  } else if (term.type === "bnode") {
    cell.appendChild(element("code", "_:" + term.value));
  } else {
    literalCell(cell, term);
  }
  return cell;
}

async function nameCells(cells) {
  // Ask the names of the answer's IRIs in batches; each batch renames its cells.
  const iris = [...cells.keys()].slice(0, LABELLED_AT_MOST);
  for (let start = 0; start < iris.length; start += LABEL_BATCH) {
    const body = new URLSearchParams({ lang: config.lang });
    for (const iri of iris.slice(start, start + LABEL_BATCH)) body.append("iri", iri);
    let found;
    try {
      const response = await fetch(config.labelsApi, { method: "POST", body });
      if (!response.ok) return;
      found = await response.json();
    } catch (error) {
      return;       // the IRIs stay as they are: still right, only less readable
    }
    for (const [iri, names] of Object.entries(found)) {
      for (const cell of cells.get(iri) || []) named(cell, iri, names);
    }
  }
}

// --- answers ---------------------------------------------------------------------------------

function showTable(data) {
  const cells = new Map();
  const table = element("table", undefined, "results");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = element("th");
    th.appendChild(element("code", "?" + name));
    th.scope = "col";
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) row.appendChild(termCell(binding[name], cells));
  }
  output.replaceChildren(data.results.bindings.length ? table : element("p", say("q_no_rows"),
                                                                         "note"));
  return cells;
}

function showDownloads(query, formats) {
  downloadLinks.replaceChildren();
  for (const fmt of formats) {
    const link = element("a");
    link.appendChild(element("code", fmt.name));
    link.href = queryUrl(query, fmt.name);
    link.type = fmt.mediaType;
    downloadLinks.append(link, " ");
  }
  downloads.hidden = false;
}

function offsetOf(query, line, column) {
  const lines = query.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  return Math.min(offset + Math.max(column - 1, 0), query.length);
}

function showSyntaxError(query, line, column, message) {
  // Where the parser stopped: the line of the query with a caret under the column, a button
  // that puts the cursor there, then the engine's own words.
  const box = element("div", undefined, "error");
  box.setAttribute("role", "alert");
  const title = element("p");
  title.appendChild(element("strong", say("q_syntax", { line, column })));
  const go = element("button", say("q_go_to_error"));
  go.type = "button";
  go.addEventListener("click", () => {
    const at = offsetOf(query, line, column);
    editor.focus();
    editor.setSelectionRange(Math.max(at - 1, 0), at);
  });
  title.append(" ", go);
  const text = query.split("\n")[line - 1] || "";
  const excerpt = element("pre", `${line} | ${text}\n${" ".repeat(String(line).length + 3 +
                                   Math.max(column - 1, 0))}^`, "excerpt");
  const engine = element("pre", message.trim(), "engine");
  engine.lang = "en";
  box.append(title, excerpt, element("p", say("q_engine_message"), "note"), engine);
  output.replaceChildren(box);
}

async function showError(response, query) {
  const message = await response.text();
  const position = /\bat (\d+):(\d+)/.exec(message);
  statusLine.textContent = say("q_error", { status: response.status });
  if (response.status === 400 && position) {
    showSyntaxError(query, Number(position[1]), Number(position[2]), message);
    return;
  }
  const box = element("div", undefined, "error");
  box.setAttribute("role", "alert");
  const engine = element("pre", message.trim(), "engine");
  engine.lang = "en";
  box.appendChild(engine);
  output.replaceChildren(box);
}

async function run(query) {
  statusLine.textContent = say("q_running");
  setBusy(true);
  output.replaceChildren();
  downloads.hidden = true;
  const url = queryUrl(query);
  permalink.href = url;
  permalink.hidden = false;
  history.replaceState(null, "", url);
  const started = performance.now();
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: new URLSearchParams({ query }),
    });
  } catch (error) {
    statusLine.textContent = say("q_network_error", { error });
    setBusy(false);
    return;
  }
  const took = seconds.format((performance.now() - started) / 1000);
  if (!response.ok) {
    await showError(response, query);
    setBusy(false);
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  const truncated = response.headers.get("Cnc-Kg-Result-Truncated") === "true";
  const max = count.format(config.maxRows);
  if (type.startsWith("application/sparql-results+json")) {
    const data = await response.json();
    if ("boolean" in data) {
      output.replaceChildren(element("p", say(data.boolean ? "q_true" : "q_false"), "boolean"));
      statusLine.textContent = say("q_answered", { seconds: took });
    } else {
      const cells = showTable(data);
      statusLine.textContent = say("q_rows", { rows: count.format(data.results.bindings.length),
                                               seconds: took }) +
        (truncated ? say("q_capped_rows", { max, mb: config.maxMegabytes }) : "");
      await nameCells(cells);
    }
    showDownloads(query, config.resultFormats);
  } else {
    output.replaceChildren(element("pre", await response.text()));
    statusLine.textContent = say("q_graph", { seconds: took }) +
      (truncated ? say("q_capped_triples", { max, mb: config.maxMegabytes }) : "");
    showDownloads(query, config.graphFormats);
  }
  setBusy(false);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run(editor.value);
});

editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run(editor.value);
  }
});

for (const link of document.querySelectorAll("a.example")) {
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    editor.value = new URL(link.href).searchParams.get("query");
    run(editor.value);
    document.getElementById("results").scrollIntoView();
  });
}

if (config.autorun) run(editor.value);
