import assert from "node:assert/strict";
import { parseFlowTimestamp } from "../../lib/replay/timestamps.ts";

Deno.test("parseFlowTimestamp: CICFlowMeter-V3 day-first timestamps have whole seconds", () => {
  assert.deepEqual(parseFlowTimestamp("14/02/2018 08:31:01"), {
    ms: Date.UTC(2018, 1, 14, 8, 31, 1),
    resolutionMs: 1000,
  });
  assert.equal(parseFlowTimestamp(" 2/3/2018 8:05:09 ")?.ms, Date.UTC(2018, 2, 2, 8, 5, 9));
});

Deno.test("parseFlowTimestamp: CIC-IDS2017 minutes and AM/PM", () => {
  assert.deepEqual(parseFlowTimestamp("3/7/2017 8:55"), {
    ms: Date.UTC(2017, 6, 3, 8, 55),
    resolutionMs: 60_000,
  });
  assert.equal(parseFlowTimestamp("7/7/2017 3:30:58 PM")?.ms, Date.UTC(2017, 6, 7, 15, 30, 58));
  assert.equal(parseFlowTimestamp("7/7/2017 12:00:00 AM")?.ms, Date.UTC(2017, 6, 7, 0, 0, 0));
  assert.equal(parseFlowTimestamp("7/7/2017 13:00:00 PM"), null);
});

Deno.test("parseFlowTimestamp: ISO style of the Python cicflowmeter, fractions keep their resolution", () => {
  assert.deepEqual(parseFlowTimestamp("2026-11-23 18:35:44"), {
    ms: Date.UTC(2026, 10, 23, 18, 35, 44),
    resolutionMs: 1000,
  });
  const fine = parseFlowTimestamp("2026-11-23T18:35:44.125")!;
  assert.equal(fine.ms, Date.UTC(2026, 10, 23, 18, 35, 44) + 125);
  assert.equal(fine.resolutionMs, 1);
});

Deno.test("parseFlowTimestamp: text in no known form, and dates that do not exist, are null", () => {
  for (
    const text of [
      "",
      "yesterday",
      "1518597061",
      "31/02/2018 10:00:00",
      "14/13/2018 10:00:00",
      "14/02/2018 25:00:00",
    ]
  ) {
    assert.equal(parseFlowTimestamp(text), null, text);
  }
});
