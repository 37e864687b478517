/**
 * An evaluation as a report to share: the run's header (dataset, API, date, mlids version,
 * selection, threshold), headline metrics, the confusion matrix as a heat map, detection per
 * category with 95 % intervals, ROC and precision-recall curves when the API answered scores,
 * and the service's latency distribution. The same document renders as HTML and as Markdown.
 * @module
 */

import {
  type Chart,
  formatDecimal,
  formatInteger,
  formatPercent,
  type Metric,
  type ReportDocument,
  type ReportSection,
} from "../report/mod.ts";
import { type EvaluationMetrics, evaluationMetrics } from "./metrics.ts";
import type { EvaluationResult } from "./run.ts";
import { evaluationSummary } from "./summary.ts";

/** Facts about the run that the result does not hold. */
export interface ReportContext {
  /** The mlids version. */
  readonly version: string;
  /** When the report was made; default now. */
  readonly date?: Date;
  /** Flows per request and requests in flight of this session. */
  readonly batchSize: number;
  readonly concurrency: number;
}

/** How the flows were chosen, in words. */
export function selectionText(plan: EvaluationResult["plan"]): string {
  const { categories, perCategory, sample, seed } = plan.selection;
  const parts = [categories === null ? "every category" : `categories ${categories.join(", ")}`];
  if (perCategory !== null) parts.push(`up to ${formatInteger(perCategory)} flows of each`);
  if (sample !== null) parts.push(`${formatInteger(sample)} at random`);
  if (perCategory !== null || sample !== null) parts.push(`seed ${seed}`);
  return parts.join(", ");
}

function confusionChart(metrics: EvaluationMetrics): Chart {
  const { tp, fp, tn, fn } = metrics.confusion;
  const total = tp + fp + tn + fn;
  const cell = (name: string, count: number) =>
    `${name} ${formatInteger(count)}\n${formatPercent(total ? count / total : null, 1)}`;
  return {
    type: "heatmap",
    rowTitle: "true class",
    columnTitle: "predicted",
    rows: ["Attack", "Benign"],
    columns: ["Attack", "Benign"],
    values: [[tp, fn], [fp, tn]],
    labels: [[cell("TP", tp), cell("FN", fn)], [cell("FP", fp), cell("TN", tn)]],
  };
}

function headline(metrics: EvaluationMetrics): Metric[] {
  const { tp, fp, tn, fn } = metrics.confusion;
  const items: Metric[] = [
    {
      name: "Accuracy",
      value: formatPercent(metrics.accuracy),
      note: `${formatInteger(metrics.correct)} of ${formatInteger(metrics.total)} right`,
    },
    { name: "Balanced accuracy", value: formatPercent(metrics.balancedAccuracy) },
    {
      name: "Recall (detection rate)",
      value: formatPercent(metrics.recall),
      note: `${formatInteger(tp)} of ${formatInteger(tp + fn)} attacks`,
    },
    {
      name: "False-positive rate",
      value: formatPercent(metrics.fpr),
      note: `${formatInteger(fp)} of ${formatInteger(fp + tn)} benign`,
    },
    {
      name: "Precision",
      value: formatPercent(metrics.precision),
      note: `${formatInteger(tp)} of ${formatInteger(tp + fp)} flagged`,
    },
    { name: "F1", value: formatDecimal(metrics.f1) },
    { name: "MCC", value: formatDecimal(metrics.mcc) },
  ];
  if (metrics.scores) {
    items.push(
      { name: "ROC AUC", value: formatDecimal(metrics.scores.auc) },
      { name: "Average precision", value: formatDecimal(metrics.scores.averagePrecision) },
    );
  }
  return items;
}

function scoreSection(metrics: EvaluationMetrics): ReportSection | null {
  const scores = metrics.scores;
  if (scores === null) return null;
  const { bestF1, atFpr } = scores.thresholds;
  const rows: string[][] = [];
  if (bestF1) {
    rows.push([
      "best F1",
      String(bestF1.threshold),
      formatPercent(bestF1.recall),
      "",
      formatPercent(bestF1.precision),
      formatDecimal(bestF1.f1),
    ]);
  }
  for (const point of atFpr) {
    rows.push([
      `FPR ≤ ${formatPercent(point.targetFpr, 1)}`,
      point.threshold === null ? "none" : String(point.threshold),
      formatPercent(point.tpr),
      formatPercent(point.fpr, 3),
      "",
      "",
    ]);
  }
  return {
    title: "Scores",
    blocks: [
      ...(scores.exact ? [] : [{
        kind: "text" as const,
        text:
          "The API answered more distinct scores than are kept exactly; they were rounded to a fine grid, so the curves and AUC are close approximations.",
      }]),
      {
        kind: "chart",
        caption: `ROC curve (AUC ${formatDecimal(scores.auc)})`,
        markdown: "omit",
        chart: {
          type: "lines",
          xTitle: "false-positive rate",
          yTitle: "detection rate",
          xFormat: "percent",
          yFormat: "percent",
          xDomain: [0, 1],
          yDomain: [0, 1],
          reference: { from: [0, 0], to: [1, 1] },
          series: [{ name: "ROC", points: scores.roc.map((p) => ({ x: p.fpr, y: p.tpr })) }],
        },
      },
      {
        kind: "chart",
        caption: `Precision-recall curve (average precision ${
          formatDecimal(scores.averagePrecision)
        })`,
        markdown: "omit",
        chart: {
          type: "lines",
          xTitle: "recall",
          yTitle: "precision",
          xFormat: "percent",
          yFormat: "percent",
          xDomain: [0, 1],
          yDomain: [0, 1],
          step: true,
          series: [{
            name: "PR",
            points: scores.pr.map((p) => ({ x: p.recall, y: p.precision })),
          }],
        },
      },
      {
        kind: "table",
        caption: "Thresholds (a raw score at or above the threshold is Attack)",
        headers: ["", "threshold", "detection rate", "FPR", "precision", "F1"],
        rows,
      },
    ],
  };
}

