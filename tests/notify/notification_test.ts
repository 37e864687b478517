import assert from "node:assert/strict";
import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { decodeNotification } from "../../lib/notify/notification.ts";
import { createIdsTopology, startEmulator } from "../../dev/emulator.ts";
import { encodeNotificationMessage, publishPrediction } from "../../dev/publish_notifications.ts";

const COLUMNS = ["dst_port", "protocol", "timestamp", "flow_byts_s"];

function envelope(message: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "sns-1",
    TopicArn: "arn:aws:sns:eu-west-1:000000000000:ml-ids-predictions",
    Message: typeof message === "string" ? message : JSON.stringify(message),
    Timestamp: "2026-11-23T18:35:44.789Z",
    MessageAttributes: { prediction: { Type: "String", Value: "attack" } },
    ...extra,
  });
}

function sqsMessage(body: string | undefined, extra: Partial<Message> = {}): Message {
  return { MessageId: "m-1", ReceiptHandle: "rh", Body: body, ...extra };
}

const SPLIT = {
  columns: [...COLUMNS, "prediction"],
  index: [17],
  data: [[80, 17, "21/02/2018 10:15:06", null, 1]],
};

Deno.test("decodeNotification reads an SNS envelope: id, timestamp, index, prediction, values", () => {
  const decoded = decodeNotification(sqsMessage(envelope(SPLIT)));
  assert.ok(decoded.ok);
  const n = decoded.notification;
  assert.equal(n.messageId, "m-1");
  assert.equal(n.snsMessageId, "sns-1");
  assert.equal(n.delivery, "sns");
  assert.equal(n.sentAt, "2026-11-23T18:35:44.789Z");
  assert.deepEqual(n.columns, [...COLUMNS, "prediction"]);
  assert.equal(n.flows.length, 1);
  assert.equal(n.flows[0].index, 17);
  assert.equal(n.flows[0].prediction, "attack");
  assert.deepEqual(n.flows[0].values, [80, 17, "21/02/2018 10:15:06", null, 1]);
});

Deno.test("decodeNotification takes the prediction from the envelope attribute over the column", () => {
  const body = envelope({ ...SPLIT, data: [[80, 17, "t", 1, 0]] });
  const decoded = decodeNotification(sqsMessage(body));
  assert.ok(decoded.ok);
  assert.equal(decoded.notification.flows[0].prediction, "attack");
});

Deno.test("decodeNotification falls back to the SQS attribute, then to the prediction column", () => {
  const noEnvelopeAttribute = envelope(SPLIT, { MessageAttributes: undefined });
  const viaSqs = decodeNotification(
    sqsMessage(noEnvelopeAttribute, {
      MessageAttributes: { prediction: { DataType: "String", StringValue: "benign" } },
    }),
  );
  assert.ok(viaSqs.ok);
  assert.equal(viaSqs.notification.flows[0].prediction, "benign");
  const viaColumn = decodeNotification(sqsMessage(noEnvelopeAttribute));
  assert.ok(viaColumn.ok);
  assert.equal(viaColumn.notification.flows[0].prediction, "attack");
  const none = decodeNotification(
    sqsMessage(envelope({ columns: ["a"], data: [[1]] }, { MessageAttributes: undefined })),
  );
  assert.ok(none.ok);
  assert.equal(none.notification.flows[0].prediction, null);
  assert.equal(none.notification.flows[0].index, null);
});

Deno.test("decodeNotification reads a raw-delivery body with the SQS attribute and SentTimestamp", () => {
  const decoded = decodeNotification(sqsMessage(JSON.stringify(SPLIT), {
    MessageAttributes: { prediction: { DataType: "String", StringValue: "attack" } },
    Attributes: { SentTimestamp: String(Date.UTC(2026, 10, 23, 18, 35, 44, 789)) },
  }));
  assert.ok(decoded.ok);
  assert.equal(decoded.notification.delivery, "raw");
  assert.equal(decoded.notification.sentAt, "2026-11-23T18:35:44.789Z");
  assert.equal(decoded.notification.flows[0].prediction, "attack");
  assert.equal(decoded.notification.snsMessageId, undefined);
});

