import assert from "node:assert/strict";
import { PredictionApi } from "../../lib/predict/mod.ts";
import { FlowFeed } from "../../lib/replay/feed.ts";
import { fingerprintLayout } from "../../lib/replay/fingerprint.ts";
import { ratePlan } from "../../lib/replay/plan.ts";
import { Replay } from "../../lib/replay/run.ts";
import { encodeSplitJson, takeRows } from "../../lib/frame/mod.ts";
import { createIdsTopology, emulatorQueue, queueCounts, withEmulator } from "../../dev/emulator.ts";
import { publishPrediction } from "../../dev/publish_notifications.ts";
import { standinPrediction, startStandinApi } from "../../dev/standin_api.ts";
import { memoryDataset, SYNTHETIC_FEATURES, syntheticFlows } from "../support/synthetic_flows.ts";
import { waitUntil } from "../support/wait.ts";

Deno.test("Replay: stopping mid-run sends nothing more, cancels what waits and still sums up", async () => {
  const api = await startStandinApi({ delayMs: 200 });
  const client = new PredictionApi({ apiUrl: api.url });
  try {
    const frame = syntheticFlows(200);
    const plan = ratePlan(frame.length, 100);
    const controller = new AbortController();
    const replay = new Replay({
      api: client,
      plan,
      feed: new FlowFeed(
        memoryDataset(frame),
        Uint32Array.from({ length: 200 }, (_, i) => i),
        plan,
      ),
      featureColumns: SYNTHETIC_FEATURES,
      signal: controller.signal,
    });
    // Stopped once 20 requests arrived (about 0.2 s in at 100 flows/s, with about 20 still
    // waiting for their answer), not after a fixed time a loaded machine can overrun.
    const stopping = waitUntil(() => api.requests.length >= 20, "20 requests", { intervalMs: 5 })
      .then(() => controller.abort());
    const result = await replay.run();
    await stopping;
    assert.equal(replay.phase, "done");
    const { stats } = result;
    // About 20, or more when the machine is slow to notice; never all.
    assert.ok(stats.sent >= 20 && stats.sent < 200, `sent ${stats.sent}`);
    // Nothing leaves after the stop: the API saw exactly what was sent, also a moment later.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(api.requests.length, stats.sent);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.answered + stats.cancelled + stats.failed, stats.sent);
    assert.ok(stats.cancelled > 0);
    assert.equal(stats.failed, 0);
    assert.equal(result.alerts, null);
  } finally {
    client.close();
    await api.close();
  }
});

Deno.test("Replay with a queue: lost notifications are missing after the alert timeout; a stray alert is unexpected, a repeated one a duplicate; only this run's are deleted", async () => {
  await withEmulator(async (emulator) => {
    const topology = await createIdsTopology(emulator);
    // Every 4th attack's notification is lost on the way.
    const api = await startStandinApi({
      sns: { client: emulator.sns, topicArn: topology.topicArn },
      loseAttackEvery: 4,
    });
    const client = new PredictionApi({ apiUrl: api.url });
    try {
      const frame = syntheticFlows(60);
      const sent = takeRows(frame, Uint32Array.from({ length: 40 }, (_, i) => i));
      const plan = ratePlan(sent.length, 200);
      const replay = new Replay({
        api: client,
        plan,
        feed: new FlowFeed(
          memoryDataset(sent),
          Uint32Array.from({ length: 40 }, (_, i) => i),
          plan,
        ),
        featureColumns: SYNTHETIC_FEATURES,
        alerts: {
          layout: fingerprintLayout(sent, SYNTHETIC_FEATURES),
          alertTimeoutMs: 2000,
          watch: {
            connection: emulatorQueue(emulator, topology.queueUrl),
            deleteMessages: true,
          },
        },
      });
      // While it runs: an alert for a flow never sent (row 50) and a second one for a sent attack.
      const rowOf = (row: number) =>
        JSON.parse(encodeSplitJson(takeRows(frame, [row]), { columns: SYNTHETIC_FEATURES }));
      const firstAttack = Array.from({ length: 40 }, (_, i) => i).find((i) => {
        const split = rowOf(i);
        return standinPrediction(
          Object.fromEntries(split.columns.map((c: string, k: number) => [c, split.data[0][k]])),
        ) === 1;
      })!;
      const injected = (async () => {
        while (replay.phase !== "awaiting-alerts") await new Promise((r) => setTimeout(r, 20));
        for (const row of [50, firstAttack]) {
          const split = rowOf(row);
          await publishPrediction(emulator.sns, topology.topicArn, {
            columns: split.columns,
            index: 0,
            row: split.data[0],
            prediction: 1,
          });
        }
      })();
      const started = performance.now();
      const result = await replay.run();
      await injected;
      const waited = performance.now() - started;
      const alerts = result.alerts!;
      const c = alerts.counts;
      assert.equal(c.expected, api.predictedAttacks);
      assert.ok(api.notificationsLost >= 3, `${api.notificationsLost} lost`);
      assert.equal(c.missing, api.notificationsLost);
      assert.equal(c.matched, c.expected - api.notificationsLost);
      assert.equal(alerts.timedOut, true);
      assert.ok(waited >= 2000, "waited out the alert timeout");
      assert.equal(c.unexpectedUnknown, 1);
      assert.equal(c.unexpected, 1);
      assert.equal(c.duplicates, 1);
      assert.equal(alerts.received, c.matched + 2);
      // Matched and the duplicate deleted; the stray one (no flow of this run) left in the queue.
      assert.equal(alerts.deleted, c.matched + 1);
      const left = await queueCounts(emulator.sqs, topology.queueUrl);
      assert.equal(left.visible + left.inFlight, 1);
    } finally {
      client.close();
      await api.close();
    }
  });
});
