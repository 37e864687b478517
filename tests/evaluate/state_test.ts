import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError } from "../../lib/errors.ts";
import {
  type BatchRecord,
  datasetIdentity,
  defaultStatePath,
  type EvaluationPlan,
  remainingRows,
  StateFile,
  tallyBatch,
} from "../../lib/evaluate/mod.ts";

const PLAN: EvaluationPlan = {
  dataset: { uri: "test.h5", key: null, identity: "test.h5 100 1", rows: 10 },
  apiUrl: "http://127.0.0.1:5000/api/predictions",
  selection: { categories: null, perCategory: null, sample: null, seed: 7 },
  selected: 10,
  batchSize: 4,
  threshold: 0.5,
  payloadFormat: "pandas-split",
  predictions: null,
  startedAt: "2026-11-30T10:00:00.000Z",
};

function record(first: number, last: number): BatchRecord {
  return {
    first,
    last,
    tally: tallyBatch(["Benign", "Bot"], [0, 1], 0.5),
    latencies: [1.5],
    attempts: 1,
    elapsed: last / 10,
  };
}

Deno.test("state: a plan and its batches are read back as written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sub", "run.jsonl");
    const state = await StateFile.create(path, PLAN);
    await Promise.all([state.append(record(0, 3)), state.append(record(8, 9))]);
    await state.close();
    const { state: again, plan, records } = await StateFile.open(path);
    again.close();
    assert.deepEqual(plan, PLAN);
    assert.deepEqual(records, [record(0, 3), record(8, 9)]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: a line cut short by a crash is dropped and cut off the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "run.jsonl");
    const state = await StateFile.create(path, PLAN);
    await state.append(record(0, 3));
    await state.close();
    const whole = await Deno.readTextFile(path);
    const torn = JSON.stringify(record(4, 7)).slice(0, 25);
    await Deno.writeTextFile(path, whole + torn);
    const { state: again, records } = await StateFile.open(path);
    assert.deepEqual(records, [record(0, 3)]);
    assert.equal(await Deno.readTextFile(path), whole);
    // Appending after the cut continues cleanly.
    await again.append(record(4, 7));
    await again.close();
    const { state: third, records: all } = await StateFile.open(path);
    await third.remove();
    assert.deepEqual(all, [record(0, 3), record(4, 7)]);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: a missing file or a file that is not a state is an input error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(StateFile.open(join(dir, "none.jsonl")), InputError);
    await Deno.writeTextFile(join(dir, "other.jsonl"), '{"hello":1}\n');
    await assert.rejects(StateFile.open(join(dir, "other.jsonl")), /not an mlids evaluation state/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: the rows left are those no completed batch covered", () => {
  const selected = Uint32Array.of(1, 3, 4, 6, 7, 9, 12);
  assert.deepEqual(
    [...remainingRows(selected, 20, [{ first: 3, last: 4 }, { first: 9, last: 12 }])],
    [1, 6, 7],
  );
  // A resumed batch may span an earlier one: both cover what lies between.
  assert.deepEqual(
    [...remainingRows(null, 10, [{ first: 2, last: 8 }, { first: 4, last: 5 }])],
    [0, 1, 9],
  );
  assert.deepEqual([...remainingRows(null, 4, [])], [0, 1, 2, 3]);
});

Deno.test("state: the default file is one per dataset, API and selection", async () => {
  const key = {
    datasetIdentity: "a",
    datasetKey: null,
    apiUrl: "http://x/api/predictions",
    categories: ["Bot", "Benign"],
    perCategory: null,
    sample: null,
    seed: null,
  };
  const path = defaultStatePath("/cache", key);
  assert.match(path, /^\/cache\/evaluate\/[0-9a-f]{24}\.jsonl$/);
  assert.equal(defaultStatePath("/cache", { ...key, categories: ["Benign", "Bot"] }), path);
  assert.notEqual(defaultStatePath("/cache", { ...key, apiUrl: "http://y/" }), path);
  assert.notEqual(defaultStatePath("/cache", { ...key, sample: 10 }), path);
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "d.h5");
    await Deno.writeTextFile(file, "one");
    const before = await datasetIdentity(file, file);
    await Deno.writeTextFile(file, "other bytes");
    assert.notEqual(await datasetIdentity(file, file), before);
    assert.equal(await datasetIdentity("s3://b/k.h5", null), "s3://b/k.h5");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
