import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type StandinApi,
  type StandinApiOptions,
  standinPrediction,
} from "../../dev/standin_api.ts";
import { withStandinApi } from "../support/standin.ts";
import { type FlowDataset, openDataset } from "../../lib/dataset/mod.ts";
import {
  type CompletedBatch,
  type PipelineOptions,
  runPipeline,
  Tally,
  tallyBatch,
} from "../../lib/evaluate/mod.ts";
import { cellAt, type FlowFrame } from "../../lib/frame/mod.ts";
import { isRetryable, labelsOf, PredictionApi } from "../../lib/predict/mod.ts";

const DEMO = fileURLToPath(new URL("../../dev/demo_data/ml-ids-demo.h5", import.meta.url));

async function withDataset(work: (dataset: FlowDataset) => Promise<void>): Promise<void> {
  const cacheDir = await Deno.makeTempDir({ prefix: "mlids-pipeline-" });
  const dataset = await openDataset(DEMO, { cacheDir });
  try {
    await work(dataset);
  } finally {
    dataset.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

/**
 * Runs `body` with a stand-in started with `options`, a client of it and the demo dataset, and
 * releases all three afterwards, whatever happens.
 */
async function withPipeline(
  options: StandinApiOptions,
  body: (parts: { server: StandinApi; api: PredictionApi; dataset: FlowDataset }) => Promise<void>,
): Promise<void> {
  await withStandinApi(options, async (server) => {
    const api = new PredictionApi({ apiUrl: server.url });
    try {
      await withDataset((dataset) => body({ server, api, dataset }));
    } finally {
      api.close();
    }
  });
}

function featuresOf(dataset: FlowDataset): string[] {
  return dataset.info.columns.map((c) => c.name).filter((n) => n !== dataset.info.labelColumn);
}

/** The stand-in's verdict on each flow of `frame`, worked out here from the same rule. */
function expectedRaw(frame: FlowFrame): number[] {
  return Array.from({ length: frame.length }, (_, row) => {
    const values: Record<string, unknown> = {};
    for (const column of frame.columns) {
      const value = cellAt(column, row);
      values[column.name] = typeof value === "bigint" ? Number(value) : value;
    }
    return standinPrediction(values);
  });
}

function options(
  dataset: FlowDataset,
  api: PredictionApi,
  extra: Partial<PipelineOptions>,
): PipelineOptions {
  return {
    rows: null,
    featureColumns: featuresOf(dataset),
    labelColumn: dataset.info.labelColumn,
    endpoint: api,
    isRetryable,
    batchSize: 250,
    concurrency: 3,
    retries: 2,
    retryBaseMs: 1,
    threshold: 0.5,
    onBatch: () => Promise.resolve(),
    ...extra,
  };
}

Deno.test("pipeline: every flow sent once in batches, scored as the API answered", async () => {
  await withPipeline({ recordBodies: false }, async ({ server, api, dataset }) => {
    const batches: CompletedBatch[] = [];
    const tally = new Tally();
    const outcome = await runPipeline(
      dataset,
      options(dataset, api, {
        onBatch: (batch) => {
          batches.push(batch);
          tally.add(batch.tally);
          return Promise.resolve();
        },
      }),
    );
    assert.equal(outcome.answered, 3000);
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.stopped, false);
    assert.equal(server.flowsPredicted, 3000);
    assert.ok(server.maxInFlight <= 3, `at most 3 requests at once, saw ${server.maxInFlight}`);
    assert.ok(batches.every((b) => b.raw.length <= 250 && b.attempts === 1));
    assert.equal(batches.flatMap((b) => b.latencies).length, batches.length);
    // Every row once: the batches' spans tile the dataset.
    const spans = batches.map((b) => [b.first, b.last]).sort((a, b) => a[0] - b[0]);
    assert.equal(spans[0][0], 0);
    assert.equal(spans[spans.length - 1][1], 2999);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i][0], spans[i - 1][1] + 1);
    // The counts are the stand-in's rule applied to the dataset's own flows and labels.
    const frame = await dataset.readRows(Uint32Array.from({ length: 3000 }, (_, i) => i));
    const want = new Tally();
    want.add(tallyBatch(labelsOf(frame, "label"), expectedRaw(frame), 0.5));
    assert.deepEqual(tally.confusion, want.confusion);
    assert.deepEqual(tally.categories(), want.categories());
  });
});

