// The SPARQL query page: runs the editor's query through the protocol, shows the answer as a
// table (IRIs of our data link to their entity pages), offers downloads and a permalink.
// No framework, no CDN: the page works offline.
"use strict";

const config = JSON.parse(document.getElementById("page-config").textContent);
const catalogue = JSON.parse(document.getElementById("catalogue").textContent);
const form = document.getElementById("query-form");
const editor = document.getElementById("query");
const output = document.getElementById("output");
const statusLine = document.getElementById("status");
const permalink = document.getElementById("permalink");
const downloads = document.getElementById("downloads");
const downloadLinks = document.getElementById("download-links");
const endpoint = form.getAttribute("action");

// Only http(s) IRIs become links: an IRI of an answer is data, and "javascript:…" or "data:…"
// followed as a link would run as code. No spaces or control characters either: browsers drop
// them before reading the scheme ("java\tscript:").
const WEB_LINK = /^https?:\/\/[^\x00-\x20\x7f]*$/i;

function linkTarget(iri) {
  if (!WEB_LINK.test(iri)) return null;
  // Entity IRIs under the data namespace are served by this server at /id/...
  return iri.startsWith(config.dataNs) ? "/id/" + iri.slice(config.dataNs.length) : iri;
}

function queryUrl(query, format) {
  const params = new URLSearchParams({ query });
  if (format) params.set("format", format);
  return endpoint + "?" + params.toString();
}

function termCell(term) {
  const cell = document.createElement("td");
  if (!term) return cell;
  const target = term.type === "uri" ? linkTarget(term.value) : null;
  if (target) {
    const link = document.createElement("a");
    link.href = target;
    link.textContent = term.value;
    cell.appendChild(link);
  } else if (term.type === "uri") {
    const text = document.createElement("span");
    text.className = "iri";
    text.textContent = term.value;
    cell.appendChild(text);
  } else {
    const text = document.createElement("span");
    text.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
    if (term["xml:lang"]) {
      text.lang = term["xml:lang"];
      cell.append(text, " ");
      const tag = document.createElement("small");
      tag.textContent = "@" + term["xml:lang"];
      cell.appendChild(tag);
      return cell;
    }
    cell.appendChild(text);
    if (term.datatype) {
      const tag = document.createElement("small");
      tag.textContent = " ^^" + term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:");
      cell.appendChild(tag);
    }
  }
  return cell;
}

function showTable(data) {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = "?" + name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) row.appendChild(termCell(binding[name]));
  }
  output.replaceChildren(table);
  return data.results.bindings.length;
}

function showDownloads(query, formats) {
  downloadLinks.replaceChildren();
  for (const fmt of formats) {
    const link = document.createElement("a");
    link.href = queryUrl(query, fmt.name);
    link.textContent = fmt.name;
    link.title = fmt.mediaType;
    downloadLinks.append(link, " ");
  }
  downloads.hidden = false;
}

async function run(query) {
  statusLine.textContent = "Running…";
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
    statusLine.textContent = "Network error: " + error;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    statusLine.textContent = `Error ${response.status}`;
    const pre = document.createElement("pre");
    pre.className = "error";
    pre.textContent = await response.text();
    output.replaceChildren(pre);
    return;
  }
  const truncated = response.headers.get("Cnc-Kg-Result-Truncated") === "true";
  if (type.startsWith("application/sparql-results+json")) {
    const data = await response.json();
    if ("boolean" in data) {
      const answer = document.createElement("p");
      answer.className = "boolean";
      answer.textContent = String(data.boolean);
      output.replaceChildren(answer);
      statusLine.textContent = `ASK answered in ${seconds} s`;
    } else {
      const rows = showTable(data);
      statusLine.textContent = `${rows} row(s) in ${seconds} s` +
        (truncated ? ` — capped (at most ${config.maxRows} rows and ${config.maxMegabytes} MB)` : "");
    }
    showDownloads(query, config.resultFormats);
  } else {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    output.replaceChildren(pre);
    statusLine.textContent = `Graph in ${seconds} s` +
      (truncated ? ` — capped (at most ${config.maxRows} triples and ${config.maxMegabytes} MB)` : "");
    showDownloads(query, config.graphFormats);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run(editor.value);
});

for (const button of document.querySelectorAll("button.example")) {
  button.addEventListener("click", () => {
    const entry = catalogue.find((q) => q.name === button.dataset.name);
    editor.value = entry.text;
    run(entry.text);
  });
}

if (document.currentScript.dataset.autorun === "true") run(editor.value);
