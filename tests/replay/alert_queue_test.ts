import assert from "node:assert/strict";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { RemoteError } from "../../lib/errors.ts";
import { AlertMatcher } from "../../lib/replay/alerts.ts";
import { watchAlerts } from "../../lib/replay/alert_queue.ts";
import { fingerprintLayout } from "../../lib/replay/fingerprint.ts";
import { createIdsTopology, emulatorQueue, queueCounts, withEmulator } from "../../dev/emulator.ts";
import { SYNTHETIC_FEATURES, syntheticFlows } from "../support/synthetic_flows.ts";
import { sleep, waitUntil } from "../support/wait.ts";

function matcher(): AlertMatcher {
  return new AlertMatcher(fingerprintLayout(syntheticFlows(1), SYNTHETIC_FEATURES), {
    alertTimeoutMs: 1000,
    startedAt: Date.now(),
  });
}

Deno.test("watchAlerts: a queue that does not exist fails before anything is sent", async () => {
  await withEmulator(async (emulator) => {
    const watch = await watchAlerts(matcher(), {
      connection: emulatorQueue(emulator, `${emulator.endpoint}/000000000000/no-such-queue`),
    });
    await assert.rejects(() => watch.ready, (error: unknown) => error instanceof RemoteError);
    await assert.rejects(() => watch.stop(), RemoteError);
  });
});

Deno.test("watchAlerts: messages that are no notification are counted once and left in the queue", async () => {
  await withEmulator(async (emulator) => {
    const topology = await createIdsTopology(emulator);
    for (const body of ["not json", '{"hello": 1}']) {
      await emulator.sqs.send(
        new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: body }),
      );
    }
    const watch = await watchAlerts(matcher(), {
      connection: emulatorQueue(emulator, topology.queueUrl),
      deleteMessages: true,
      visibilityTimeout: 1,
    });
    await watch.ready;
    await waitUntil(() => watch.received >= 2, "both messages received", { intervalMs: 20 });
    // Time for them to come back once after their 1 s visibility timeout (to be counted again,
    // were the counting wrong); a slow machine only makes this check weaker, never fail.
    await sleep(1500);
    await watch.stop();
    assert.equal(watch.received, 2);
    assert.equal(watch.malformed, 2);
    const left = await queueCounts(emulator.sqs, topology.queueUrl);
    assert.equal(left.visible + left.inFlight, 2);
  });
});
