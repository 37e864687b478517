import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../lib/errors.ts";
import { PredictionsFile, predictionsFormatOf } from "../../lib/evaluate/mod.ts";

Deno.test("predictions: CSV and JSON Lines, one line per flow, cut back on resume", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = join(dir, "p.csv");
    const file = await PredictionsFile.create(csv);
    assert.equal(file.bytes, file.headerBytes);
    const after = await file.write(
      BigInt64Array.of(10n, 11n),
      ["Benign", 'Brute Force, "Web"'],
      Float64Array.of(0, 0.75),
      0.5,
    );
    await file.write(BigInt64Array.of(12n), [null], Float64Array.of(1), 0.5);
    file.close();
    assert.equal(
      await Deno.readTextFile(csv),
      "index,label,prediction_raw,predicted_label\n10,Benign,0,Benign\n" +
        '11,"Brute Force, ""Web""",0.75,Attack\n12,,1,Attack\n',
    );
    const resumed = await PredictionsFile.resume(csv, after);
    await resumed.write(BigInt64Array.of(13n), ["Bot"], Float64Array.of(0.5), 0.5);
    resumed.close();
    assert.match(await Deno.readTextFile(csv), /0\.75,Attack\n13,Bot,0\.5,Attack\n$/);

    const jsonl = join(dir, "p.jsonl");
    const lines = await PredictionsFile.create(jsonl);
    await lines.write(BigInt64Array.of(9007199254740993n), ["Bot"], Float64Array.of(0.25), 0.5);
    lines.close();
    assert.deepEqual(
      await Deno.readTextFile(jsonl),
      '{"index":9007199254740993,"label":"Bot","prediction_raw":0.25,"predicted_label":"Benign"}\n',
    );
    await assert.rejects(PredictionsFile.resume(jsonl, 1000), /shorter than the saved run/);
    await assert.rejects(PredictionsFile.resume(join(dir, "gone.csv"), 0), /is gone/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("predictions: the format comes from the file name", async () => {
  assert.equal(predictionsFormatOf("a.CSV"), "csv");
  assert.equal(predictionsFormatOf("a.jsonl"), "jsonl");
  assert.throws(() => predictionsFormatOf("a.json"), UsageError);
  await assert.rejects(PredictionsFile.create("/nonexistent-dir/p.csv"), /folder does not exist/);
});