/** The report of an evaluation. */
export function evaluationReport(
  result: EvaluationResult,
  context: ReportContext,
): ReportDocument {
  const metrics = evaluationMetrics(result.tally);
  const summary = evaluationSummary(result, metrics);
  const latency = result.latency.percentiles();
  const date = context.date ?? new Date();
  const plan = result.plan;
  const status = result.complete
    ? "complete"
    : `partial: ${formatInteger(result.tally.flows)} of ${
      formatInteger(plan.selected)
    } flows answered`;
  const ms = (value: number | null) => value === null ? "n/a" : `${formatDecimal(value, 1)} ms`;
  const sections: ReportSection[] = [
    { title: "Detection", blocks: [{ kind: "metrics", items: headline(metrics) }] },
    {
      title: "Confusion matrix",
      blocks: [{
        kind: "chart",
        caption: "Confusion matrix (Attack = positive)",
        chart: confusionChart(metrics),
      }],
    },
    {
      title: "Per category",
      blocks: [
        {
          kind: "chart",
          caption: "Flagged as attack, with 95 % Wilson intervals (for Benign: false alarms)",
          markdown: "omit",
          chart: {
            type: "bars",
            valueTitle: "flagged as attack",
            format: "percent",
            bars: metrics.perCategory.map((category) => ({
              label: category.name,
              value: category.rate ?? 0,
              low: category.ciLow ?? undefined,
              high: category.ciHigh ?? undefined,
              note: `${formatInteger(category.flagged)} of ${formatInteger(category.total)}`,
            })),
          },
        },
        {
          kind: "table",
          headers: ["category", "flows", "flagged as attack", "rate", "95 % interval"],
          rows: metrics.perCategory.map((category) => [
            category.name,
            formatInteger(category.total),
            formatInteger(category.flagged),
            formatPercent(category.rate),
            category.ciLow === null
              ? "n/a"
              : `${formatPercent(category.ciLow)} – ${formatPercent(category.ciHigh)}`,
          ]),
        },
      ],
    },
  ];
  const scores = scoreSection(metrics);
  if (scores) sections.push(scores);
  sections.push({
    title: "Service",
    blocks: [
      {
        kind: "metrics",
        items: [
          {
            name: "Throughput",
            value: summary.flows_per_s === null
              ? "n/a"
              : `${formatInteger(summary.flows_per_s)} flows/s`,
          },
          { name: "Requests", value: formatInteger(result.requests) },
          { name: "Retries", value: formatInteger(result.retries) },
          { name: "Failed flows", value: formatInteger(result.failed) },
          { name: "Latency p50", value: ms(latency.p50) },
          { name: "Latency p90", value: ms(latency.p90) },
          { name: "Latency p99", value: ms(latency.p99) },
          { name: "Latency p99.9", value: ms(latency.p999) },
          { name: "Latency max", value: ms(latency.max) },
        ],
      },
      ...(result.latency.count === 0 ? [] : [{
        kind: "chart" as const,
        caption: "Request latency by percentile",
        chart: {
          type: "percentiles" as const,
          valueTitle: "latency (ms)",
          series: [{
            name: "latency",
            points: result.latency.distribution().map((p) => ({
              percentile: p.percentile,
              value: p.ms,
            })),
          }],
        },
      }]),
    ],
  });
  return {
    title: "ML-IDS evaluation",
    subtitle: `${formatInteger(result.tally.flows)} flows scored against ${plan.apiUrl}`,
    facts: [
      {
        name: "Dataset",
        value: plan.dataset.uri + (plan.dataset.key ? ` (key ${plan.dataset.key})` : ""),
      },
      { name: "API", value: plan.apiUrl },
      { name: "Date", value: date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") },
      { name: "mlids", value: context.version },
      {
        name: "Selection",
        value: `${selectionText(plan)} (${formatInteger(plan.selected)} flows)`,
      },
      { name: "Threshold", value: `a raw prediction ≥ ${plan.threshold} is Attack` },
      {
        name: "Sending",
        value: `batches of ${
          formatInteger(context.batchSize)
        } flows, ${context.concurrency} in flight`,
      },
      { name: "Run", value: status + (result.resumed ? " (resumed)" : "") },
    ],
    sections,
    footer: `Made by mlids ${context.version} (mlids evaluate) on ${date.toISOString()}.`,
    data: summary,
  };
}
