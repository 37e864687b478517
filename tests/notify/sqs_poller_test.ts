import assert from "node:assert/strict";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { RemoteError } from "../../lib/errors.ts";
import {
  classifyFailure,
  type PollEvent,
  pollQueue,
  type PollSummary,
} from "../../lib/notify/sqs_poller.ts";
import {
  createIdsTopology,
  queueCounts,
  startEmulator,
  TEST_CREDENTIALS,
} from "../../dev/emulator.ts";
import { publishPrediction, publishPredictions } from "../../dev/publish_notifications.ts";
import { flowIndexOf, notices, receiveIndexes, withIdsQueue } from "../support/ids_queue.ts";
import { waitUntil, withTimeout } from "../support/wait.ts";

function clientFor(endpoint: string, region = "eu-west-1"): SQSClient {
  return new SQSClient({
    region,
    endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    useQueueUrlAsEndpoint: false,
  });
}

/** Runs `body` with an SQS client of `endpoint`, destroyed afterwards, whatever happens. */
async function withSqsClient(
  endpoint: string,
  body: (sqs: SQSClient) => Promise<void>,
): Promise<void> {
  const sqs = clientFor(endpoint);
  try {
    await body(sqs);
  } finally {
    sqs.destroy();
  }
}

/** Runs pollQueue with a handler that records flow indexes and stops after `expected` or `idleMs`. */
async function consumeAll(
  sqs: SQSClient,
  queueUrl: string,
  options: {
    expected?: number;
    idleMs?: number;
    deleteMessages?: boolean;
    visibilityTimeout?: number;
    events?: PollEvent[];
  },
): Promise<{ seen: number[]; summary: PollSummary }> {
  const seen: number[] = [];
  const controller = new AbortController();
  const summary = await pollQueue(sqs, (messages) => {
    for (const m of messages) seen.push(flowIndexOf(m));
    if (options.expected !== undefined && seen.length >= options.expected) controller.abort();
    return { delete: messages };
  }, {
    queueUrl,
    waitTimeSeconds: 1,
    visibilityTimeout: options.visibilityTimeout ?? 30,
    signal: controller.signal,
    idleExitMs: options.idleMs ?? 3000,
    deleteMessages: options.deleteMessages ?? true,
    onEvent: (event) => options.events?.push(event),
    backoffMs: 50,
    maxBackoffMs: 400,
  });
  return { seen, summary };
}

Deno.test("pollQueue hands every notification over once and the queue is empty after deletion", async () => {
  await withIdsQueue({ publish: notices(57) }, async (emulator, topology) => {
    // Benign predictions are filtered out by the subscription, as in the ML-IDS deployment.
    await publishPredictions(
      emulator.sns,
      topology.topicArn,
      notices(5, { start: 1000, prediction: 0 }),
    );
    const events: PollEvent[] = [];
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const { seen, summary } = await consumeAll(sqs, topology.queueUrl, { expected: 57, events });
      assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 57 }, (_, i) => i));
      assert.equal(summary.received, 57);
      assert.equal(summary.deleted, 57);
      assert.equal(summary.deleteFailed, 0);
      assert.ok(events.some((e) => e.type === "deleted"));
      assert.deepEqual(await queueCounts(sqs, topology.queueUrl), { visible: 0, inFlight: 0 });
    });
  });
});

Deno.test("pollQueue without deletion leaves messages, which come back after the visibility timeout", async () => {
  await withIdsQueue({ publish: notices(4) }, async (emulator, topology) => {
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const { seen, summary } = await consumeAll(sqs, topology.queueUrl, {
        expected: 4,
        idleMs: 5000,
        deleteMessages: false,
        visibilityTimeout: 1,
      });
      assert.equal(summary.deleted, 0);
      assert.equal(seen.length, 4);
      const again = await receiveIndexes(sqs, topology.queueUrl, {
        count: 4,
        timeoutMs: 8000,
        visibilityTimeout: 30,
      });
      assert.deepEqual(again.sort(), [0, 1, 2, 3]);
    });
  });
});

Deno.test("pollQueue releases what the handler hands back and keeps what it does not delete", async () => {
  await withIdsQueue({ publish: notices(6) }, async (emulator, topology) => {
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const controller = new AbortController();
      const summary = await pollQueue(sqs, (messages) => {
        controller.abort();
        // Delete two, release two at once, leave the rest in flight until their timeout.
        return { delete: messages.slice(0, 2), release: messages.slice(2, 4) };
      }, {
        queueUrl: topology.queueUrl,
        waitTimeSeconds: 1,
        visibilityTimeout: 60,
        concurrency: 1,
        signal: controller.signal,
      });
      assert.equal(summary.received, 6);
      assert.equal(summary.deleted, 2);
      assert.equal(summary.released, 2);
      assert.deepEqual(await queueCounts(sqs, topology.queueUrl), { visible: 2, inFlight: 2 });
    });
  });
});

