import assert from "node:assert/strict";
import { formatCell } from "../../lib/frame/frame.ts";
import { parseOverflow, renderTable } from "../../lib/term/table.ts";

Deno.test("table: parseOverflow accepts the original's WRAP/NOWRAP in any case", () => {
  assert.equal(parseOverflow("WRAP"), "wrap");
  assert.equal(parseOverflow("NoWrap"), "nowrap");
  assert.throws(() => parseOverflow("fold"), /--display-overflow must be 'wrap' or 'nowrap'/);
});

Deno.test("table: formatCell shows numbers exactly and NaN/inf as pandas does", () => {
  assert.equal(formatCell(0.1), "0.1");
  assert.equal(formatCell(NaN), "NaN");
  assert.equal(formatCell(Infinity), "inf");
  assert.equal(formatCell(-Infinity), "-inf");
  assert.equal(formatCell(18446744073709551615n), "18446744073709551615");
  assert.equal(formatCell(null), "");
});

Deno.test("table: wrap splits columns into groups that fit the width, losing no value", () => {
  const headers = Array.from({ length: 12 }, (_, i) => `column_number_${i}`);
  const row = headers.map((_, i) => String(i * 1000.5));
  const text = renderTable(headers, [row], { width: 80 });
  for (const line of text.split("\n")) assert.ok([...line].length <= 80, line);
  for (const value of [...headers, ...row]) assert.ok(text.includes(value), value);
  assert.match(text, /columns 1-4 of 12 \(part 1\/3\)/);
});

Deno.test("table: nowrap draws one wide table", () => {
  const headers = Array.from({ length: 12 }, (_, i) => `column_number_${i}`);
  const text = renderTable(headers, [headers], { overflow: "nowrap", width: 80 });
  assert.ok(text.split("\n").some((line) => [...line].length > 80));
  assert.doesNotMatch(text, /part 1/);
});

Deno.test("table: a value wider than the terminal wraps inside its cell instead of being cut", () => {
  const long = "y".repeat(150);
  const text = renderTable(["a", "long"], [["1", long]], { width: 60 });
  assert.equal(text.replace(/[^y]/g, "").length, 150 + 0);
  for (const line of text.split("\n")) assert.ok([...line].length <= 60);
});

Deno.test("table: control characters from data are escaped, not sent to the terminal", () => {
  const text = renderTable(["h\x1b]0;title\x07"], [["x\x1b[31mred"]], { colour: false });
  assert.ok(!text.includes("\x1b"));
  assert.ok(!text.includes("\x07"));
  assert.ok(text.includes("x\\x1b[31mred"));
});

Deno.test("table: wide characters take two columns, so borders stay aligned", () => {
  const text = renderTable(["a", "名前"], [["1", "漢字"], ["22", "Angriff – Überlast ✓"]], {
    width: 80,
  });
  const lines = text.split("\n");
  const width = (line: string) =>
    [...line].reduce((sum, ch) => sum + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0);
  assert.ok(lines.every((line) => width(line) === width(lines[0])), text);
  assert.equal(lines[2], "├────┼──────────────────────┤");
});

Deno.test("table: colour paints the header and borders only when asked", () => {
  const plain = renderTable(["h"], [["v"]], { colour: false });
  const coloured = renderTable(["h"], [["v"]], { colour: true });
  assert.ok(!plain.includes("\x1b["));
  assert.ok(coloured.includes("\x1b[36mh\x1b[39m"));
  assert.ok(coloured.includes("\x1b[90m│\x1b[39m"));
  assert.ok(coloured.includes(" v "));
});

Deno.test("renderTable: repeatColumns opens every wrapped part with the key columns", () => {
  const headers = ["index", ...Array.from({ length: 12 }, (_, i) => `column_${i}`)];
  const rows = [["1017", ...headers.slice(1).map((_, i) => `value-${i}`)], [
    "1018",
    ...headers.slice(1).map((_, i) => `other-${i}`),
  ]];
  const text = renderTable(headers, rows, { width: 60, repeatColumns: 1 });
  const parts = text.split(/^columns \d+-\d+ of 13 \(part \d\/\d\)$/m).slice(1);
  assert.ok(parts.length >= 3, text);
  for (const part of parts) {
    const lines = part.trim().split("\n");
    assert.match(lines[1], /^│ index │ column_/);
    assert.match(lines[3], /^│ 1017 {2}│ value-/);
    assert.match(lines[4], /^│ 1018 {2}│ other-/);
    for (const line of lines) assert.ok(line.length <= 60, line);
  }
  // Every other column is shown exactly once.
  for (let i = 0; i < 12; i++) assert.equal(text.split(` column_${i} `).length - 1, 1);
  // Without wrapping, nothing is repeated.
  const one = renderTable(headers.slice(0, 3), rows.map((row) => row.slice(0, 3)), {
    width: 200,
    repeatColumns: 1,
  });
  assert.equal(one.split(" index ").length - 1, 1);
  assert.ok(!one.includes("part"));
});
