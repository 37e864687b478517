import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { checkThreshold, predictedLabelOf, scorePredictions } from "../../lib/predict/metrics.ts";

Deno.test("scorePredictions computes accuracy, confusion, precision, recall and F1", () => {
  const labels = ["Benign", "Benign", "Benign", "Bot", "Bot", "Bot", "SQL Injection", "Benign"];
  const raw = [0, 1, 0, 1, 1, 0, 1, 0];
  const scores = scorePredictions(labels, raw);
  assert.deepEqual(scores.confusion, { tp: 3, fp: 1, tn: 3, fn: 1 });
  assert.equal(scores.total, 8);
  assert.equal(scores.correct, 6);
  assert.equal(scores.accuracy, 0.75);
  assert.equal(scores.precision, 0.75);
  assert.equal(scores.recall, 0.75);
  assert.ok(Math.abs((scores.f1 ?? 0) - 0.75) < 1e-12);
  assert.deepEqual(scores.perCategory, [
    { name: "Benign", total: 4, correct: 3 },
    { name: "Bot", total: 3, correct: 2 },
    { name: "SQL Injection", total: 1, correct: 1 },
  ]);
  assert.deepEqual(scores.predicted, [
    "Benign",
    "Attack",
    "Benign",
    "Attack",
    "Attack",
    "Benign",
    "Attack",
    "Benign",
  ]);
  assert.deepEqual(scores.isCorrect, [true, false, true, true, true, false, true, true]);
});

Deno.test("one threshold rule for display and scoring: 0.2 is Benign, 0.5 Attack", () => {
  const scores = scorePredictions(["Bot", "Bot", "Benign"], [0.2, 0.5, 0.7]);
  assert.deepEqual(scores.predicted, ["Benign", "Attack", "Attack"]);
  assert.deepEqual(scores.isCorrect, [false, true, false]);
  const strict = scorePredictions(["Bot", "Bot", "Benign"], [0.2, 0.5, 0.7], { threshold: 0.8 });
  assert.deepEqual(strict.predicted, ["Benign", "Benign", "Benign"]);
  assert.equal(strict.threshold, 0.8);
  assert.equal(predictedLabelOf(0.1, 0.1), "Attack");
  assert.equal(predictedLabelOf(NaN), null);
});

Deno.test("failed flows are excluded from the metrics and counted", () => {
  const scores = scorePredictions(["Bot", "Benign", "Bot"], [1, NaN, NaN]);
  assert.equal(scores.failed, 2);
  assert.equal(scores.total, 1);
  assert.equal(scores.accuracy, 1);
  assert.deepEqual(scores.isCorrect, [true, null, null]);
  assert.deepEqual(scores.predicted, ["Attack", null, null]);
  assert.deepEqual(scores.perCategory, [{ name: "Bot", total: 1, correct: 1 }]);
});

Deno.test("0/0 metrics are null, never NaN", () => {
  const allBenign = scorePredictions(["Benign", "Benign"], [0, 0]);
  assert.equal(allBenign.accuracy, 1);
  assert.equal(allBenign.precision, null);
  assert.equal(allBenign.recall, null);
  assert.equal(allBenign.f1, null);
  const allWrong = scorePredictions(["Benign", "Bot"], [1, 0]);
  assert.equal(allWrong.precision, 0);
  assert.equal(allWrong.recall, 0);
  assert.equal(allWrong.f1, null);
  const nothing = scorePredictions(["Bot"], [NaN]);
  assert.equal(nothing.accuracy, null);
  assert.equal(nothing.total, 0);
});

Deno.test("unlabelled flows get a verdict but no score", () => {
  const scores = scorePredictions([null, null], [1, 0]);
  assert.deepEqual(scores.predicted, ["Attack", "Benign"]);
  assert.deepEqual(scores.isCorrect, [null, null]);
  assert.equal(scores.unlabelled, 2);
  assert.equal(scores.accuracy, null);
});

Deno.test("thresholds outside 0..1 are usage errors", () => {
  assert.throws(() => checkThreshold(1.5), UsageError);
  assert.throws(() => checkThreshold(NaN), UsageError);
  assert.throws(() => scorePredictions(["Bot"], [1], { threshold: -0.1 }), UsageError);
  assert.throws(() => scorePredictions(["Bot"], [1, 0]), RangeError);
});