Deno.test("pollQueue stops after idleExitMs with no message and says so", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const { seen, summary } = await consumeAll(sqs, topology.queueUrl, { idleMs: 300 });
      assert.equal(seen.length, 0);
      assert.equal(summary.reason, "idle");
    });
  });
});

Deno.test("pollQueue stops on a signal in the middle of a batch and still deletes that batch", async () => {
  await withIdsQueue({ publish: notices(30) }, async (emulator, topology) => {
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const controller = new AbortController();
      const handled: number[] = [];
      const summary = await pollQueue(sqs, async (messages) => {
        controller.abort();
        // The stop arrives while the batch is being written: it must still be finished.
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const m of messages) handled.push(flowIndexOf(m));
        return { delete: messages };
      }, {
        queueUrl: topology.queueUrl,
        waitTimeSeconds: 1,
        visibilityTimeout: 1,
        signal: controller.signal,
      });
      assert.equal(summary.deleted, handled.length);
      assert.ok(handled.length >= 1 && handled.length < 30);
      // Everything not handled is still in the queue (some perhaps in flight for 1 s).
      const rest = await receiveIndexes(sqs, topology.queueUrl, {
        count: 30 - handled.length,
        timeoutMs: 10000,
        visibilityTimeout: 60,
      });
      assert.deepEqual(
        [...handled, ...rest].sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i),
      );
    });
  });
});

Deno.test("two pollers on one queue share the work: every message handled exactly once", async () => {
  await withIdsQueue({ publish: notices(200) }, async (emulator, topology) => {
    const a = clientFor(emulator.endpoint);
    const b = clientFor(emulator.endpoint);
    try {
      const [first, second] = await Promise.all([
        consumeAll(a, topology.queueUrl, { idleMs: 1500 }),
        consumeAll(b, topology.queueUrl, { idleMs: 1500 }),
      ]);
      const all = [...first.seen, ...second.seen].sort((x, y) => x - y);
      assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));
      assert.ok(first.seen.length > 0 && second.seen.length > 0, "both consumers got work");
      assert.deepEqual(await queueCounts(a, topology.queueUrl), { visible: 0, inFlight: 0 });
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});

Deno.test("pollQueue survives the emulator being stopped and restarted on the same port", async () => {
  let emulator = await startEmulator();
  const port = emulator.port;
  try {
    await withSqsClient(emulator.endpoint, async (sqs) => {
      let topology = await createIdsTopology(emulator);
      await publishPredictions(emulator.sns, topology.topicArn, notices(3));
      const events: PollEvent[] = [];
      const seen: number[] = [];
      const controller = new AbortController();
      const running = pollQueue(sqs, (messages) => {
        for (const m of messages) seen.push(flowIndexOf(m));
        if (seen.length >= 6) controller.abort();
        return { delete: messages };
      }, {
        queueUrl: topology.queueUrl,
        waitTimeSeconds: 1,
        signal: controller.signal,
        onEvent: (event) => events.push(event),
        backoffMs: 100,
        maxBackoffMs: 400,
      });
      // A failure shows in the assertions below, not as an uncaught rejection meanwhile.
      running.catch(() => {});
      const deleted = () =>
        events.reduce((sum, e) => sum + (e.type === "deleted" ? e.count : 0), 0);
      try {
        // Handled and deleted: the restart loses the queue, and with it any receipt still in use.
        await waitUntil(() => seen.length >= 3 && deleted() >= 3, "the first three deleted");
        await emulator.stop();
        await waitUntil(
          () => events.some((e) => e.type === "retry" && e.operation === "ReceiveMessage"),
          "a receive retry while the emulator is down",
        );
        // The poller's retries wait until the queue is there again, as it is after a real outage.
        emulator = await startEmulator({
          port,
          setup: async (restarted) => void (topology = await createIdsTopology(restarted)),
        });
        await publishPredictions(emulator.sns, topology.topicArn, notices(3, { start: 100 }));
        const summary = await withTimeout(running, 30_000, { what: "consumer did not recover" });
        assert.deepEqual(seen.sort((x, y) => x - y), [0, 1, 2, 100, 101, 102]);
        assert.equal(summary.deleted, 6);
        assert.ok(events.some((e) => e.type === "recovered" && e.operation === "ReceiveMessage"));
        const retry = events.find((e) => e.type === "retry");
        assert.ok(retry && retry.type === "retry" && /ECONN|socket|connect/i.test(retry.reason));
      } finally {
        controller.abort();
        await running.catch(() => {});
      }
    });
  } finally {
    await emulator.stop();
  }
});

// A loopback proxy in front of fauxqs that can answer SQS calls itself, to inject faults SQS
// produces (throttling, 5xx, partial batch failures, refusals) into real SDK round trips.
type Rule = (
  target: string,
  body: Record<string, unknown>,
  forward: (body: Record<string, unknown>) => Promise<Record<string, unknown>>,
) => Promise<Response | undefined> | Response | undefined;

function jsonResponse(status: number, body: unknown, errorCode?: string): Response {
  const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.0" };
  if (errorCode) headers["x-amzn-query-error"] = `${errorCode};Sender`;
  return new Response(JSON.stringify(body), { status, headers });
}

function startFaultProxy(
  upstream: string,
  rule: Rule,
): { endpoint: string; stop(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const text = await request.text();
    const target = (request.headers.get("x-amz-target") ?? "").replace("AmazonSQS.", "");
    const body = text ? JSON.parse(text) : {};
    const forwardRaw = (payload: Record<string, unknown>) =>
      fetch(upstream + new URL(request.url).pathname, {
        method: request.method,
        headers: {
          "content-type": request.headers.get("content-type") ?? "application/x-amz-json-1.0",
          "x-amz-target": request.headers.get("x-amz-target") ?? "",
          "authorization": request.headers.get("authorization") ?? "",
          "x-amz-date": request.headers.get("x-amz-date") ?? "",
        },
        body: JSON.stringify(payload),
      });
    const forward = async (payload: Record<string, unknown>) => {
      const response = await forwardRaw(payload);
      return await response.json();
    };
    const answer = await rule(target, body, forward);
    if (answer) return answer;
    const response = await forwardRaw(body);
    return new Response(await response.arrayBuffer(), {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "" },
    });
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    stop: () => server.shutdown(),
  };
}

