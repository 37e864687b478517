import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { parseThreshold } from "../../commands/_request_flags.ts";
import {
  checkSelectionFlags,
  countFrom,
  optionalWholeNumber,
  parseChoice,
  parseCount,
  parseWholeNumber,
  wholeNumberArg,
} from "../../commands/_flags.ts";

function refused(run: () => unknown, pattern: RegExp): void {
  assert.throws(
    run,
    (error: unknown) =>
      error instanceof UsageError && pattern.test(error.message) && !error.message.includes("\n"),
  );
}

Deno.test("parseWholeNumber: decimal digits only, in range", () => {
  assert.equal(parseWholeNumber("--n", "0", { min: 0 }), 0);
  assert.equal(parseWholeNumber("--n", " 42 ", { min: 1 }), 42);
  assert.equal(parseWholeNumber("--n", "007", { min: 1 }), 7);
  assert.equal(parseWholeNumber("--n", "10", { min: 1, max: 10 }), 10);
  assert.equal(parseWholeNumber("--n", "9007199254740991", { min: 1 }), Number.MAX_SAFE_INTEGER);
  for (const value of ["0x10", "1e3", "2.5", "-1", "+3", "", " ", "1_000", "1,000", "Infinity"]) {
    refused(
      () => parseWholeNumber("--n", value, { min: 0 }),
      new RegExp(`^--n must be a whole number of 0 or more, not '${value.replace("+", "\\+")}'$`),
    );
  }
  refused(() => parseWholeNumber("--n", "9007199254740992", { min: 1 }), /--n/);
  refused(() => parseWholeNumber("--n", "0", { min: 1 }), /of 1 or more, not '0'/);
  refused(
    () => parseWholeNumber("--n", "11", { min: 1, max: 10, why: " (SQS says so)" }),
    /^--n must be a whole number from 1 to 10 \(SQS says so\), not '11'$/,
  );
  assert.equal(wholeNumberArg("--n", { min: 1 })("5"), 5);
  refused(() => wholeNumberArg("--n", { min: 1 })("0x5"), /--n/);
});

Deno.test("parseCount and countFrom: N or all, --all as its alias", () => {
  assert.equal(parseCount("all"), "all");
  assert.equal(parseCount(" ALL "), "all");
  assert.equal(parseCount("3"), 3);
  refused(() => parseCount("0"), /--count must be a whole number of 1 or more \(or 'all'\)/);
  refused(() => parseCount("1e3"), /'1e3'/);
  assert.equal(countFrom({}), undefined);
  assert.equal(countFrom({ count: "7" }), 7);
  assert.equal(countFrom({ count: 7 }), 7);
  assert.equal(countFrom({ all: true }), "all");
  assert.equal(countFrom({ all: true, count: "all" }), "all");
  refused(() => countFrom({ all: true, count: 3 }), /--count and --all exclude each other/);
});

Deno.test("parseChoice: any case, one line listing the choices", () => {
  const choices = ["table", "json", "jsonl"] as const;
  assert.equal(parseChoice("--output", "JSON", choices), "json");
  assert.equal(parseChoice("--output", " jsonl ", choices), "jsonl");
  refused(
    () => parseChoice("--output", "xml", choices),
    /^--output must be table, json or jsonl, not 'xml'$/,
  );
});

Deno.test("optionalWholeNumber: undefined when the flag is absent, parseWholeNumber's rules otherwise", () => {
  assert.equal(optionalWholeNumber("--sample", undefined, { min: 1 }), undefined);
  assert.equal(optionalWholeNumber("--sample", " 12 ", { min: 1 }), 12);
  refused(
    () => optionalWholeNumber("--sample", "0", { min: 1 }),
    /^--sample must be a whole number of 1 or more, not '0'$/,
  );
});

Deno.test("checkSelectionFlags: an empty --seed or a blank --category name is refused in one line", () => {
  checkSelectionFlags({});
  checkSelectionFlags({ seed: "42", category: "Bot" });
  checkSelectionFlags({ seed: "any text", category: ["Bot", "Benign"] });
  refused(() => checkSelectionFlags({ seed: " " }), /^--seed needs a value/);
  refused(() => checkSelectionFlags({ category: "" }), /^--category needs a category name/);
  refused(
    () => checkSelectionFlags({ category: ["Bot", " "] }),
    /^--category needs a category name/,
  );
});

Deno.test("parseThreshold: a number from 0 to 1; anything else names the flag and the value", () => {
  assert.equal(parseThreshold("0.5"), 0.5);
  assert.equal(parseThreshold("0"), 0);
  assert.equal(parseThreshold("1"), 1);
  for (const value of ["", " ", "1.5", "-0.1", "abc", "NaN"]) {
    refused(
      () => parseThreshold(value),
      new RegExp(`^--threshold must be a number from 0 to 1, not '${value}'$`),
    );
  }
});
