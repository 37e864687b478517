import assert from "node:assert/strict";
import { AlertMatcher } from "../../lib/replay/alerts.ts";
import { fingerprintLayout, framePrinter } from "../../lib/replay/fingerprint.ts";
import { encodeSplitJson, takeRows } from "../../lib/frame/mod.ts";
import { decodeNotification } from "../../lib/notify/notification.ts";
import { encodeNotificationMessage } from "../../dev/publish_notifications.ts";
import { SYNTHETIC_FEATURES, syntheticFlows } from "../support/synthetic_flows.ts";

const frame = syntheticFlows(12);
const layout = fingerprintLayout(frame, SYNTHETIC_FEATURES);
const print = framePrinter(layout, frame);
const STARTED = Date.UTC(2026, 10, 30, 12, 0, 0);

/**
 * The SQS message the API's notification of `row` becomes: its request row re-encoded with
 * pandas' 10 decimals, the `prediction` column and attribute, inside an SNS envelope.
 */
function notificationOf(row: number, options: { sentAt?: number; id?: string } = {}) {
  const split = JSON.parse(
    encodeSplitJson(takeRows(frame, [row]), { columns: SYNTHETIC_FEATURES }),
  );
  const values = (split.data[0] as unknown[]).map((value) =>
    typeof value === "number" && !Number.isInteger(value) ? Number(value.toFixed(10)) : value
  );
  const message = encodeNotificationMessage({
    columns: split.columns,
    index: 0,
    row: values,
    prediction: 1,
  });
  const decoded = decodeNotification({
    MessageId: options.id ?? `m-${row}`,
    Body: JSON.stringify({
      Type: "Notification",
      MessageId: `sns-${row}`,
      Message: message,
      Timestamp: new Date(options.sentAt ?? STARTED + 1000).toISOString(),
      MessageAttributes: { prediction: { Type: "String", Value: "attack" } },
    }),
  });
  assert.ok(decoded.ok);
  return decoded.notification;
}

function matcher(): AlertMatcher {
  return new AlertMatcher(layout, { alertTimeoutMs: 30_000, startedAt: STARTED });
}

Deno.test("AlertMatcher: every attack alerted once is matched, with its time to alert from the schedule", () => {
  const m = matcher();
  for (const row of [0, 2, 4]) m.addFlow(row, print(row), 100 * row);
  for (const row of [0, 2, 4]) m.answered(row, 1, 100 * row + 5);
  for (const row of [0, 2, 4]) {
    assert.deepEqual(m.receive(notificationOf(row), 100 * row + 250), ["matched"]);
  }
  const c = m.counts(true);
  assert.equal(c.expected, 3);
  assert.equal(c.matched, 3);
  assert.equal(c.missing, 0);
  assert.equal(c.unexpected, 0);
  assert.equal(c.duplicates, 0);
  assert.ok(m.settled);
  assert.equal(m.timeToAlert.count, 3);
  const p50 = m.timeToAlert.percentiles().p50!;
  assert.ok(p50 >= 250 && p50 < 250.5, `p50 ${p50}`);
});

Deno.test("AlertMatcher: identical flows are a multiset: three sent, four alerts is one duplicate", () => {
  const m = matcher();
  // The same row sent three times (a replay that starts over, or duplicate rows in the data).
  for (const id of [10, 11, 12]) {
    m.addFlow(id, print(7), id);
    m.answered(id, 1, id + 1);
  }
  const verdicts = [1, 2, 3, 4].map((n) =>
    m.receive(notificationOf(7, { id: `dup-${n}` }), 500)[0]
  );
  assert.deepEqual(verdicts, ["matched", "matched", "matched", "duplicate"]);
  const c = m.counts(true);
  assert.equal(c.matched, 3);
  assert.equal(c.duplicates, 1);
  assert.equal(c.unexpected, 0);
});

Deno.test("AlertMatcher: a missing alert, an alert for no flow sent, an alert for a flow answered benign", () => {
  const m = matcher();
  m.addFlow(0, print(0), 0);
  m.addFlow(1, print(1), 10);
  m.addFlow(2, print(2), 20);
  m.answered(0, 1, 5);
  m.answered(1, 0, 15);
  m.answered(2, 1, 25);
  assert.deepEqual(m.receive(notificationOf(2), 300), ["matched"]);
  assert.deepEqual(m.receive(notificationOf(9), 300), ["unknown"]);
  assert.deepEqual(m.receive(notificationOf(1), 300), ["benign"]);
  assert.ok(!m.settled);
  const c = m.counts(true);
  assert.equal(c.expected, 2);
  assert.equal(c.matched, 1);
  assert.equal(c.missing, 1);
  assert.equal(c.unexpected, 2);
  assert.equal(c.unexpectedUnknown, 1);
  assert.equal(c.unexpectedBenign, 1);
});

Deno.test("AlertMatcher: an alert before its flow's answer waits for the answer", () => {
  const m = matcher();
  m.addFlow(0, print(0), 0);
  m.addFlow(1, print(1), 0);
  m.addFlow(2, print(2), 0);
  assert.deepEqual(m.receive(notificationOf(0), 40), ["provisional"]);
  assert.deepEqual(m.receive(notificationOf(1), 40), ["provisional"]);
  assert.deepEqual(m.receive(notificationOf(2), 40), ["provisional"]);
  assert.ok(!m.settled);
  m.answered(0, 1, 60);
  m.answered(1, 0, 60);
  const c = m.counts(true);
  assert.equal(c.matched, 1);
  assert.equal(c.unexpectedBenign, 1);
  // Flow 2 never got its answer: at the end its alert is one without an answer.
  assert.equal(c.unexpectedUnanswered, 1);
  assert.equal(m.counts(false).unexpectedUnanswered, 0);
  assert.equal(m.timeToAlert.percentiles().max! < 41, true);
});

Deno.test("AlertMatcher: notifications sent before the run are stale, benign ones are not alerts", () => {
  const m = matcher();
  m.addFlow(0, print(0), 0);
  m.answered(0, 1, 1);
  assert.deepEqual(m.receive(notificationOf(0, { sentAt: STARTED - 60_000 }), 5), ["stale"]);
  const benign = {
    ...notificationOf(0),
    flows: [{ ...notificationOf(0).flows[0], prediction: "benign" as const }],
  };
  assert.deepEqual(m.receive(benign, 5), ["not-attack"]);
  const c = m.counts(true);
  assert.equal(c.stale, 1);
  assert.equal(c.notAttack, 1);
  assert.equal(c.missing, 1);
});

Deno.test("AlertMatcher: flows are forgotten --alert-timeout after their answer or match", () => {
  const m = matcher();
  m.addFlow(0, print(0), 0);
  m.addFlow(1, print(1), 0);
  m.answered(0, 1, 10);
  m.answered(1, 0, 10);
  m.receive(notificationOf(0), 20);
  m.prune(20 + 30_000);
  // Both forgotten: a late second alert for either is now for no flow this run still knows.
  assert.deepEqual(m.receive(notificationOf(0, { id: "late-0" }), 40_000), ["unknown"]);
  assert.deepEqual(m.receive(notificationOf(1, { id: "late-1" }), 40_000), ["unknown"]);
  assert.equal(m.counts(true).matched, 1);
});
