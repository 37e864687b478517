/**
 * What `mlids replay` shows: the live status line while it runs, the summary table at the end, and
 * the report (rate over time, latency and time-to-alert distributions) built from the same numbers.
 * @module
 */

import type { LatencyPoint } from "../measure/mod.ts";
import type { Chart, ReportDocument, ReportSection } from "../report/mod.ts";
import type { PercentilesMs, ReplayProgress, ReplaySummary } from "../replay/mod.ts";
import { formatCount } from "../term/mod.ts";

/** A duration in ms as people read it: `0.42 ms`, `12.3 ms`, `1,234 ms`, `n/a`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "n/a";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${formatCount(Math.round(ms))} ms`;
}

/** A rate: `2,000/s`, `49.9/s`. */
function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "n/a";
  return rate >= 100 ? `${formatCount(Math.round(rate))}/s` : `${rate.toFixed(1)}/s`;
}

function percentilesText(p: Partial<PercentilesMs>): string {
  const parts: string[] = [];
  if ("p50" in p) parts.push(`p50 ${formatMs(p.p50 ?? null)}`);
  if ("p90" in p) parts.push(`p90 ${formatMs(p.p90 ?? null)}`);
  if ("p99" in p) parts.push(`p99 ${formatMs(p.p99 ?? null)}`);
  if ("p999" in p) parts.push(`p99.9 ${formatMs(p.p999 ?? null)}`);
  if ("max" in p) parts.push(`max ${formatMs(p.max ?? null)}`);
  return parts.join(" · ");
}

/** The live line: phase, rates, in flight, counts, latency so far and alerts. */
export function replayStatusLine(progress: ReplayProgress): string {
  const parts = [
    `${progress.elapsedSeconds.toFixed(1)}s`,
    progress.phase === "awaiting-alerts" ? "waiting for alerts" : progress.phase,
    `asked ${formatRate(progress.askedRate)}`,
    `achieved ${formatRate(progress.achievedRate)}`,
    `in flight ${formatCount(progress.inFlight)}`,
    `sent ${formatCount(progress.sent)}/${formatCount(progress.planned)}`,
    `late ${formatCount(progress.late)}`,
    `dropped ${formatCount(progress.dropped)}`,
  ];
  if (progress.failed > 0) parts.push(`failed ${formatCount(progress.failed)}`);
  parts.push(`p50 ${formatMs(progress.p50)}`, `p99 ${formatMs(progress.p99)}`);
  if (progress.alerts) {
    parts.push(
      `alerts ${formatCount(progress.alerts.received)} received, ${
        formatCount(progress.alerts.matched)
      } matched, ${formatCount(progress.alerts.awaited)} awaited`,
    );
  }
  return parts.join(" · ");
}

/** The summary's rows: what each figure is, and its value. */
export function replaySummaryRows(summary: ReplaySummary): [string, string][] {
  const rows: [string, string][] = [
    [
      "rate",
      `asked ${formatRate(summary.asked_rate)}, achieved ${formatRate(summary.achieved_rate)}`,
    ],
    [
      "flows",
      `${formatCount(summary.sent)} of ${formatCount(summary.planned)} sent in ${
        formatCount(summary.requests)
      } requests, ${formatCount(summary.answered)} answered (${
        formatCount(summary.attacks)
      } attack) in ${summary.duration_s.toFixed(1)} s`,
    ],
    ["late (> 10 ms)", formatCount(summary.late)],
    [
      "dropped",
      `${formatCount(summary.dropped)} (most in flight ${formatCount(summary.max_in_flight)})`,
    ],
    ["failed", formatCount(summary.failed)],
    ["latency", percentilesText(summary.latency_ms)],
    ["send lag", percentilesText(summary.send_lag_ms)],
  ];
  if (summary.cancelled > 0) rows.push(["cancelled", formatCount(summary.cancelled)]);
  for (const failure of summary.failures) {
    rows.push([`failed: ${formatCount(failure.flows)} flows`, failure.error]);
  }
  const alerts = summary.alerts;
  if (alerts) {
    rows.push([
      "alerts",
      `${formatCount(alerts.expected)} expected · ${formatCount(alerts.matched)} matched · ${
        formatCount(alerts.missing)
      } missing · ${formatCount(alerts.unexpected)} unexpected · ${
        formatCount(alerts.duplicates)
      } duplicates`,
    ]);
    const kinds = alerts.unexpected_by_kind;
    if (alerts.unexpected > 0) {
      rows.push([
        "unexpected",
        `${formatCount(kinds.no_flow)} for no flow sent · ${
          formatCount(kinds.benign)
        } for flows answered benign · ${formatCount(kinds.unanswered)} for flows not answered`,
      ]);
    }
    if (alerts.stale > 0 || alerts.malformed > 0) {
      rows.push([
        "left in the queue",
        `${formatCount(alerts.stale)} sent before this run · ${
          formatCount(alerts.malformed)
        } malformed`,
      ]);
    }
    rows.push(["time to alert", percentilesText(alerts.time_to_alert_ms)]);
  }
  return rows;
}

/**
 * The summary at the end of a run, under `heading`: one figure a line, names aligned, values
 * wrapped to `width` under their column (it reads as a table and pipes as lines).
 */
