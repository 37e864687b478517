import assert from "node:assert/strict";
import { decodeNotification } from "../../lib/notify/notification.ts";
import { flowRecordLines, flowRecords } from "../../lib/view/notification_json.ts";
import { FLOW_RECORD_KEYS, notificationOf } from "../support/notifications.ts";

Deno.test("flowRecords writes one record per flow with the jsonl schema", () => {
  const decoded = decodeNotification({
    MessageId: "m-1",
    Body: JSON.stringify({
      Type: "Notification",
      Message: JSON.stringify({
        columns: ["a", "__proto__", "prediction"],
        index: [3, 4],
        data: [[1, "x", 1], [2, "y", 0]],
      }),
      Timestamp: "2026-11-23T18:35:44.789Z",
    }),
  });
  assert.ok(decoded.ok);
  const received = new Date(Date.UTC(2026, 0, 1));
  const records = flowRecords(decoded.notification, received);
  assert.equal(records.length, 2);
  assert.deepEqual(Object.keys(records[0]), FLOW_RECORD_KEYS);
  assert.equal(records[0].received_at, "2026-01-01T00:00:00.000Z");
  assert.equal(records[1].prediction, "benign");
  assert.equal(records[1].index, 4);
  assert.deepEqual(JSON.parse(JSON.stringify(records[0].flow)), {
    a: 1,
    ["__proto__"]: "x",
    prediction: 1,
  });
});

Deno.test("flowRecordLines: int64 beyond 2^53 keeps every digit", () => {
  const notification = notificationOf(
    '{"columns":["tot_bytes","rate","prediction"],"index":[1199710477670935697],"data":[[1199710477670935696,0.0612614099,1]]}',
  );
  const [line] = flowRecordLines(notification, new Date(0));
  assert.match(line, /"index":1199710477670935697,/);
  assert.match(
    line,
    /"flow":\{"tot_bytes":1199710477670935696,"rate":0\.0612614099,"prediction":1\}/,
  );
  assert.ok(!line.includes("1199710477670935800"));
});
