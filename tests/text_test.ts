import assert from "node:assert/strict";
import { charWidth, displayWidth, escapeControl, escapeFormatCharacters } from "../lib/text.ts";

const BIDI_AND_INVISIBLE = [
  0x061c,
  0x200e,
  0x200f,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
  0x2028,
  0x2029,
  0xfeff,
];

Deno.test("text: escapeControl escapes control characters as \\xNN and \\n, \\t, \\r", () => {
  assert.equal(escapeControl("a\x1b[2Jb\x07"), "a\\x1b[2Jb\\x07");
  assert.equal(escapeControl("line1\nline2\t\r"), "line1\\nline2\\t\\r");
  assert.equal(escapeControl("\u009b31m\u007f"), "\\x9b31m\\x7f");
});

Deno.test("text: bidi controls and invisible format characters are escaped as \\uXXXX", () => {
  for (const code of BIDI_AND_INVISIBLE) {
    const ch = String.fromCharCode(code);
    const expected = `\\u${code.toString(16).padStart(4, "0")}`;
    assert.equal(escapeControl(`a${ch}b`), `a${expected}b`, code.toString(16));
    assert.equal(escapeFormatCharacters(`a${ch}b`), `a${expected}b`, code.toString(16));
  }
  // The Trojan Source shape: what a terminal would show reversed is shown as written.
  assert.equal(
    escapeControl("access\u202e\u2066 // admin\u2069\u2066"),
    "access\\u202e\\u2066 // admin\\u2069\\u2066",
  );
});

Deno.test("text: ordinary text of any script, joiners and emoji stay as they are", () => {
  for (
    const text of [
      "Brute Force -XSS é",
      "Angriff – Überlast ✓",
      "هجوم حجب الخدمة",
      "שלום",
      "👩\u200d💻 and क्\u200dष",
      "日本語",
    ]
  ) {
    assert.equal(escapeControl(text), text);
    assert.equal(escapeFormatCharacters(text), text);
  }
});

Deno.test("text: escapeFormatCharacters leaves control characters to the caller", () => {
  assert.equal(escapeFormatCharacters("a\nb\x1b"), "a\nb\x1b");
});

Deno.test("text: display width counts terminal columns: wide CJK and emoji 2, combining marks 0", () => {
  assert.equal(displayWidth("Bot"), 3);
  assert.equal(displayWidth("攻撃"), 4);
  assert.equal(displayWidth("🙂 ok"), 5);
  assert.equal(displayWidth("Überlast – ✓"), 12);
  // e + combining acute accent is one column, as "é" is.
  assert.equal(displayWidth("e\u0301"), displayWidth("é"));
  assert.equal(displayWidth("a\u200db"), 2);
  assert.equal(charWidth("字".codePointAt(0)!), 2);
  assert.equal(charWidth(0x0301), 0);
  assert.equal(charWidth("x".codePointAt(0)!), 1);
});
