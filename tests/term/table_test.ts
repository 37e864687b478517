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