export function replaySummaryTable(
  summary: ReplaySummary,
  options: { heading: string; width?: number },
): string {
  const rows = replaySummaryRows(summary);
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const room = Math.max(30, (options.width ?? 100) - nameWidth - 4);
  const lines = [options.heading];
  for (const [name, value] of rows) {
    const parts = wrapWords(value, room);
    parts.forEach((part, i) => lines.push(`  ${(i === 0 ? name : "").padEnd(nameWidth)}  ${part}`));
  }
  return `${lines.join("\n")}\n`;
}

/** `text` cut at spaces into lines of at most `width` characters (a longer word stays whole). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** The distributions a report draws (each as LatencyHistogram.distribution() gives it). */
export interface ReplayDistributions {
  readonly latency: readonly LatencyPoint[];
  readonly sendLag: readonly LatencyPoint[];
  readonly timeToAlert?: readonly LatencyPoint[];
}

function percentileChart(
  series: { name: string; points: readonly LatencyPoint[] }[],
  valueTitle: string,
): Chart {
  return {
    type: "percentiles",
    series: series.filter((one) => one.points.length > 0).map((one) => ({
      name: one.name,
      points: one.points.map((point) => ({ percentile: point.percentile, value: point.ms })),
    })),
    valueTitle,
  };
}

/**
 * The report of a run: its facts, the rate asked and achieved over time, latency and send lag by
 * percentile, and with a queue the alert matching and the time-to-alert distribution.
 */
export function replayReport(
  summary: ReplaySummary,
  options: {
    facts: { name: string; value: string }[];
    distributions: ReplayDistributions;
    subtitle?: string;
    footer?: string;
  },
): ReportDocument {
  const steps = summary.rate_over_time;
  const perSecond = (pick: (step: typeof steps[number]) => number) =>
    steps.map((step) => ({ x: step.start_s, y: step.seconds > 0 ? pick(step) / step.seconds : 0 }));
  const sections: ReportSection[] = [
    {
      title: "Rate",
      blocks: [
        {
          kind: "metrics",
          items: [
            { name: "Asked", value: formatRate(summary.asked_rate), note: "flows per second" },
            { name: "Achieved", value: formatRate(summary.achieved_rate), note: "answered" },
            {
              name: "Sent",
              value: formatCount(summary.sent),
              note: `of ${formatCount(summary.planned)}`,
            },
            { name: "Late", value: formatCount(summary.late), note: "> 10 ms after schedule" },
            { name: "Dropped", value: formatCount(summary.dropped), note: "max in flight" },
            { name: "Failed", value: formatCount(summary.failed) },
          ],
        },
        {
          kind: "chart",
          caption: "Flows per second over the run: due by the schedule, sent, answered",
          chart: {
            type: "lines",
            series: [
              { name: "asked", points: perSecond((step) => step.asked) },
              { name: "sent", points: perSecond((step) => step.sent) },
              { name: "answered", points: perSecond((step) => step.answered) },
            ],
            xTitle: "seconds since start",
            yTitle: "flows per second",
          },
        },
      ],
    },
    {
      title: "Latency",
      blocks: [
        {
          kind: "text",
          text:
            "Latency runs from each flow's scheduled send time to its answer, so time lost before sending (a stalled sender, a full connection pool) counts too. Send lag is how late flows left.",
        },
        {
          kind: "table",
          headers: ["", "p50", "p90", "p99", "p99.9", "max"],
          rows: [
            ["latency from schedule", ...percentileCells(summary.latency_ms)],
            ["send lag", ...percentileCells(summary.send_lag_ms)],
          ],
        },
        {
          kind: "chart",
          caption: "Latency by percentile",
          chart: percentileChart([
            { name: "latency from schedule", points: options.distributions.latency },
            { name: "send lag", points: options.distributions.sendLag },
          ], "ms"),
        },
      ],
    },
  ];
  const alerts = summary.alerts;
  if (alerts) {
    sections.push({
      title: "Time to alert",
      blocks: [
        {
          kind: "metrics",
          items: [
            { name: "Expected", value: formatCount(alerts.expected), note: "answered attack" },
            { name: "Matched", value: formatCount(alerts.matched) },
            { name: "Missing", value: formatCount(alerts.missing) },
            { name: "Unexpected", value: formatCount(alerts.unexpected) },
            { name: "Duplicates", value: formatCount(alerts.duplicates) },
          ],
        },
        {
          kind: "table",
          headers: ["", "p50", "p90", "p99", "max"],
          rows: [[
            "time to alert",
            formatMs(alerts.time_to_alert_ms.p50),
            formatMs(alerts.time_to_alert_ms.p90),
            formatMs(alerts.time_to_alert_ms.p99),
            formatMs(alerts.time_to_alert_ms.max),
          ]],
        },
        ...(options.distributions.timeToAlert?.length
          ? [{
            kind: "chart" as const,
            caption: "Time from scheduled send to the alert's receipt, by percentile",
            chart: percentileChart([
              { name: "time to alert", points: options.distributions.timeToAlert },
            ], "ms"),
          }]
          : []),
      ],
    });
  }
  return {
    title: "mlids replay",
    subtitle: options.subtitle,
    facts: options.facts,
    sections,
    footer: options.footer,
    data: summary,
  };
}

function percentileCells(p: PercentilesMs): string[] {
  return [p.p50, p.p90, p.p99, p.p999, p.max].map(formatMs);
}
