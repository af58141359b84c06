// Runs SPARQL queries with Comunica (@comunica/query-sparql, installed under tests/.node/comunica
// by tests/test_client_matrix.py) in one Node process: SELECT and ASK answers as SPARQL 1.1 JSON
// results, CONSTRUCT and DESCRIBE answers as N-Triples.
//
// stdin: [{"id": "...", "query": "...", "sources": ["http://...", {"type": "sparql", "value": ...}]}]
// stdout: {"<id>": <SPARQL JSON results> | {"ntriples": "<graph>"} | {"error": "<message>"}}
"use strict";
const { QueryEngine } = require("@comunica/query-sparql");

function readStdin() {
  return new Promise((resolve, reject) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => { text += chunk; });
    process.stdin.on("end", () => resolve(text));
    process.stdin.on("error", reject);
  });
}

function streamText(stream) {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk) => { text += chunk; });
    stream.on("end", () => resolve(text));
    stream.on("error", reject);
  });
}

async function main() {
  const jobs = JSON.parse(await readStdin());
  const engine = new QueryEngine();
  const answers = {};
  for (const job of jobs) {
    try {
      const result = await engine.query(job.query, { sources: job.sources, lenient: false });
      if (result.resultType === "quads") {
        const { data } = await engine.resultToString(result, "application/n-triples");
        answers[job.id] = { ntriples: await streamText(data) };
      } else {
        const { data } = await engine.resultToString(result, "application/sparql-results+json");
        answers[job.id] = JSON.parse(await streamText(data));
      }
    } catch (error) {
      answers[job.id] = { error: String(error && error.message ? error.message : error) };
    }
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error) => { process.stderr.write(String(error) + "\n"); process.exit(1); });
