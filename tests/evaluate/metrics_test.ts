import assert from "node:assert/strict";
import {
  confusionMetrics,
  evaluationMetrics,
  scoreMetrics,
  Tally,
  tallyBatch,
  wilsonInterval,
} from "../../lib/evaluate/mod.ts";

const PYTHON = "/usr/bin/python3";

const sklearnPresent = await new Deno.Command(PYTHON, {
  args: ["-c", "import sklearn"],
  stdout: "null",
  stderr: "null",
}).output().then((out) => out.code === 0, () => false);

/** scikit-learn's figures for the same labels and raw predictions (Debian's python3-sklearn). */
const SKLEARN = `
import json, sys
import numpy as np
from sklearn import metrics
case = json.load(sys.stdin)
truth = np.array([label != "Benign" for label in case["labels"]])
raw = np.array(case["raw"], dtype=float)
pred = raw >= case["threshold"]
tn, fp, fn, tp = metrics.confusion_matrix(truth, pred, labels=[False, True]).ravel()
out = {
  "confusion": [int(tp), int(fp), int(tn), int(fn)],
  "accuracy": metrics.accuracy_score(truth, pred),
  "balanced_accuracy": metrics.balanced_accuracy_score(truth, pred),
  "precision": metrics.precision_score(truth, pred),
  "recall": metrics.recall_score(truth, pred),
  "f1": metrics.f1_score(truth, pred),
  "mcc": metrics.matthews_corrcoef(truth, pred),
}
if case["scores"]:
  fpr, tpr, _ = metrics.roc_curve(truth, raw, drop_intermediate=False)
  precision, recall, _ = metrics.precision_recall_curve(truth, raw)
  out.update({
    "auc": metrics.roc_auc_score(truth, raw),
    "ap": metrics.average_precision_score(truth, raw),
    "roc": [[float(a), float(b)] for a, b in zip(fpr, tpr)],
    "pr": [[float(r), float(p)] for r, p in zip(recall, precision)],
  })
print(json.dumps(out))
`;

async function sklearn(
  labels: string[],
  raw: number[],
  threshold: number,
  scores: boolean,
): Promise<Record<string, unknown>> {
  const child = new Deno.Command(PYTHON, {
    args: ["-c", SKLEARN],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ labels, raw, threshold, scores })));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A seeded generator, so each case repeats. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const CATEGORIES = ["Benign", "Benign", "Benign", "Bot", "DoS attacks-Hulk", "SQL Injection"];

/** Flows with labels and raw predictions that lean towards the truth, as a real model's would. */
function makeCase(seed: number, n: number, kind: "binary" | "fine" | "coarse") {
  const random = lcg(seed);
  const labels: string[] = [];
  const raw: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    const attack = label !== "Benign";
    const lean = Math.min(1, Math.max(0, (attack ? 0.65 : 0.35) + (random() - 0.5) * 0.9));
    labels.push(label);
    raw.push(
      kind === "binary"
        ? (lean >= 0.5 ? 1 : 0)
        : kind === "coarse"
        ? Math.round(lean * 4) / 4
        : Math.round(lean * 1000) / 1000,
    );
  }
  return { labels, raw };
}

/** The counts of `labels`/`raw` added up in batches of `size`, as the pipeline does. */
function tallyOf(labels: string[], raw: number[], threshold: number, size: number): Tally {
  const tally = new Tally();
  for (let at = 0; at < labels.length; at += size) {
    tally.add(tallyBatch(labels.slice(at, at + size), raw.slice(at, at + size), threshold));
  }
  return tally;
}

function close(actual: number | null, expected: unknown, what: string): void {
  assert.ok(actual !== null, `${what} is null, scikit-learn says ${expected}`);
  assert.ok(
    Math.abs(actual - (expected as number)) < 1e-12,
    `${what}: ${actual} vs scikit-learn ${expected}`,
  );
}