Deno.test("pollQueue retries throttling and 5xx with backoff, and partial delete failures", async () => {
  await withIdsQueue({ publish: notices(10) }, async (emulator, topology) => {
    let receives = 0;
    let deletes = 0;
    const proxy = startFaultProxy(emulator.endpoint, async (target, body, forward) => {
      if (target === "ReceiveMessage") {
        receives++;
        if (receives === 1) {
          return jsonResponse(400, {
            __type: "com.amazonaws.sqs#RequestThrottled",
            message: "Rate exceeded",
          }, "AWS.SimpleQueueService.RequestThrottled");
        }
        if (receives === 2) {
          return jsonResponse(503, { __type: "ServiceUnavailable", message: "try later" });
        }
      }
      if (target === "DeleteMessageBatch") {
        deletes++;
        const entries = body.Entries as { Id: string; ReceiptHandle: string }[];
        if (deletes === 1 && entries.length > 1) {
          // Delete only the first entry; report the rest as a transient failure.
          await forward({ ...body, Entries: entries.slice(0, 1) });
          return jsonResponse(200, {
            Successful: [{ Id: entries[0].Id }],
            Failed: entries.slice(1).map((e) => ({
              Id: e.Id,
              Code: "InternalError",
              Message: "try again",
              SenderFault: false,
            })),
          });
        }
      }
      return undefined;
    });
    try {
      await withSqsClient(proxy.endpoint, async (sqs) => {
        const events: PollEvent[] = [];
        const { seen, summary } = await consumeAll(sqs, topology.queueUrl, {
          expected: 10,
          events,
        });
        assert.equal(seen.length, 10);
        assert.equal(summary.deleted, 10);
        assert.equal(summary.deleteFailed, 0);
        const retries = events.filter((e) => e.type === "retry");
        assert.ok(
          retries.some((e) =>
            e.type === "retry" && e.operation === "ReceiveMessage" &&
            /RequestThrottled/.test(e.reason)
          ),
        );
        assert.ok(retries.some((e) => e.type === "retry" && /503/.test(e.reason)));
        assert.ok(
          retries.some((e) =>
            e.type === "retry" && e.operation === "DeleteMessageBatch" &&
            /InternalError/.test(e.reason)
          ),
        );
        assert.ok(deletes >= 2);
        assert.deepEqual(await queueCounts(emulator.sqs, topology.queueUrl), {
          visible: 0,
          inFlight: 0,
        });
      });
    } finally {
      await proxy.stop();
    }
  });
});

