#!/usr/bin/env node
// Runs the pinned Deno (from npm, installed into .tools/ on first use) with the given arguments,
// so a fresh clone needs only Node and npm: `node .tools/run.mjs task test`.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const tools = dirname(fileURLToPath(import.meta.url));
const root = dirname(tools);
const windows = process.platform === "win32";
const deno = join(tools, "node_modules", ".bin", windows ? "deno.cmd" : "deno");
if (!existsSync(deno)) {
  console.error("Installing Deno 2.9.6 from npm into .tools/ ...");
  const install = spawnSync(windows ? "npm.cmd" : "npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], { cwd: tools, stdio: "inherit", shell: windows });
  if (install.status !== 0) {
    console.error("Could not install Deno from npm: check that the npm registry is reachable.");
    process.exit(1);
  }
}

/**
 * `deno task` fetches every npm package of deno.json before it runs a task, with a line per
 * package that would run through the task's own output on a first run. Fetch them first, with
 * that output in .cache/deps.log; say so only when it takes a while (a warm cache takes 0.1 s).
 */
function prefetch() {
  const log = join(root, ".cache", "deps.log");
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, "w");
  const slow = setTimeout(
    () => console.error(`Fetching the npm packages mlids uses (once; log: ${log}) ...`),
    1500,
  );
  return new Promise((resolve) => {
    const child = spawn(deno, ["install"], {
      cwd: root,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, NO_COLOR: "1" },
      shell: windows,
    });
    const done = (code) => {
      clearTimeout(slow);
      closeSync(fd);
      if (code !== 0) {
        const tail = readFileSync(log, "utf8").trimEnd().split("\n").slice(-10).join("\n");
        console.error(`Could not fetch the npm packages (see ${log}):\n${tail}`);
      }
      resolve(code ?? 1);
    };
    child.on("error", () => done(1));
    child.on("close", done);
  });
}

if (process.argv[2] === "task") {
  const code = await prefetch();
  if (code !== 0) process.exit(code);
}
const run = spawnSync(deno, process.argv.slice(2), { cwd: root, stdio: "inherit", shell: windows });
process.exit(run.status ?? 1);
