#!/usr/bin/env node
// Runs the pinned Deno (from npm, installed into .tools/ on first use) with the given arguments,
// so a fresh clone needs only Node and npm: `node .tools/run.mjs task test`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const tools = dirname(fileURLToPath(import.meta.url));
const exe = process.platform === "win32" ? "deno.cmd" : "deno";
const deno = join(tools, "node_modules", ".bin", exe);
if (!existsSync(deno)) {
  console.error("Installing Deno 2.9.6 from npm into .tools/ ...");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const install = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: tools,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (install.status !== 0) {
    console.error("Could not install Deno from npm: check that the npm registry is reachable.");
    process.exit(1);
  }
}
const run = spawnSync(deno, process.argv.slice(2), {
  cwd: dirname(tools),
  stdio: "inherit",
  shell: process.platform === "win32",
});
process.exit(run.status ?? 1);
