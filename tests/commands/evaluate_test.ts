/**
 * `mlids evaluate` end to end, as a user runs it: a process of its own under the baked
 * permissions, against the stand-in API, on the demo dataset. The stand-in counts every flow it
 * is sent, so "each flow once" is checked against the dataset itself.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type StandinApi, standinPrediction, startStandinApi } from "../../dev/standin_api.ts";
import { mlidsCommand, mlidsEnv, REPO_ROOT } from "../../dev/run_mlids.ts";
import { openDataset } from "../../lib/dataset/mod.ts";
import { encodeSplitJson } from "../../lib/frame/mod.ts";
import { parseJsonExact, stringifyJsonExact } from "../../lib/json.ts";
import { chromiumPresent, visitPage } from "../support/chromium.ts";
import { decodePng, inkOf } from "../support/png.ts";
import { installMlids, withTempDir } from "../support/files.ts";
import { waitUntil } from "../support/wait.ts";

const DEMO = join(REPO_ROOT, "dev", "demo_data", "ml-ids-demo.h5");
const PYTHON = "/usr/bin/python3";
/** Where the README's screenshot of the report lives; refreshed with MLIDS_UPDATE_SCREENSHOTS=1. */
const SCREENSHOT = join(REPO_ROOT, "docs", "evaluate-report.png");
/** The summary's metrics of the predictions at the threshold, as scikit-learn names them. */
const THRESHOLD_METRICS = [
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "fpr",
  "f1",
  "mcc",
];
/** Prints scikit-learn's metrics of the predictions CSV it is given, at threshold 0.6, as JSON. */
const SKLEARN_METRICS = `
import csv, json, sys
from sklearn import metrics
rows = list(csv.DictReader(open(sys.argv[1])))
truth = [row["label"] != "Benign" for row in rows]
raw = [float(row["prediction_raw"]) for row in rows]
pred = [score >= 0.6 for score in raw]
tn, fp, fn, tp = metrics.confusion_matrix(truth, pred, labels=[False, True]).ravel()
print(json.dumps({
  "total": len(rows), "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
  "accuracy": metrics.accuracy_score(truth, pred),
  "balanced_accuracy": metrics.balanced_accuracy_score(truth, pred),
  "precision": metrics.precision_score(truth, pred),
  "recall": metrics.recall_score(truth, pred),
  "fpr": fp / (fp + tn),
  "f1": metrics.f1_score(truth, pred),
  "mcc": metrics.matthews_corrcoef(truth, pred),
  "auc": metrics.roc_auc_score(truth, raw),
  "average_precision": metrics.average_precision_score(truth, raw),
}))
`;

const sklearnPresent = await new Deno.Command(PYTHON, {
  args: ["-c", "import sklearn"],
  stdout: "null",
  stderr: "null",
}).output().then((out) => out.code === 0, () => false);

/** Every flow of the demo dataset as the API receives it (one JSON text per flow), with its count. */
const DEMO_FLOWS: Map<string, number> = await (async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "mlids-evaluate-flows-" });
  const dataset = await openDataset(DEMO, { cacheDir });
  try {
    const info = dataset.info;
    const frame = await dataset.readRows(Uint32Array.from({ length: info.rows }, (_, i) => i));
    const columns = info.columns.map((c) => c.name).filter((name) => name !== info.labelColumn);
    const split = parseJsonExact(encodeSplitJson(frame, { columns })) as {
      columns: string[];
      data: unknown[][];
    };
    const counts = new Map<string, number>();
    for (const row of split.data as unknown[][]) {
      const key = flowKey(split.columns, row);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  } finally {
    dataset.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
})();

function flowKey(columns: string[], row: unknown[]): string {
  const flow: Record<string, unknown> = {};
  columns.forEach((name, i) => flow[name] = row[i]);
  return stringifyJsonExact(flow);
}

/** A stand-in that counts each flow it predicts; `scores` answers a score 0..1 instead of 0/1. */
interface CountingOptions {
  scores?: boolean;
  delayMs?: number;
  failEvery?: number;
  port?: number;
}

async function countingApi(
  options: CountingOptions = {},
): Promise<{ api: StandinApi; sent: Map<string, number> }> {
  const sent = new Map<string, number>();
  const api = await startStandinApi({
    recordBodies: false,
    delayMs: options.delayMs,
    failEvery: options.failEvery,
    port: options.port,
    predictor: (row) => {
      const key = stringifyJsonExact(row);
      sent.set(key, (sent.get(key) ?? 0) + 1);
      const verdict = standinPrediction(row);
      if (!options.scores) return verdict;
      // A score that leans towards the rule's verdict, with ties, as a model's probabilities do.
      const rate = typeof row.flow_pkts_s === "number" ? row.flow_pkts_s : 0;
      return Math.round((verdict * 0.55 + Math.min(Math.log10(1 + rate) / 14, 0.44)) * 100) / 100;
    },
  });
  return { api, sent };
}

