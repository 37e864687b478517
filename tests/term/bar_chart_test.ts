import assert from "node:assert/strict";
import { renderBarChart } from "../../lib/term/bar_chart.ts";

Deno.test("renderBarChart draws plain bars with percentages and counts", () => {
  const text = renderBarChart([
    { name: "Benign", value: 5, total: 10 },
    { name: "Bot", value: 3, total: 3 },
    { name: "Empty", value: 0, total: 0 },
  ], { width: 60 });
  const lines = text.split("\n");
  assert.equal(lines.length, 3);
  assert.ok(!text.includes("\x1b"), "no escape codes without colour");
  assert.match(lines[0], /^Benign +\[#+\.+\] +50\.0% +\(5\/10\)$/);
  assert.match(lines[1], /^Bot +\[#+\] +100\.0% +\(3\/3\)$/);
  assert.match(lines[2], /^Empty +\[\.+\] +- +\(0\/0\)$/);
  // Bars line up and are half full for 5/10.
  const bar0 = lines[0].slice(lines[0].indexOf("["), lines[0].indexOf("]") + 1);
  assert.equal(bar0.split("#").length - 1, bar0.split(".").length - 1);
  assert.equal(lines[0].indexOf("["), lines[1].indexOf("["));
  for (const line of lines) assert.ok(line.length <= 60, line);
});

Deno.test("renderBarChart keeps long names whole and escapes control characters", () => {
  const long = "A very long category name that does not fit the chart at all, really";
  const text = renderBarChart([{ name: long, value: 1, total: 2 }, {
    name: "x\x1b[31m",
    value: 2,
    total: 2,
  }], { width: 50 });
  assert.ok(text.includes(long));
  assert.ok(text.includes("x\\x1b[31m"));
  assert.ok(!text.includes("\x1b"));
});

Deno.test("renderBarChart colours bars when asked", () => {
  const text = renderBarChart([{ name: "Bot", value: 1, total: 4 }], { colour: true });
  assert.ok(text.includes("\x1b[31m"), "low rates in red");
  assert.ok(text.includes("█") && text.includes("░"));
  assert.equal(renderBarChart([]), "");
});

Deno.test("renderBarChart lines bars up by terminal columns when names have wide characters", () => {
  const text = renderBarChart([
    { name: "Bot", value: 1, total: 2 },
    { name: "攻撃テスト", value: 2, total: 2 },
    { name: "Angriff – Überlast ✓", value: 0, total: 2 },
  ], { width: 80 });
  const lines = text.split("\n");
  // Columns before the bar: CJK characters take two each, the rest one.
  const columnOfBar = (line: string): number => {
    const before = line.slice(0, line.indexOf("["));
    return [...before].reduce((sum, ch) => sum + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0);
  };
  assert.equal(columnOfBar(lines[1]), columnOfBar(lines[0]), text);
  assert.equal(columnOfBar(lines[2]), columnOfBar(lines[0]), text);
});