Deno.test("pollQueue reports deletions that keep failing by message id", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await publishPrediction(emulator.sns, topology.topicArn, notices(1)[0]);
    const proxy = startFaultProxy(emulator.endpoint, (target, body) => {
      if (target !== "DeleteMessageBatch") return undefined;
      const entries = body.Entries as { Id: string }[];
      return jsonResponse(200, {
        Successful: [],
        Failed: entries.map((e) => ({
          Id: e.Id,
          Code: "ReceiptHandleIsInvalid",
          Message: "The receipt handle has expired.",
          SenderFault: true,
        })),
      });
    });
    try {
      await withSqsClient(proxy.endpoint, async (sqs) => {
        const events: PollEvent[] = [];
        const ids: string[] = [];
        const controller = new AbortController();
        const summary = await pollQueue(sqs, (messages) => {
          for (const m of messages) ids.push(m.MessageId!);
          controller.abort();
          return { delete: messages };
        }, {
          queueUrl: topology.queueUrl,
          waitTimeSeconds: 1,
          signal: controller.signal,
          onEvent: (event) => events.push(event),
        });
        assert.equal(summary.deleteFailed, 1);
        const failed = events.find((e) => e.type === "delete-failed");
        assert.ok(failed && failed.type === "delete-failed");
        assert.equal(failed.failures[0].messageId, ids[0]);
        assert.match(failed.failures[0].reason, /ReceiptHandleIsInvalid/);
      });
    } finally {
      await proxy.stop();
    }
  });
});

Deno.test("pollQueue ends with a clear RemoteError for a missing queue, bad credentials, access denied", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await withSqsClient(emulator.endpoint, async (missing) => {
      await assert.rejects(
        pollQueue(missing, () => ({}), {
          queueUrl: topology.queueUrl.replace("ml-ids-attacks", "no-such-queue"),
          waitTimeSeconds: 1,
        }),
        (error: unknown) =>
          error instanceof RemoteError && /does not exist/.test(error.message) &&
          /--queue-url/.test(error.hint ?? ""),
      );
    });
    const refusals: [string, number, RegExp][] = [
      ["InvalidClientTokenId", 403, /rejected the AWS credentials/],
      ["AccessDenied", 403, /denied/],
    ];
    for (const [code, status, expected] of refusals) {
      const proxy = startFaultProxy(emulator.endpoint, () =>
        jsonResponse(status, {
          __type: `com.amazonaws.sqs#${code}`,
          message: `refused: ${code}`,
        }, code));
      try {
        await withSqsClient(proxy.endpoint, async (sqs) => {
          await assert.rejects(
            pollQueue(sqs, () => ({}), { queueUrl: topology.queueUrl, waitTimeSeconds: 1 }),
            (error: unknown) => error instanceof RemoteError && expected.test(error.message),
          );
        });
      } finally {
        await proxy.stop();
      }
    }
  });
});

Deno.test("classifyFailure retries network, throttling and 5xx, and stops on client errors", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
  });
  assert.equal(classifyFailure(refused), "retry");
  assert.equal(classifyFailure({ name: "TimeoutError", message: "socket hang up" }), "retry");
  assert.equal(
    classifyFailure({ name: "InternalError", $metadata: { httpStatusCode: 500 } }),
    "retry",
  );
  assert.equal(
    classifyFailure({ name: "RequestThrottled", $metadata: { httpStatusCode: 400 } }),
    "retry",
  );
  assert.equal(
    classifyFailure({ name: "QueueDoesNotExist", $metadata: { httpStatusCode: 400 } }),
    "fatal",
  );
  assert.equal(classifyFailure({ name: "CredentialsProviderError", message: "x" }), "fatal");
  assert.equal(classifyFailure(new TypeError("x is not a function")), "fatal");
});

Deno.test("messages sent straight to the queue reach the handler untouched", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await emulator.sqs.send(
      new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: "x" }),
    );
    await withSqsClient(emulator.endpoint, async (sqs) => {
      const bodies: string[] = [];
      const controller = new AbortController();
      await pollQueue(sqs, (messages) => {
        for (const m of messages) bodies.push(m.Body ?? "");
        controller.abort();
        return {};
      }, { queueUrl: topology.queueUrl, waitTimeSeconds: 1, signal: controller.signal });
      assert.deepEqual(bodies, ["x"]);
      assert.deepEqual(await queueCounts(sqs, topology.queueUrl), { visible: 0, inFlight: 1 });
    });
  });
});
