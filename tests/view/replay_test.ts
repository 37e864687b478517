import assert from "node:assert/strict";
import { renderMarkdown } from "../../lib/report/mod.ts";
import type { ReplaySummary } from "../../lib/replay/mod.ts";
import {
  formatMs,
  replayReport,
  replayStatusLine,
  replaySummaryTable,
} from "../../lib/view/replay.ts";

const percentiles = { p50: 1.25, p90: 3.5, p99: 12, p999: 48.75, max: 250 };
const summary: ReplaySummary = {
  asked_rate: 2000,
  achieved_rate: 1999.5,
  planned: 40_000,
  sent: 39_990,
  requests: 39_990,
  answered: 39_990,
  attacks: 12_345,
  failed: 0,
  cancelled: 0,
  late: 3,
  dropped: 10,
  duration_s: 20.001,
  max_in_flight: 256,
  latency_ms: percentiles,
  send_lag_ms: { p50: 0.5, p90: 0.9, p99: 2, p999: 9, max: 15 },
  failures: [],
  rate_over_time: [
    { start_s: 0, seconds: 1, asked: 2000, sent: 2000, answered: 1990 },
    { start_s: 1, seconds: 1, asked: 2000, sent: 1990, answered: 2000 },
  ],
  alerts: {
    expected: 12_345,
    matched: 12_340,
    missing: 5,
    unexpected: 2,
    duplicates: 1,
    unexpected_by_kind: { no_flow: 1, benign: 1, unanswered: 0 },
    stale: 4,
    received: 12_347,
    malformed: 0,
    deleted: 12_341,
    timed_out: true,
    time_to_alert_ms: { p50: 35, p90: 80, p99: 150, max: 900 },
  },
};

Deno.test("formatMs: sub-millisecond, tens and thousands", () => {
  assert.equal(formatMs(0.4235), "0.42 ms");
  assert.equal(formatMs(12.34), "12.3 ms");
  assert.equal(formatMs(1234.4), "1,234 ms");
  assert.equal(formatMs(null), "n/a");
});

Deno.test("replaySummaryTable: one figure a line, aligned, every count and percentile", () => {
  const text = replaySummaryTable(summary, { heading: "Replay of 39,990 flows", width: Infinity });
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], "Replay of 39,990 flows");
  assert.match(text, /^ {2}rate +asked 2,000\/s, achieved 2,000\/s$/m);
  assert.match(text, /^ {2}dropped +10 \(most in flight 256\)$/m);
  assert.match(
    text,
    /^ {2}latency +p50 1\.3 ms · p90 3\.5 ms · p99 12\.0 ms · p99\.9 48\.8 ms · max 250 ms$/m,
  );
  assert.match(
    text,
    /^ {2}alerts +12,345 expected · 12,340 matched · 5 missing · 2 unexpected · 1 duplicates$/m,
  );
  assert.match(
    text,
    /^ {2}unexpected +1 for no flow sent · 1 for flows answered benign · 0 for flows not answered$/m,
  );
  assert.match(text, /^ {2}left in the queue +4 sent before this run · 0 malformed$/m);
  assert.match(text, /^ {2}time to alert +p50 35\.0 ms · p90 80\.0 ms · p99 150 ms · max 900 ms$/m);
  const starts = new Set(
    lines.slice(1).map((line) => /^ {2}\S.*? {2,}(?=\S)/.exec(line)?.[0].length ?? -1),
  );
  assert.equal(starts.size, 1, "values start in one column");
  const narrow = replaySummaryTable(summary, { heading: "x", width: 60 });
  assert.ok(narrow.split("\n").every((line) => line.length <= 60), narrow);
});

Deno.test("replayStatusLine: rates, in flight, counts, latency so far and alerts", () => {
  const line = replayStatusLine({
    phase: "sending",
    elapsedSeconds: 12.34,
    planned: 40_000,
    askedRate: 2000,
    achievedRate: 1998.2,
    inFlight: 3,
    sent: 24_600,
    late: 0,
    dropped: 0,
    failed: 0,
    p50: 1.2,
    p99: 4.5,
    alerts: { received: 100, matched: 98, awaited: 7 },
  });
  assert.equal(
    line,
    "12.3s · sending · asked 2,000/s · achieved 1,998/s · in flight 3 · sent 24,600/40,000 · late 0 · dropped 0 · p50 1.2 ms · p99 4.5 ms · alerts 100 received, 98 matched, 7 awaited",
  );
});

Deno.test("replayReport: facts, rate over time, latency and time to alert, as Markdown too", () => {
  const report = replayReport(summary, {
    facts: [{ name: "API", value: "http://127.0.0.1:5000/api/predictions" }],
    distributions: {
      latency: [{ percentile: 50, ms: 1.25 }, { percentile: 100, ms: 250 }],
      sendLag: [{ percentile: 50, ms: 0.5 }, { percentile: 100, ms: 15 }],
      timeToAlert: [{ percentile: 50, ms: 35 }, { percentile: 100, ms: 900 }],
    },
  });
  assert.deepEqual(report.sections.map((section) => section.title), [
    "Rate",
    "Latency",
    "Time to alert",
  ]);
  assert.deepEqual(report.data, summary);
  const markdown = renderMarkdown(report);
  assert.match(markdown, /\| Dropped \| 10 \|/);
  assert.match(markdown, /\| time to alert \| 35\.0 ms \| 80\.0 ms \| 150 ms \| 900 ms \|/);
  assert.match(markdown, /\| answered \| 1 \| 2000 \|/);
  const { alerts: _, ...withoutQueue } = summary;
  const plain = replayReport(withoutQueue, {
    facts: [],
    distributions: { latency: [], sendLag: [] },
  });
  assert.deepEqual(plain.sections.map((section) => section.title), ["Rate", "Latency"]);
});
