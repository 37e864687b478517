import assert from "node:assert/strict";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram } from "../main.ts";
import { demoShellVariables, startDemoServices, stopDemoServices } from "../dev/demo.ts";
import { currentDenoDir, REPO_ROOT } from "../dev/run_mlids.ts";
import { installMlids } from "./support/files.ts";

const README = await Deno.readTextFile(join(REPO_ROOT, "README.md"));

/** The fenced `sh runnable` blocks of the README, in order. */
function runnableExamples(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^```sh runnable\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) blocks.push(match[1].trim());
  return blocks;
}

/** The README's `## ` sections by heading (without the `## `). */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf("\n");
    out.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return out;
}

/** The flags named in the first column of a section's tables (`--s3-*` covers every `--s3-` flag). */
function tableFlags(section: string): string[] {
  const flags: string[] = [];
  for (const line of section.split("\n")) {
    if (!line.startsWith("| `--")) continue;
    const first = line.split(/(?<!\\)\|/)[1];
    flags.push(...(first.match(/--[a-z0-9-]+\*?/g) ?? []));
  }
  return flags;
}

/**
 * Each flag of each command, looked for where that command is documented: in its own section's
 * flag table (a hidden alias in any code span of that section); for a command whose section has
 * no table, in a code span of its section; the program's own flags in "Flags every command shares". Returns the
 * flags not found there, as `mlids predict --timeout`.
 */
function undocumentedFlags(
  markdown: string,
  program: Command<unknown[], Record<string, unknown>>,
): string[] {
  const byHeading = sections(markdown);
  const missing: string[] = [];
  const visit = (command: Command<unknown[], Record<string, unknown>>, path: string[]) => {
    const heading = path.length === 1 ? "Flags every command shares" : `\`mlids ${path[1]}\``;
    const section = byHeading.get(heading) ?? "";
    const table = tableFlags(section);
    const codeSpans = section.match(/`[^`\n]+`/g) ?? [];
    for (const option of command.options) {
      const flag = option.long;
      if (!flag || flag === "--help" || flag === "--version") continue;
      const inText = codeSpans.some((span) =>
        new RegExp(`(^|[^\\w-])${flag}(?![\\w-])`).test(span)
      );
      const inTable = table.some((named) =>
        named.endsWith("*") ? flag.startsWith(named.slice(0, -1)) : named === flag
      );
      const found = table.length > 0 && !option.hidden ? inTable : inTable || inText;
      if (!found) missing.push(`${path.join(" ")} ${flag}`);
    }
    for (const sub of command.commands) {
      visit(sub as Command<unknown[], Record<string, unknown>>, [...path, sub.name()]);
    }
  };
  visit(program, ["mlids"]);
  return missing;
}

const PROGRAM = buildProgram() as unknown as Command<unknown[], Record<string, unknown>>;

Deno.test("README: every flag of every command is in that command's own flag table", () => {
  assert.deepEqual(undocumentedFlags(README, PROGRAM), []);
});

Deno.test("README: a flag documented only under another command does not count for this one", () => {
  // predict's --timeout row goes; replay's table still has a --timeout row, as does the text of
  // other sections: a check of the whole README would not notice.
  const row = README.split("\n").find((line) =>
    line.startsWith("| `--timeout MS`") &&
    line.includes("per request attempt")
  );
  assert.ok(row, "predict's --timeout row");
  const without = README.replace(`${row}\n`, "");
  assert.ok(without.includes("`--timeout"), "--timeout is still named elsewhere");
  assert.deepEqual(undocumentedFlags(without, PROGRAM), ["mlids predict --timeout"]);
});

Deno.test("README: the runnable examples run as written against the demo's services", async () => {
  const examples = runnableExamples(README);
  assert.ok(examples.length >= 6, `found ${examples.length} runnable examples`);
  for (const example of examples) assert.match(example, /^mlids /m);
  const services = await startDemoServices();
  const work = await Deno.makeTempDir({ prefix: "mlids-readme-" });
  try {
    // An `mlids` on PATH that runs the entry point with the binary's permissions.
    const bin = await installMlids(work);
    const denoDir = await currentDenoDir();
    const env: Record<string, string> = {
      ...demoShellVariables(services),
      PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      HOME: work,
      XDG_CACHE_HOME: join(work, "cache"),
      AWS_EC2_METADATA_DISABLED: "true",
      NO_COLOR: "1",
      ...(denoDir ? { DENO_DIR: denoDir } : {}),
    };
    for (const example of examples) {
      const out = await new Deno.Command("bash", {
        args: ["-e", "-o", "pipefail", "-c", example],
        cwd: work,
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `${example}\n${stderr.slice(-1500)}`);
      assert.doesNotMatch(stderr, /^error:/m, example);
    }
    // What the examples wrote where they said they would.
    const results = JSON.parse(await Deno.readTextFile(join(work, "results.json")));
    assert.equal(results.flows.length, 1000);
    // The replay example at the recorded pace: every attack's alert came, none unexpected.
    const replay = JSON.parse(await Deno.readTextFile(join(work, "replay.json")));
    assert.ok(replay.sent > 0 && replay.answered === replay.sent);
    assert.ok(replay.alerts.expected > 0);
    assert.equal(replay.alerts.matched, replay.alerts.expected);
    assert.equal(replay.alerts.missing, 0);
    assert.equal(replay.alerts.unexpected, 0);
    assert.match(await Deno.readTextFile(join(work, "replay.html")), /<svg/);
    const body = JSON.parse(await Deno.readTextFile(join(work, "body.json")));
    assert.equal(body.data.length, 2);
    assert.ok(!body.columns.includes("label"));
  } finally {
    await Deno.remove(work, { recursive: true });
    await stopDemoServices(services);
  }
});