Deno.test("decodeNotification names why a message is malformed and never throws", () => {
  const cases: [string | undefined, RegExp][] = [
    [undefined, /empty/],
    ["", /empty/],
    ["not json at all \x1b[2J", /not JSON/],
    ["[1, 2]", /not an object/],
    [JSON.stringify({ hello: "world" }), /without "Message"/],
    [JSON.stringify({ Type: "Notification", Subject: "x" }), /no "Message"/],
    [envelope({ Message: 3 }, { Message: 3 }), /no "Message"/],
    [envelope("this is not split json"), /Message is not JSON/],
    [envelope({ columns: ["a"], data: [[1, 2]] }), /row 0 has 2 values for 1 columns/],
    [envelope({ columns: ["a"], data: [] }), /no rows/],
    [envelope({ columns: ["a"], index: [1, 2], data: [[1]] }), /index/],
    [JSON.stringify({ columns: ["a"] }), /no "data"/],
  ];
  for (const [body, reason] of cases) {
    const decoded = decodeNotification(sqsMessage(body, { MessageId: "bad-1" }));
    assert.equal(decoded.ok, false, `${body} should be malformed`);
    if (!decoded.ok) {
      assert.equal(decoded.malformed.messageId, "bad-1");
      assert.match(decoded.malformed.reason, reason, String(body));
    }
  }
});

Deno.test("decodeNotification keeps int64 beyond 2^53 exact, in cells and the index", () => {
  const message =
    '{"columns":["tot_bytes","x","prediction"],"index":[9223372036854775807],"data":[[1199710477670935696,0.0612614099,1]]}';
  const decoded = decodeNotification(sqsMessage(envelope(message)));
  assert.ok(decoded.ok);
  const flow = decoded.notification.flows[0];
  assert.equal(flow.index, 9223372036854775807n);
  assert.deepEqual(flow.values, [1199710477670935696n, 0.0612614099, 1]);
  // The same through raw delivery, where the body is the split JSON itself.
  const raw = decodeNotification(sqsMessage(message));
  assert.ok(raw.ok);
  assert.equal(raw.notification.flows[0].values[0], 1199710477670935696n);
});

Deno.test("notifications published through SNS as the API does decode, in both deliveries", async () => {
  const emulator = await startEmulator();
  try {
    const sns = await createIdsTopology(emulator, { queueName: "envelope" });
    const raw = await createIdsTopology(emulator, {
      queueName: "raw",
      topicName: "raw-topic",
      rawDelivery: true,
    });
    const notice = {
      columns: COLUMNS,
      index: 42,
      row: [443, 6, "21/02/2018 10:15:06", 1.5],
      prediction: 1 as const,
    };
    assert.equal(
      encodeNotificationMessage(notice),
      '{"columns":["dst_port","protocol","timestamp","flow_byts_s","prediction"],"index":[42],"data":[[443,6,"21/02/2018 10:15:06",1.5,1]]}',
    );
    await publishPrediction(emulator.sns, sns.topicArn, notice);
    await publishPrediction(emulator.sns, raw.topicArn, notice);
    for (const [queueUrl, delivery] of [[sns.queueUrl, "sns"], [raw.queueUrl, "raw"]] as const) {
      const received = await emulator.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["SentTimestamp"],
        }),
      );
      assert.equal(received.Messages?.length, 1);
      const decoded = decodeNotification(received.Messages![0]);
      assert.ok(decoded.ok, JSON.stringify(decoded));
      const n = decoded.notification;
      assert.equal(n.delivery, delivery);
      assert.equal(n.messageId, received.Messages![0].MessageId);
      assert.match(n.sentAt ?? "", /^\d{4}-\d\d-\d\dT/);
      assert.equal(n.flows[0].index, 42);
      assert.equal(n.flows[0].prediction, "attack");
      assert.deepEqual(n.flows[0].values, [443, 6, "21/02/2018 10:15:06", 1.5, 1]);
    }
  } finally {
    await emulator.stop();
  }
});
