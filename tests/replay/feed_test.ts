import assert from "node:assert/strict";
import { InputError } from "../../lib/errors.ts";
import {
  FlowFeed,
  PRELOAD_BYTES,
  readFlowTimes,
  rowBytesOf,
  SHUFFLED_WINDOW_SENDS,
  WINDOW_SENDS,
  windowSendsFor,
} from "../../lib/replay/feed.ts";
import { ratePlan } from "../../lib/replay/plan.ts";
import { memoryDataset, syntheticFlows } from "../support/synthetic_flows.ts";

Deno.test("FlowFeed: windows of consecutive sends, in send order, the flows starting over when the plan is longer", async () => {
  const frame = syntheticFlows(30);
  const dataset = memoryDataset(frame);
  const reads: number[] = [];
  const counted = {
    readRows: (rows: ArrayLike<number>) => {
      reads.push(rows.length);
      return dataset.readRows(rows);
    },
  };
  // The chosen flows are rows 10..29; 50 sends at a rate go through them 2.5 times.
  const chosen = Uint32Array.from({ length: 20 }, (_, i) => 10 + i);
  const plan = ratePlan(chosen.length, 100, { count: 50 });
  const feed = new FlowFeed(counted, chosen, plan, { windowSends: 16 });
  const stamps = frame.columns[2].values as string[];
  for (let i = 0; i < plan.length; i++) {
    const window = await feed.window(i);
    assert.equal(window.start, Math.floor(i / 16) * 16);
    const sent = (window.frame.columns[2].values as string[])[i - window.start];
    assert.equal(sent, stamps[10 + (i % 20)], `send ${i}`);
  }
  // Four windows, each read once (the last one short).
  assert.deepEqual(reads, [16, 16, 16, 2]);
});

Deno.test("FlowFeed: a plan that fits is read whole before the first send", async () => {
  const frame = syntheticFlows(10);
  const plan = ratePlan(10, 100);
  const rows = Uint32Array.from({ length: 10 }, (_, i) => i);
  const window = await new FlowFeed(memoryDataset(frame), rows, plan).window(7);
  assert.equal(window.start, 0);
  assert.equal(window.frame.length, 10);
});

Deno.test("windowSendsFor: the whole plan when its flows fit in memory, else windows", () => {
  const mlIds = [
    ...Array(17).fill({ dtype: "uint32" }),
    ...Array(20).fill({ dtype: "uint8" }),
    ...Array(2).fill({ dtype: "object" }),
    ...Array(6).fill({ dtype: "int64" }),
    ...Array(7).fill({ dtype: "uint16" }),
    ...Array(22).fill({ dtype: "float32" }),
    ...Array(2).fill({ dtype: "float64" }),
    ...Array(2).fill({ dtype: "int32" }),
    ...Array(2).fill({ dtype: "uint64" }),
  ];
  const rowBytes = rowBytesOf(mlIds);
  assert.equal(rowBytes, 374);
  const fits = Math.floor(PRELOAD_BYTES / rowBytes);
  assert.equal(
    windowSendsFor(ratePlan(10, 2000, { count: fits }), rowBytes, { datasetOrder: true }),
    fits,
  );
  const long = ratePlan(10, 2000, { count: fits + 1 });
  assert.equal(windowSendsFor(long, rowBytes, { datasetOrder: true }), WINDOW_SENDS);
  assert.equal(windowSendsFor(long, rowBytes, { datasetOrder: false }), SHUFFLED_WINDOW_SENDS);
});

Deno.test("readFlowTimes: the chosen rows' timestamps, in their order", async () => {
  const frame = syntheticFlows(40);
  const times = await readFlowTimes(memoryDataset(frame), Uint32Array.from([3, 17, 39]));
  assert.deepEqual([...times.ms], [3, 17, 39].map((s) => Date.UTC(2018, 1, 14, 8, 0, s)));
  assert.deepEqual([...times.resolutionMs], [1000, 1000, 1000]);
});

Deno.test("readFlowTimes: no timestamp column, or one in no known form, is an InputError saying to use --rate", async () => {
  const frame = syntheticFlows(5, { timestamps: ["14/02/2018 08:00:00", "soon", "", "", ""] });
  await assert.rejects(
    () => readFlowTimes(memoryDataset(frame), Uint32Array.from([0, 1])),
    (error: unknown) =>
      error instanceof InputError &&
      /row 1 has a timestamp in no known form: "soon"/.test(error.message) &&
      /--rate/.test(error.hint ?? ""),
  );
  const noStamps = syntheticFlows(3);
  const dataset = memoryDataset({
    ...noStamps,
    columns: noStamps.columns.filter((c) => c.name !== "timestamp"),
  });
  await assert.rejects(
    () => readFlowTimes(dataset, Uint32Array.from([0])),
    /no 'timestamp' column/,
  );
  const numeric = syntheticFlows(3);
  const epoch = memoryDataset({
    ...numeric,
    columns: numeric.columns.map((c) =>
      c.name === "timestamp" ? { ...c, dtype: "int64", values: BigInt64Array.of(1n, 2n, 3n) } : c
    ),
  });
  await assert.rejects(() => readFlowTimes(epoch, Uint32Array.from([0])), /holds numbers/);
});