for (
  const [kind, threshold] of [["binary", 0.5], ["fine", 0.5], ["coarse", 0.5], [
    "fine",
    0.8,
  ]] as const
) {
  Deno.test({
    name: `metrics: ${kind} answers at threshold ${threshold} agree with scikit-learn`,
    ignore: !sklearnPresent,
    async fn() {
      const { labels, raw } = makeCase(kind.length * 31 + threshold * 10, 5000, kind);
      const metrics = evaluationMetrics(tallyOf(labels, raw, threshold, 777));
      const want = await sklearn(labels, raw, threshold, kind !== "binary");
      const c = metrics.confusion;
      assert.deepEqual([c.tp, c.fp, c.tn, c.fn], want.confusion);
      close(metrics.accuracy, want.accuracy, "accuracy");
      close(metrics.balancedAccuracy, want.balanced_accuracy, "balanced accuracy");
      close(metrics.precision, want.precision, "precision");
      close(metrics.recall, want.recall, "recall");
      close(metrics.f1, want.f1, "f1");
      close(metrics.mcc, want.mcc, "mcc");
      if (kind === "binary") {
        assert.equal(metrics.scores, null, "0/1 answers have no curves");
        return;
      }
      const scores = metrics.scores;
      assert.ok(scores !== null && scores.exact);
      close(scores.auc, want.auc, "AUC");
      close(scores.averagePrecision, want.ap, "average precision");
      const roc = want.roc as number[][];
      assert.equal(scores.roc.length, roc.length);
      scores.roc.forEach((point, i) => {
        close(point.fpr, roc[i][0], `ROC fpr ${i}`);
        close(point.tpr, roc[i][1], `ROC tpr ${i}`);
      });
      // scikit-learn lists the precision-recall curve lowest threshold first, ending at (0, 1).
      const pr = (want.pr as number[][]).slice(0, -1).reverse();
      assert.equal(scores.pr.length, pr.length);
      scores.pr.forEach((point, i) => {
        close(point.recall, pr[i][0], `PR recall ${i}`);
        close(point.precision, pr[i][1], `PR precision ${i}`);
      });
    },
  });
}

Deno.test("metrics: a hand-computed confusion matrix", () => {
  // tp 40, fp 10, tn 45, fn 5.
  const m = confusionMetrics({ tp: 40, fp: 10, tn: 45, fn: 5 });
  assert.equal(m.total, 100);
  assert.equal(m.correct, 85);
  assert.equal(m.accuracy, 0.85);
  assert.equal(m.precision, 0.8);
  assert.equal(m.recall, 40 / 45);
  assert.equal(m.fpr, 10 / 55);
  assert.equal(m.balancedAccuracy, (40 / 45 + 45 / 55) / 2);
  assert.equal(m.f1, 80 / 95);
  const mcc = (40 * 45 - 10 * 5) / Math.sqrt(50 * 45 * 55 * 50);
  assert.ok(Math.abs((m.mcc ?? 0) - mcc) < 1e-15);
});

Deno.test("metrics: all benign: nothing to divide for recall, precision and MCC", () => {
  const m = confusionMetrics({ tp: 0, fp: 3, tn: 7, fn: 0 });
  assert.equal(m.accuracy, 0.7);
  assert.equal(m.recall, null);
  assert.equal(m.precision, 0);
  assert.equal(m.fpr, 0.3);
  assert.equal(m.f1, 0);
  assert.equal(m.mcc, null);
  assert.equal(m.balancedAccuracy, 0.7);
  const silent = confusionMetrics({ tp: 0, fp: 0, tn: 10, fn: 0 });
  assert.equal(silent.precision, null, "nothing flagged: precision 0/0");
  assert.equal(silent.f1, null, "no attack and nothing flagged: F1 0/0");
  assert.equal(silent.accuracy, 1);
});

Deno.test("metrics: all attack: no false-positive rate, MCC null", () => {
  const m = confusionMetrics({ tp: 8, fp: 0, tn: 0, fn: 2 });
  assert.equal(m.fpr, null);
  assert.equal(m.recall, 0.8);
  assert.equal(m.precision, 1);
  assert.equal(m.mcc, null);
  assert.equal(m.balancedAccuracy, 0.8);
  assert.equal(m.f1, 16 / 18);
});

Deno.test("metrics: nothing scored: every ratio is null", () => {
  const m = evaluationMetrics(new Tally());
  assert.equal(m.total, 0);
  for (
    const key of [
      "accuracy",
      "balancedAccuracy",
      "precision",
      "recall",
      "fpr",
      "f1",
      "mcc",
    ] as const
  ) {
    assert.equal(m[key], null, key);
  }
  assert.deepEqual(m.perCategory, []);
  assert.equal(m.scores, null);
});

Deno.test("metrics: Wilson intervals match published values; none for no trials", () => {
  const check = (k: number, n: number, low: number, high: number) => {
    const interval = wilsonInterval(k, n);
    assert.ok(interval);
    assert.ok(Math.abs(interval.low - low) < 6e-5, `${k}/${n} low ${interval.low}`);
    assert.ok(Math.abs(interval.high - high) < 6e-5, `${k}/${n} high ${interval.high}`);
  };
  check(0, 10, 0, 0.27753);
  check(10, 10, 0.72247, 1);
  check(5, 10, 0.23659, 0.76341);
  // Newcombe (1998), Statistics in Medicine 17:857, example (a): 81 of 263.
  check(81, 263, 0.2553, 0.3662);
  assert.equal(wilsonInterval(0, 0), null);
});

