/**
 * The layout's rules, checked on the real import graph of `main.ts`, `commands/` and `lib/`:
 * commands and other concerns enter a `lib/<concern>/` folder only through its `mod.ts`, lib never
 * imports commands, concerns do not import each other in a cycle, and the dataset engine knows
 * nothing of predictions, notifications or terminals.
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One import: which file imports which (repo-relative paths). */
interface ImportEdge {
  from: string;
  to: string;
}

/** Folders under lib/ that the dataset engine must not reach. */
const DATASET_MUST_NOT_KNOW = ["predict", "notify", "term"];

/** Static, dynamic and re-export specifiers of a module's text. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /^\s*import\s+["']([^"']+)["']/gm,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

/** The concern a repo path belongs to: `lib/dataset/...` -> `dataset`; shared lib files -> `lib`. */
function concernOf(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] !== "lib") return null;
  return parts.length > 2 ? parts[1] : "lib";
}

/** Every rule the edges break, as readable lines; empty when the layout holds. */
function layoutViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  const concernEdges = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const source = concernOf(from);
    const target = concernOf(to);
    if (from.startsWith("lib/") && to.startsWith("commands/")) {
      problems.push(`${from} imports ${to}: lib never imports commands`);
    }
    if (from.startsWith("lib/") && (to.startsWith("dev/") || to.startsWith("bench/"))) {
      problems.push(`${from} imports ${to}: lib never imports dev or bench`);
    }
    if (target === null || target === "lib" || source === target) continue;
    if (!to.endsWith(`lib/${target}/mod.ts`)) {
      problems.push(`${from} imports ${to}: enter lib/${target}/ through its mod.ts`);
    }
    if (source === "lib") {
      problems.push(`${from} imports ${to}: shared lib modules import no concern`);
    }
    if (source === "dataset" && DATASET_MUST_NOT_KNOW.includes(target)) {
      problems.push(`${from} imports ${to}: the dataset engine knows nothing of ${target}`);
    }
    if (source !== null && source !== "lib") {
      const targets = concernEdges.get(source) ?? new Set<string>();
      targets.add(target);
      concernEdges.set(source, targets);
    }
  }
  const cycle = findCycle(concernEdges);
  if (cycle !== null) {
    problems.push(`lib folders import each other in a cycle: ${cycle.join(" -> ")}`);
  }
  return problems;
}

/** A cycle in a directed graph, as the path that closes it, or null. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

/** The import edges of every TypeScript file under `folders` (and `main.ts`), local targets only. */
async function importGraph(folders: readonly string[]): Promise<ImportEdge[]> {
  const files: string[] = ["main.ts"];
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(ROOT, folder))) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const folder of folders) await walk(folder);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const source = await Deno.readTextFile(join(ROOT, file));
    for (const specifier of specifiersOf(source)) {
      if (!specifier.startsWith(".")) continue;
      const to = relative(ROOT, normalize(join(ROOT, dirname(file), specifier)));
      edges.push({ from: file, to: to.split("\\").join("/") });
    }
  }
  return edges;
}

Deno.test("layout: main, commands and lib keep the rules of the folder tree", async () => {
  const edges = await importGraph(["commands", "lib"]);
  assert.ok(edges.length > 50, `only ${edges.length} imports found: is the parser broken?`);
  assert.deepEqual(layoutViolations(edges), []);
});

Deno.test("layout: every lib folder has a mod.ts that opens with a module doc and an example", async () => {
  for await (const entry of Deno.readDir(join(ROOT, "lib"))) {
    if (!entry.isDirectory) continue;
    const text = await Deno.readTextFile(join(ROOT, "lib", entry.name, "mod.ts"));
    assert.match(text, /^\/\*\*\n/, `lib/${entry.name}/mod.ts opens with a module doc`);
    const doc = text.slice(0, text.indexOf("*/"));
    assert.match(doc, /```ts\n/, `lib/${entry.name}/mod.ts shows an example`);
    assert.match(doc, /@module/, `lib/${entry.name}/mod.ts is marked @module`);
  }
});

Deno.test("layout check: a command importing past mod.ts is caught", () => {
  const problems = layoutViolations([
    { from: "commands/predict.ts", to: "lib/predict/client.ts" },
  ]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /through its mod\.ts/);
});

Deno.test("layout check: lib importing commands is caught", () => {
  const problems = layoutViolations([{ from: "lib/term/table.ts", to: "commands/_output.ts" }]);
  assert.deepEqual(problems, [
    "lib/term/table.ts imports commands/_output.ts: lib never imports commands",
  ]);
});

Deno.test("layout check: folders importing each other in a cycle are caught", () => {
  const problems = layoutViolations([
    { from: "lib/predict/client.ts", to: "lib/frame/mod.ts" },
    { from: "lib/frame/export.ts", to: "lib/term/mod.ts" },
    { from: "lib/term/table.ts", to: "lib/predict/mod.ts" },
  ]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /cycle: (predict|frame|term) -> .* -> \1$/);
});

Deno.test("layout check: the dataset engine reaching a terminal is caught", () => {
  const problems = layoutViolations([{ from: "lib/dataset/_s3.ts", to: "lib/term/mod.ts" }]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /knows nothing of term/);
});

Deno.test("layout check: the import parser sees static, dynamic and re-export imports", () => {
  const found = specifiersOf(
    `import { a } from "./a.ts";\nimport type { B } from "./b.ts";\nexport { c } from "./c.ts";\n` +
      `const d = await import("./d.ts");\nimport "./e.ts";\n`,
  );
  assert.deepEqual(found.sort(), ["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./e.ts"]);
});