/** How often each flow was sent beyond once, and how many flows were never sent. */
function sendCounts(sent: Map<string, number>): { twice: number; missing: number } {
  let twice = 0;
  let missing = 0;
  for (const [key, expected] of DEMO_FLOWS) {
    const got = sent.get(key) ?? 0;
    if (got < expected) missing += expected - got;
    else twice += got - expected;
  }
  for (const [key, got] of sent) if (!DEMO_FLOWS.has(key)) twice += got;
  return { twice, missing };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runOf(out: Deno.CommandOutput): Run {
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function runEvaluate(args: string[], cache: string): Promise<Run> {
  return runOf(
    await (await mlidsCommand(["evaluate", ...args], {
      env: { XDG_CACHE_HOME: cache, NO_COLOR: "1", COLUMNS: "120" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })).output(),
  );
}

/** What a test of a run against the demo dataset has at hand (see {@linkcode withEvaluation}). */
interface Evaluation {
  api: StandinApi;
  /** How often each flow reached the stand-in. */
  sent: Map<string, number>;
  /** A work folder, removed afterwards. */
  dir: string;
  /** The cache folder the runs use, inside `dir`. */
  cache: string;
  /** Runs `mlids evaluate --api-url <the stand-in> --dataset-uri <the demo dataset> ...flags`. */
  evaluate(flags: string[]): Promise<Run>;
  /** The same with `--output json`: asserts it succeeded; its run and the summary it wrote. */
  // deno-lint-ignore no-explicit-any -- parsed JSON, whose fields each test reads as it expects
  evaluateJson(flags: string[]): Promise<{ run: Run; summary: any }>;
}

/**
 * Runs `body` with a counting stand-in (see {@linkcode countingApi}) and a work folder, and
 * closes and removes both afterwards, whatever happens.
 */
async function withEvaluation(
  options: CountingOptions,
  body: (evaluation: Evaluation) => Promise<void>,
): Promise<void> {
  const { api, sent } = await countingApi(options);
  try {
    await withTempDir("mlids-evaluate-", (dir) => {
      const cache = join(dir, "cache");
      const base = ["--api-url", api.url, "--dataset-uri", DEMO];
      const evaluate = (flags: string[]) => runEvaluate([...base, ...flags], cache);
      const evaluateJson = async (flags: string[]) => {
        const run = await evaluate([...flags, "--output", "json"]);
        assert.equal(run.code, 0, run.stderr);
        return { run, summary: JSON.parse(run.stdout) };
      };
      return body({ api, sent, dir, cache, evaluate, evaluateJson });
    });
  } finally {
    await api.close();
  }
}

/** The summary without the figures that depend on timing or on how the run was split. */
function totalsOf(summary: Record<string, unknown>): Record<string, unknown> {
  const {
    latency_ms: _latency,
    flows_per_s: _rate,
    elapsed_s: _elapsed,
    state: _state,
    requests: _requests,
    retries: _retries,
    seed: _seed,
    ...rest
  } = summary;
  return rest;
}

Deno.test("evaluate: every flow sent once; the JSON summary, the predictions file, no state left", async () => {
  await withEvaluation({}, async ({ sent, dir, evaluateJson }) => {
    const state = join(dir, "state.jsonl");
    const predictions = join(dir, "predictions.jsonl");
    const { run, summary } = await evaluateJson([
      "--batch-size",
      "250",
      "--concurrency",
      "3",
      "--state",
      state,
      "--predictions",
      predictions,
    ]);
    for (
      const key of [
        "total",
        "correct",
        ...THRESHOLD_METRICS,
        "confusion",
        "per_category",
        "latency_ms",
        "flows_per_s",
        "requests",
        "retries",
        "failed",
      ]
    ) {
      assert.ok(key in summary, `the summary has '${key}'`);
    }
    assert.deepEqual(Object.keys(summary.latency_ms), ["p50", "p90", "p99", "p999", "max"]);
    assert.equal(summary.total, 3000);
    assert.equal(summary.failed, 0);
    assert.equal(summary.retries, 0);
    assert.ok(summary.requests >= 12, `${summary.requests} requests of at most 250 flows`);
    const { tp, fp, tn, fn } = summary.confusion;
    assert.equal(tp + fp + tn + fn, 3000);
    assert.equal(summary.correct, tp + tn);
    assert.equal(summary.accuracy, Number(((tp + tn) / 3000).toPrecision(12)));
    assert.equal(summary.per_category.Benign.total, 1646);
    assert.equal(
      Object.values(summary.per_category as Record<string, { total: number }>)
        .reduce((sum, c) => sum + c.total, 0),
      3000,
    );
    assert.ok(summary.latency_ms.p50 > 0 && summary.latency_ms.max >= summary.latency_ms.p99);
    assert.deepEqual(sendCounts(sent), { twice: 0, missing: 0 });
    const lines = (await Deno.readTextFile(predictions)).trim().split("\n").map((line) =>
      JSON.parse(line)
    );
    assert.equal(lines.length, 3000);
    assert.equal(new Set(lines.map((line) => line.index)).size, 3000);
    assert.equal(lines.filter((line) => line.predicted_label === "Attack").length, tp + fp);
    await assert.rejects(
      Deno.stat(state),
      Deno.errors.NotFound,
      "a finished run removes its state",
    );
    assert.match(
      run.stderr,
      /sending 3,000 flows \(every category\) in batches of 250, 3 in flight/,
    );
  });
});

Deno.test({
  name: "evaluate: the summary's metrics agree with scikit-learn on the predictions it wrote",
  ignore: !sklearnPresent,
  async fn() {
    await withEvaluation({ scores: true }, async ({ dir, evaluateJson }) => {
      const predictions = join(dir, "predictions.csv");
      const { summary } = await evaluateJson([
        "--per-category",
        "120",
        "--seed",
        "4",
        "--threshold",
        "0.6",
        "--predictions",
        predictions,
      ]);
      const out = await new Deno.Command(PYTHON, {
        args: ["-c", SKLEARN_METRICS, predictions],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const want = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(summary.total, want.total);
      assert.deepEqual(summary.confusion, {
        tp: want.tp,
        fp: want.fp,
        tn: want.tn,
        fn: want.fn,
      });
      for (
        const key of [...THRESHOLD_METRICS, "auc", "average_precision"]
      ) {
        assert.ok(
          Math.abs(summary[key] - want[key]) < 1e-9,
          `${key}: ${summary[key]} vs scikit-learn ${want[key]}`,
        );
      }
      assert.ok(summary.thresholds.best_f1.f1 >= summary.f1 - 1e-12);
    });
  },
});

/** Lines in the state file: the plan and one per completed batch. */
async function stateLines(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((line) => line !== "").length;
  } catch {
    return 0;
  }
}

/**
 * Starts a run, stops it with `signal` once the state holds `records` batches, and returns how it
 * ended.
 */
async function interrupted(
  args: string[],
  cache: string,
  statePath: string,
  records: number,
  signal: Deno.Signal,
): Promise<Run> {
  const child = (await mlidsCommand(["evaluate", ...args], {
    env: { XDG_CACHE_HOME: cache, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })).spawn();
  const output = child.output();
  try {
    await waitUntil(
      async () => (await stateLines(statePath)) >= records + 1,
      `${records} batches in the state`,
      { timeoutMs: 60_000, intervalMs: 5 },
    );
  } finally {
    child.kill(signal);
  }
  return runOf(await output);
}

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test({
    name:
      `evaluate: stopped by ${signal} at about 40 %, --resume ends with the totals of an uninterrupted run`,
    ignore: Deno.build.os === "windows",
    async fn() {
      await withEvaluation({ delayMs: 40 }, async ({ api, sent, dir, cache, evaluate }) => {
        const flags = ["--batch-size", "100", "--concurrency", "2", "--output", "json"];
        const whole = await evaluate([...flags, "--state", join(dir, "whole.jsonl")]);
        assert.equal(whole.code, 0, whole.stderr);
        sent.clear();

        const statePath = join(dir, "state.jsonl");
        const stopped = await interrupted(
          ["--api-url", api.url, "--dataset-uri", DEMO, ...flags, "--state", statePath],
          cache,
          statePath,
          12,
          signal,
        );
        let resumed: Run;
        if (signal === "SIGINT") {
          assert.equal(stopped.code, 130, stopped.stderr);
          assert.match(stopped.stderr, /^stopping: no new requests/m);
          const printed = /Resume with:\n\s+(mlids evaluate .*)$/m.exec(stopped.stderr);
          assert.ok(printed, stopped.stderr);
          assert.equal(stopped.stdout, "");
          // The printed command is run as printed, by a shell, with mlids on PATH.
          const bin = await installMlids(dir);
          const out = await new Deno.Command("sh", {
            args: ["-c", printed[1]],
            env: {
              PATH: `${bin}:${Deno.env.get("PATH")}`,
              XDG_CACHE_HOME: cache,
              NO_COLOR: "1",
              ...(await mlidsEnv()),
            },
            stdout: "piped",
            stderr: "piped",
          }).output();
          resumed = runOf(out);
        } else {
          assert.notEqual(stopped.code, 0);
          resumed = await evaluate([...flags, "--state", statePath, "--resume"]);
        }
        assert.equal(resumed.code, 0, resumed.stderr);
        const before = /^resuming: ([\d,]+) of 3,000 flows were answered before/m.exec(
          resumed.stderr,
        );
        assert.ok(before, resumed.stderr);
        const answeredBefore = Number(before[1].replaceAll(",", ""));
        assert.ok(
          answeredBefore >= 1200 && answeredBefore < 3000,
          `stopped part way: ${answeredBefore} flows answered before`,
        );
        assert.deepEqual(
          totalsOf(JSON.parse(resumed.stdout)),
          totalsOf(JSON.parse(whole.stdout)),
        );
        const counts = sendCounts(sent);
        assert.equal(counts.missing, 0, "every flow was sent");
        if (signal === "SIGINT") {
          assert.equal(counts.twice, 0, "requests in flight at Ctrl-C were answered and saved");
        } else {
          // Killed: the batches in flight were lost and sent again, at most concurrency x batch size.
          assert.ok(counts.twice <= 2 * 100, `${counts.twice} flows sent twice`);
        }
        await assert.rejects(Deno.stat(statePath), Deno.errors.NotFound);
      });
    },
  });
}

Deno.test("evaluate: failed batches keep the state; --resume sends just those once the API is back", async () => {
  const failing = await countingApi({ failEvery: 4 });
  const port = failing.api.port;
  await withTempDir("mlids-evaluate-", async (dir) => {
    const cache = join(dir, "cache");
    const statePath = join(dir, "state.jsonl");
    const args = [
      "--api-url",
      failing.api.url,
      "--dataset-uri",
      DEMO,
      "--batch-size",
      "300",
      "--concurrency",
      "1",
      "--retries",
      "0",
      "--state",
      statePath,
      "--output",
      "json",
    ];
    let first: Run;
    try {
      first = await runEvaluate(args, cache);
    } finally {
      await failing.api.close();
    }
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /flows got no prediction from the ML-IDS API/);
    assert.match(first.stderr, /to send what is missing, run:\n\s+mlids evaluate .*--resume$/m);
    const partial = JSON.parse(first.stdout);
    assert.ok(partial.failed > 0 && partial.complete === false);
    assert.equal(partial.answered + partial.failed, 3000);
    assert.ok((await stateLines(statePath)) > 1, "the state is kept");
    const healthy = await countingApi({ port });
    try {
      const second = await runEvaluate([...args, "--resume"], cache);
      assert.equal(second.code, 0, second.stderr);
      const summary = JSON.parse(second.stdout);
      assert.equal(summary.total, 3000);
      assert.equal(summary.failed, 0);
      const merged = new Map(failing.sent);
      for (const [key, count] of healthy.sent) merged.set(key, (merged.get(key) ?? 0) + count);
      assert.equal(sendCounts(merged).missing, 0);
      assert.equal(
        [...healthy.sent.values()].reduce((a, b) => a + b, 0),
        partial.failed,
        "the resumed run sent only the flows that had failed",
      );
    } finally {
      await healthy.api.close();
    }
  });
});

Deno.test("evaluate: bad flags and inputs are one line and exit 2, before any flow is sent", async () => {
  await withEvaluation({}, async ({ api, dir, evaluate }) => {
    const cases: [string[], RegExp][] = [
      [["--report", join(dir, "r.pdf")], /cannot tell the report format/],
      [["--report", join(dir, "missing", "r.html")], /folder of report .* does not exist/],
      [["--predictions", join(dir, "p.txt")], /cannot tell the predictions format/],
      [["--per-category", "0"], /--per-category must be a whole number of 1 or more/],
      [["--sample", "1e3"], /--sample must be a whole number/],
      [["--threshold", "1.5"], /--threshold must be a number from 0 to 1/],
      [["--category", "Nope"], /no category 'Nope'/],
      [["--resume", "--state", join(dir, "none.jsonl")], /no saved evaluation/],
      [["--output", "csv"], /--output must be table or json/],
    ];
    for (const [flags, message] of cases) {
      const run = await evaluate(flags);
      assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
      const errors = run.stderr.split("\n").filter((line) => line.startsWith("error:"));
      assert.equal(errors.length, 1, run.stderr);
      assert.match(errors[0], message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
      assert.equal(run.stdout, "");
    }
    assert.equal(api.flowsPredicted, 0, "nothing was sent");
    const leftovers = [];
    for await (const entry of Deno.readDir(dir)) leftovers.push(entry.name);
    assert.deepEqual(leftovers.filter((name) => name !== "cache"), []);
  });
});

Deno.test({
  name:
    "evaluate: the HTML report in headless Chromium shows the summary's numbers, logs no error, fetches nothing",
  ignore: !chromiumPresent,
  async fn() {
    await withEvaluation({ scores: true }, async ({ dir, evaluateJson }) => {
      const html = join(dir, "report.html");
      const markdown = join(dir, "report.md");
      const { summary } = await evaluateJson([
        "--batch-size",
        "500",
        "--report",
        html,
        "--report",
        markdown,
      ]);
      const visit = await visitPage(pathToFileURL(html).href, { width: 1000 });
      assert.deepEqual(visit.errors, [], "no console error");
      assert.deepEqual(visit.requests, [], "no request made by the page");
      const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
      const count = (value: number) => value.toLocaleString("en-US");
      const { tp, fp, tn, fn } = summary.confusion;
      const shown = [
        percent(summary.accuracy),
        percent(summary.balanced_accuracy),
        percent(summary.precision),
        percent(summary.recall),
        percent(summary.fpr),
        summary.f1.toFixed(4),
        summary.mcc.toFixed(4),
        summary.auc.toFixed(4),
        summary.average_precision.toFixed(4),
        `TP ${count(tp)}`,
        `FP ${count(fp)}`,
        `TN ${count(tn)}`,
        `FN ${count(fn)}`,
        `${count(summary.correct)} of ${count(summary.total)} right`,
        `${summary.latency_ms.p50.toFixed(1)} ms`,
        `${summary.latency_ms.p99.toFixed(1)} ms`,
        count(summary.requests),
      ];
      for (const [name, category] of Object.entries(summary.per_category)) {
        const c = category as { total: number; flagged: number; rate: number };
        shown.push(name, `${count(c.flagged)} of ${count(c.total)}`, percent(c.rate));
      }
      for (const text of shown) assert.ok(visit.text.includes(text), `the page shows '${text}'`);
      const pixels = decodePng(visit.screenshot);
      const { ink, colours } = inkOf(pixels);
      assert.ok(pixels.height > 1500, `the whole page was captured (${pixels.height} px)`);
      assert.ok(ink > 0.05 && colours > 50, `not blank: ink ${ink}, ${colours} colours`);
      const md = await Deno.readTextFile(markdown);
      for (const text of [percent(summary.accuracy), `| Benign | ${count(1646)} |`]) {
        assert.ok(md.includes(text), `the Markdown report has '${text}'`);
      }
      if (Deno.env.get("MLIDS_UPDATE_SCREENSHOTS") === "1") {
        await Deno.mkdir(join(REPO_ROOT, "docs"), { recursive: true });
        await Deno.writeFile(SCREENSHOT, visit.screenshot);
      }
    });
  },
});

Deno.test("evaluate: the table on stdout has the metrics, each category with its interval and bar, the service", async () => {
  await withEvaluation({}, async ({ evaluate }) => {
    const run = await evaluate([
      "--per-category",
      "20",
      "--seed",
      "9",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ML-IDS evaluation: 200 flows of .*ml-ids-demo\.h5 against http/);
    assert.match(run.stdout, /Selection: every category, up to 20 flows of each, seed 9/);
    for (const metric of ["Accuracy", "Balanced accuracy", "Precision", "F1", "MCC"]) {
      assert.match(run.stdout, new RegExp(`│ ${metric} +│ [\\d.]+%? +│`));
    }
    assert.match(run.stdout, /│ Recall \(detection rate\) │ [\d.]+% +│ \d+ of \d+ attacks/);
    assert.match(
      run.stdout,
      /│ Brute Force -Web +│ 20 +│ \d+ +│ [\d.]+% +│ [\d.]+% - [\d.]+% +│ [#.]{20} │/,
    );
    assert.match(run.stdout, /Service: 1 request, 0 retries, 0 failed flows, [\d,]+ flows\/s/);
    assert.match(run.stdout, /Latency \(ms\): p50 [\d.]+ {2}p90 [\d.]+ {2}p99 [\d.]+/);
    assert.ok(!run.stdout.includes("\x1b["), "no colour with NO_COLOR");
  });
});