Deno.test("pipeline: only the rows asked for; retried requests count their attempts", async () => {
  await withPipeline({ recordBodies: false, failFirst: 2 }, async ({ server, api, dataset }) => {
    const rows = Uint32Array.from({ length: 300 }, (_, i) => i * 10);
    const batches: CompletedBatch[] = [];
    const outcome = await runPipeline(
      dataset,
      options(dataset, api, {
        rows,
        concurrency: 1,
        batchSize: 100,
        onBatch: (batch) => {
          batches.push(batch);
          return Promise.resolve();
        },
      }),
    );
    assert.equal(outcome.answered, 300);
    assert.equal(server.flowsPredicted, 300);
    assert.equal(batches[0].attempts, 3, "two 500s, then an answer");
    assert.deepEqual([batches[0].first, batches[0].last], [0, 990]);
  });
});

Deno.test("pipeline: stop sends nothing new, lets requests in flight finish and hands them over", async () => {
  await withPipeline({ recordBodies: false, delayMs: 50 }, async ({ server, api, dataset }) => {
    const stop = new AbortController();
    const handed: CompletedBatch[] = [];
    const outcome = await runPipeline(
      dataset,
      options(dataset, api, {
        batchSize: 100,
        concurrency: 2,
        stop: stop.signal,
        onRequest: () => {
          if (server.requests.length >= 3) stop.abort();
        },
        onBatch: (batch) => {
          handed.push(batch);
          return Promise.resolve();
        },
      }),
    );
    assert.equal(outcome.stopped, true);
    // Everything the API answered was handed over: nothing answered is lost.
    assert.equal(outcome.answered, server.flowsPredicted);
    assert.equal(handed.length * 100, server.flowsPredicted);
    assert.ok(server.flowsPredicted < 3000 && server.flowsPredicted >= 300);
  });
});

Deno.test("pipeline: gives up after batches fail in a row, handing none over", async () => {
  await withPipeline({ recordBodies: false, failEvery: 1 }, async ({ api, dataset }) => {
    let handed = 0;
    const outcome = await runPipeline(
      dataset,
      options(dataset, api, {
        retries: 1,
        concurrency: 2,
        maxConsecutiveFailures: 3,
        onBatch: () => {
          handed++;
          return Promise.resolve();
        },
      }),
    );
    assert.equal(handed, 0);
    assert.ok(outcome.gaveUp !== null);
    assert.match(outcome.gaveUp.message, /HTTP 500/);
    assert.ok(outcome.failures.length >= 3 && outcome.failures.length <= 4);
    assert.ok(outcome.failures.every((f) => f.attempts === 2));
    assert.equal(outcome.answered, 0);
  });
});

Deno.test("pipeline: --max-rate spaces requests so flows go out no faster than asked", async () => {
  await withPipeline({}, async ({ server, api, dataset }) => {
    await runPipeline(
      dataset,
      options(dataset, api, {
        rows: Uint32Array.from({ length: 500 }, (_, i) => i),
        batchSize: 100,
        concurrency: 4,
        maxRate: 1000,
      }),
    );
    const requests = [...server.requests].sort((a, b) => a.receivedAt - b.receivedAt);
    assert.ok(requests.length >= 5);
    // At 1000 flows/s the last request leaves 400 ms after the first (unpaced, a few ms). The
    // first may reach the server late (a new connection), so half of that is asked for.
    const span = requests[requests.length - 1].receivedAt - requests[0].receivedAt;
    assert.ok(span >= 200, `500 flows within ${span} ms`);
    let before = 0;
    for (const request of requests) before += JSON.parse(request.body).data.length;
    assert.equal(before, 500);
  });
});

Deno.test("pipeline: a failing onBatch (a full disk) stops the run and is thrown", async () => {
  await withPipeline({ recordBodies: false }, async ({ server, api, dataset }) => {
    let calls = 0;
    await assert.rejects(
      runPipeline(
        dataset,
        options(dataset, api, {
          onBatch: () => {
            calls++;
            return Promise.reject(new Error("disk full"));
          },
        }),
      ),
      /disk full/,
    );
    assert.equal(calls, 1);
    assert.ok(server.flowsPredicted <= 250 * 4);
  });
});
