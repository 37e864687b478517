import assert from "node:assert/strict";
import { notificationTable } from "../../lib/view/notification_table.ts";
import { CIC_COLUMNS, cicNotification, notificationOf } from "../support/notifications.ts";

Deno.test("notificationTable: heading, SNS time and row, then every column", () => {
  const text = notificationTable(cicNotification({ totlen_fwd_pkts: "1199710477670935696" }), {
    overflow: "nowrap",
    width: 80,
    colour: false,
  });
  const lines = text.split("\n");
  assert.equal(lines[0], "Attack detected [9f86d081-88e4-4f1c-9a3c-1b0ad5c0e7a2]");
  assert.equal(lines[1], "2026-11-23T18:35:44.789Z · row 17");
  for (const column of CIC_COLUMNS) assert.ok(lines[3].includes(` ${column} `), column);
  assert.ok(text.includes(" 1199710477670935696 "));
  assert.ok(text.endsWith("\n\n"));
});

Deno.test("notificationTable: wraps to the width, and says what a non-attack notification is", () => {
  const text = notificationTable(cicNotification(), { overflow: "wrap", width: 60, colour: false });
  assert.match(text, /\(part 1\/\d\)/);
  for (const line of text.split("\n")) assert.ok(line.length <= 60, line);
  const benign = notificationOf('{"columns":["a"],"index":[0],"data":[[1]]}', {
    attribute: "benign",
  });
  assert.match(
    notificationTable(benign, { overflow: "wrap", width: 60, colour: false }),
    /^Notification \[9f86d081-88e4-4f1c-9a3c-1b0ad5c0e7a2\] \(prediction: benign\)/,
  );
});
