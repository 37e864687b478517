import assert from "node:assert/strict";
import { ALERT_LINE_MAX_CHARS, alertLines } from "../../lib/view/alert_line.ts";
import { cicNotification, notificationOf } from "../support/notifications.ts";

Deno.test("alertLines: one line with time, short id, verdict, port/protocol, flow time, duration, packets, bytes", () => {
  const lines = alertLines(cicNotification());
  assert.equal(lines.length, 1);
  assert.equal(
    lines[0],
    "2026-11-23T18:35:44.789Z 9f86d081 ATTACK 80/TCP        21/02/2018 10:15:06 2m00s    fwd 4 pkts 1.17 KiB    bwd 3 pkts 935 B",
  );
});

Deno.test("alertLines: protocol names, human durations, raw prediction only when not 0/1", () => {
  const cases: [Partial<Record<string, string>>, RegExp][] = [
    [{ protocol: "17", dst_port: "53" }, / 53\/UDP /],
    [{ protocol: "0", dst_port: "0" }, / 0\/HOPOPT /],
    [{ protocol: "253" }, / 80\/proto 253 /],
    [{ flow_duration: "850" }, / 850 µs /],
    [{ flow_duration: "12345" }, / 12\.3 ms /],
    [{ flow_duration: "4560000" }, / 4\.56 s /],
    [{ flow_duration: "7384000000" }, / 2h03m /],
    [{ tot_fwd_pkts: "1", totlen_fwd_pkts: "0" }, / fwd 1 pkt 0 B /],
    [{ prediction: "0.73" }, / raw 0\.73$/],
  ];
  for (const [row, expected] of cases) {
    const [line] = alertLines(cicNotification(row));
    assert.match(line, expected, JSON.stringify(row));
  }
  assert.doesNotMatch(alertLines(cicNotification({ prediction: "1" }))[0], /raw/);
  assert.doesNotMatch(alertLines(cicNotification({ prediction: "0" }))[0], /raw/);
});

Deno.test("alertLines: aligned fields: the same columns start at the same place", () => {
  const a = alertLines(cicNotification({ dst_port: "8080", flow_duration: "850" }))[0];
  const b =
    alertLines(cicNotification({ dst_port: "22", protocol: "17", flow_duration: "7384000000" }))[0];
  for (const field of ["ATTACK", "21/02/2018", "fwd ", "bwd "]) {
    assert.equal(a.indexOf(field), b.indexOf(field), field);
  }
});

Deno.test("alertLines: hostile messages stay one escaped line under 160 characters", () => {
  const long = "x".repeat(500);
  const notification = notificationOf(
    JSON.stringify({
      columns: ["dst_port", "protocol", "timestamp", "tot_fwd_pkts", "prediction"],
      index: [1],
      data: [[long, "\u001b[2J", `\u001b]0;retitled\u0007${long}`, 12345678901234567890n, long]]
        .map((row) => row.map((cell) => typeof cell === "bigint" ? Number(cell) : cell)),
    }),
    { messageId: `id\u009b${long}`, timestamp: `\u001b[31m${long}` },
  );
  const [line] = alertLines(notification);
  assert.ok([...line].length <= ALERT_LINE_MAX_CHARS, `${[...line].length}: ${line}`);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/);
  assert.match(line, /\\x1b/);
  assert.doesNotMatch(line, /\n/);
});

Deno.test("alertLines: a flow without the usual columns still gets its line", () => {
  const [line] = alertLines(
    notificationOf('{"columns":["a","prediction"],"index":[0],"data":[[1,1]]}'),
  );
  assert.match(
    line,
    /^2026-11-23T18:35:44\.789Z 9f86d081 ATTACK \?\/\? +- +- +fwd \? pkts \? B +bwd \? pkts \? B$/,
  );
});

Deno.test("alertLines: colour on a TTY marks the verdict, off leaves plain text", () => {
  const [plain] = alertLines(cicNotification(), { colour: false });
  const [coloured] = alertLines(cicNotification(), { colour: true });
  assert.ok(!plain.includes("\x1b["));
  assert.ok(coloured.includes("\x1b[1m\x1b[31mATTACK\x1b[39m\x1b[22m"), coloured);
  // deno-lint-ignore no-control-regex
  assert.equal(coloured.replace(/\x1b\[\d+m/g, ""), plain);
});

Deno.test("alertLines: int64 counts beyond 2^53 are shown in full", () => {
  const [line] = alertLines(cicNotification({ tot_fwd_pkts: "1199710477670935696" }));
  assert.match(line, /fwd 1199710477670935696 pkts/);
});
