import assert from "node:assert/strict";
import {
  fingerprintLayout,
  framePrinter,
  notifiedPrint,
  printsMatch,
} from "../../lib/replay/fingerprint.ts";
import { encodeSplitJson, takeRows } from "../../lib/frame/mod.ts";
import { SYNTHETIC_FEATURES, syntheticFlows } from "../support/synthetic_flows.ts";

const frame = syntheticFlows(20);
const layout = fingerprintLayout(frame, SYNTHETIC_FEATURES);
const print = framePrinter(layout, frame);

/** Row `row` as the API sends it back: its request's JSON, floats with at most 10 decimals. */
function echoed(row: number): { columns: string[]; values: unknown[] } {
  const split = JSON.parse(
    encodeSplitJson(takeRows(frame, [row]), { columns: SYNTHETIC_FEATURES }),
  );
  const values = (split.data[0] as unknown[]).map((value) =>
    typeof value === "number" && !Number.isInteger(value) ? Number(value.toFixed(10)) : value
  );
  return { columns: [...split.columns, "prediction"], values: [...values, 1] };
}

Deno.test("fingerprintLayout: integers, float32, float64 and text by the frame's columns", () => {
  assert.deepEqual(layout.kinds, ["integer", "integer", "text", "integer", "float32", "float64"]);
});

Deno.test("printsMatch: a row comes back through JSON with floats rounded to 10 decimals and still matches", () => {
  for (let row = 0; row < frame.length; row++) {
    const { columns, values } = echoed(row);
    assert.ok(
      printsMatch(layout, print(row), notifiedPrint(layout, columns, values)),
      `row ${row}`,
    );
  }
});

Deno.test("printsMatch: other rows, a changed float, a changed text do not match", () => {
  const { columns, values } = echoed(3);
  assert.ok(!printsMatch(layout, print(10), notifiedPrint(layout, columns, values)));
  const rate = columns.indexOf("flow_pkts_s");
  const nudged = values.with(rate, (values[rate] as number) * (1 + 1e-9));
  assert.ok(!printsMatch(layout, print(3), notifiedPrint(layout, columns, nudged)));
  const stamp = columns.indexOf("timestamp");
  const moved = values.with(stamp, "14/02/2018 09:00:00");
  assert.ok(!printsMatch(layout, print(3), notifiedPrint(layout, columns, moved)));
});

Deno.test("printsMatch: a timestamp pandas turned into a number is not compared; column order does not matter", () => {
  const { columns, values } = echoed(5);
  const stamp = columns.indexOf("timestamp");
  assert.ok(
    printsMatch(
      layout,
      print(5),
      notifiedPrint(layout, columns, values.with(stamp, 1518595205000)),
    ),
  );
  const reversed = notifiedPrint(layout, [...columns].reverse(), [...values].reverse());
  assert.ok(printsMatch(layout, print(5), reversed));
});

Deno.test("printsMatch: int64 beyond 2^53 compares as the double JSON gives back; NaN travels as null", () => {
  const big = syntheticFlows(1);
  (big.columns[3].values as BigInt64Array)[0] = 2n ** 60n + 1n;
  (big.columns[5].values as Float64Array)[0] = NaN;
  const bigLayout = fingerprintLayout(big, SYNTHETIC_FEATURES);
  const sent = framePrinter(bigLayout, big)(0);
  const text = encodeSplitJson(big, { columns: SYNTHETIC_FEATURES });
  assert.match(text, /1152921504606846977/);
  const parsed = JSON.parse(text);
  assert.ok(printsMatch(bigLayout, sent, notifiedPrint(bigLayout, parsed.columns, parsed.data[0])));
  const asDigits = (parsed.data[0] as unknown[]).with(3, "1152921504606846977");
  assert.ok(printsMatch(bigLayout, sent, notifiedPrint(bigLayout, parsed.columns, asDigits)));
  const notNull = (parsed.data[0] as unknown[]).with(5, 0);
  assert.ok(!printsMatch(bigLayout, sent, notifiedPrint(bigLayout, parsed.columns, notNull)));
});