Deno.test("metrics: per category: flows, flagged, rate and interval; most flows first", () => {
  const labels = ["Benign", "Benign", "Bot", "Benign", "Bot", "SQL Injection"];
  const raw = [0, 1, 1, 0, 0, 1];
  const tally = new Tally();
  tally.add(tallyBatch(labels, raw, 0.5));
  const m = evaluationMetrics(tally);
  assert.deepEqual(m.perCategory.map((c) => [c.name, c.total, c.flagged, c.rate]), [
    ["Benign", 3, 1, 1 / 3],
    ["Bot", 2, 1, 0.5],
    ["SQL Injection", 1, 1, 1],
  ]);
  const bot = m.perCategory[1];
  const interval = wilsonInterval(1, 2);
  assert.equal(bot.ciLow, interval?.low);
  assert.equal(bot.ciHigh, interval?.high);
});

Deno.test("metrics: hand-computed curves with ties; thresholds at 1 % and 0.1 % FPR", () => {
  // Scores: attacks 0.9, 0.8, 0.8, 0.3; benign 0.8, 0.2, 0.1, 0.1.
  const m = scoreMetrics([
    { score: 0.9, attacks: 1, benign: 0 },
    { score: 0.8, attacks: 2, benign: 1 },
    { score: 0.3, attacks: 1, benign: 0 },
    { score: 0.2, attacks: 0, benign: 1 },
    { score: 0.1, attacks: 0, benign: 2 },
  ]);
  assert.deepEqual(m.roc.map((p) => [p.fpr, p.tpr]), [
    [0, 0],
    [0, 0.25],
    [0.25, 0.75],
    [0.25, 1],
    [0.5, 1],
    [1, 1],
  ]);
  // Area: the tie step is a trapezoid (0.25 wide, 0.25..0.75 high), then full height.
  assert.equal(m.auc, 0.25 * 0.5 + 0.75 * 1);
  // AP = sum of recall steps times precision: 0.25*1 + 0.5*(3/4) + 0.25*(4/5).
  assert.ok(Math.abs((m.averagePrecision ?? 0) - (0.25 + 0.375 + 0.2)) < 1e-15);
  assert.deepEqual(m.thresholds.bestF1, {
    threshold: 0.3,
    f1: 8 / 9,
    precision: 0.8,
    recall: 1,
  });
  assert.deepEqual(m.thresholds.atFpr, [
    { targetFpr: 0.01, threshold: 0.9, tpr: 0.25, fpr: 0 },
    { targetFpr: 0.001, threshold: 0.9, tpr: 0.25, fpr: 0 },
  ]);
});

Deno.test("metrics: curves of one class only: no AUC; AP only with attacks", () => {
  const benignOnly = scoreMetrics([{ score: 0.4, attacks: 0, benign: 3 }]);
  assert.equal(benignOnly.auc, null);
  assert.equal(benignOnly.averagePrecision, null);
  assert.equal(benignOnly.thresholds.bestF1, null);
  const attacksOnly = scoreMetrics([{ score: 0.4, attacks: 3, benign: 0 }]);
  assert.equal(attacksOnly.auc, null);
  assert.equal(attacksOnly.averagePrecision, 1);
  assert.equal(attacksOnly.thresholds.atFpr[0].threshold, null);
});

Deno.test("tally: batches add up in any order to the same totals; too many distinct scores are rounded", () => {
  const { labels, raw } = makeCase(5, 3000, "fine");
  const forward = tallyOf(labels, raw, 0.5, 100);
  const backward = new Tally();
  for (let at = 2900; at >= 0; at -= 100) {
    backward.add(tallyBatch(labels.slice(at, at + 100), raw.slice(at, at + 100), 0.5));
  }
  assert.deepEqual(evaluationMetrics(backward), evaluationMetrics(forward));
  assert.equal(forward.flows, 3000);
  assert.equal(forward.batches, 30);

  const many = new Tally();
  const distinct = Array.from({ length: 70_000 }, (_, i) => i / 70_000);
  many.add(tallyBatch(distinct.map((_, i) => (i % 2 ? "Bot" : "Benign")), distinct, 0.5));
  assert.equal(many.scoresExact, false);
  assert.ok(many.scores().length <= 65_536);
  const counted = many.scores().reduce((sum, c) => sum + c.attacks + c.benign, 0);
  assert.equal(counted, 70_000);
  assert.equal(evaluationMetrics(many).scores?.exact, false);
});

Deno.test("tally: unlabelled flows are counted but not scored", () => {
  const tally = new Tally();
  tally.add(tallyBatch(["Benign", null, "Bot"], [0, 1, 1], 0.5));
  assert.equal(tally.flows, 3);
  assert.equal(tally.unlabelled, 1);
  assert.deepEqual(tally.confusion, { tp: 1, fp: 0, tn: 1, fn: 0 });
  assert.throws(() => tallyBatch(["Benign"], [0, 1], 0.5), RangeError);
});
