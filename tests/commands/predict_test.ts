import assert from "node:assert/strict";
import {
  parsePredictFlags,
  type PredictFlags,
  type PredictIo,
  type PredictPrompts,
  runPredict,
} from "../../commands/predict.ts";
import { type StandinApi, startStandinApi } from "../../dev/standin_api.ts";
import { closedApiUrl, withStandinApi } from "../support/standin.ts";
import { CancelledError, RemoteError, UsageError } from "../../lib/errors.ts";
import {
  type DatasetInfo,
  type FlowDataset,
  type LabelIndex,
  sortCategories,
} from "../../lib/dataset/flow_dataset.ts";
import { scanDataset } from "../../lib/dataset/_scan.ts";
import { type FlowFrame, takeRows } from "../../lib/frame/frame.ts";
import { main } from "../../main.ts";
import { join } from "node:path";
import { mlidsEnv, mlidsShellCommand, REPO_ROOT } from "../../dev/run_mlids.ts";
import { type PtySession, scriptAvailable, spawnInPty } from "../support/pty.ts";

/**
 * 20 flows: 10 Benign (dst_port 443: predicted benign by the stand-in's rule), 6 Bot (port 8080 at
 * 5 pkt/s: attack; the last two at 0.5 pkt/s: missed), 3 SQL Injection (port 80, 10 pkt/s: attack),
 * 1 Benign on port 22 at 3 pkt/s (a false alarm). Plus a flow id identity column first.
 */
function sampleFrame(): FlowFrame {
  const labels: string[] = [];
  const ports: number[] = [];
  const rates: number[] = [];
  const add = (label: string, port: number, rate: number, n: number) => {
    for (let i = 0; i < n; i++) {
      labels.push(label);
      ports.push(port);
      rates.push(rate);
    }
  };
  add("Benign", 443, 2, 10);
  add("Bot", 8080, 5, 4);
  add("Bot", 8080, 0.5, 2);
  add("SQL Injection", 80, 10, 3);
  add("Benign", 22, 3, 1);
  const n = labels.length;
  return {
    columns: [
      { name: "flow_id", dtype: "object", values: labels.map((_, i) => `flow-${i}`) },
      { name: "dst_port", dtype: "uint32", values: Uint32Array.from(ports) },
      {
        name: "timestamp",
        dtype: "object",
        values: labels.map((_, i) => `21/02/2018 10:15:${String(i).padStart(2, "0")}`),
      },
      { name: "flow_pkts_s", dtype: "float64", values: Float64Array.from(rates) },
      { name: "label", dtype: "object", values: labels },
      {
        name: "tot_bytes",
        dtype: "uint64",
        values: BigUint64Array.from(labels.map((_, i) => 18446744073709551600n + BigInt(i))),
      },
    ],
    index: BigInt64Array.from(labels.map((_, i) => BigInt(1000 + i))),
    length: n,
  };
}

/** An in-memory FlowDataset over `frame`, as openDataset would return for a file. */
function memoryDataset(
  frame: FlowFrame,
  options: { labelled?: boolean; opened?: { count: number } } = {},
): FlowDataset {
  const labelled = options.labelled ?? true;
  const source: FlowFrame = labelled
    ? frame
    : { ...frame, columns: frame.columns.filter((column) => column.name !== "label") };
  const info: DatasetInfo = {
    format: "csv",
    compression: "none",
    rows: source.length,
    columns: source.columns.map(({ name, dtype }) => ({ name, dtype })),
    labelColumn: labelled ? "label" : null,
    identityColumns: ["flow_id"],
  };
  if (options.opened) options.opened.count++;
  const labelIndex = (): Promise<LabelIndex | null> => {
    if (!labelled) return Promise.resolve(null);
    const values = source.columns.find((column) => column.name === "label")!.values as string[];
    const rows = new Map<string, number[]>();
    values.forEach((label, i) => rows.set(label, [...(rows.get(label) ?? []), i]));
    return Promise.resolve({
      categories: sortCategories(
        [...rows].map(([name, list]) => ({ name, rows: Uint32Array.from(list) })),
      ),
    });
  };
  const readRows = (rows: ArrayLike<number>) => Promise.resolve(takeRows(source, rows));
  return {
    info,
    labelIndex,
    readRows,
    scan: (scanOptions) => scanDataset({ rows: source.length, labelIndex, readRows }, scanOptions),
    close() {},
  };
}

interface Captured {
  stdout: string;
  stderr: string;
  promptLog: string[];
}

/** Prompts answering from a script; `input` re-asks on invalid answers, as inquirer does. */
function scriptedPrompts(answers: string[], log: string[]): PredictPrompts {
  let asked = 0;
  const next = (): string => {
    // Bounded: a script that runs out fails the test instead of looping.
    if (asked >= answers.length) throw new Error(`the script ran out after ${asked} answers`);
    const answer = answers[asked++];
    if (answer === "<ctrl-c>") {
      const error = new Error("User force closed the prompt with SIGINT");
      error.name = "ExitPromptError";
      throw error;
    }
    return answer;
  };
  return {
    select(config) {
      log.push(`select: ${config.choices.map((choice) => choice.name).join(" | ")}`);
      const answer = next();
      if (!config.choices.some((choice) => choice.value === answer)) {
        return Promise.reject(new Error(`'${answer}' is not one of the choices`));
      }
      return Promise.resolve(answer);
    },
    input(config) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const answer = next();
        const verdict = config.validate ? config.validate(answer) : true;
        if (verdict === true) return Promise.resolve(answer);
        log.push(`invalid '${answer}': ${verdict}`);
      }
      return Promise.reject(new Error("ten invalid answers in a row"));
    },
  };
}

interface TestIoOptions {
  answers?: string[];
  isTTY?: boolean;
  dataset?: FlowDataset;
  opened?: { count: number };
  width?: number | (() => number);
  /** Ctrl-C (what watchInterrupt watches for) once stderr shows this. */
  interruptWhen?: RegExp;
}

function testIo(captured: Captured, options: TestIoOptions = {}): PredictIo {
  let abort: (() => void) | undefined;
  return {
    stdout: { write: (text) => void (captured.stdout += text) },
    stderr: {
      write: (text) => {
        captured.stderr += text;
        if (options.interruptWhen?.test(text)) abort?.();
      },
    },
    watchInterrupt: (onInterrupt) => {
      abort = onInterrupt;
      return () => (abort = undefined);
    },
    prompts: scriptedPrompts(options.answers ?? [], captured.promptLog),
    isTTY: options.isTTY ?? false,
    width: options.width ?? 120,
    colour: false,
    openDataset: () => {
      if (options.opened) options.opened.count++;
      return Promise.resolve(options.dataset ?? memoryDataset(sampleFrame()));
    },
  };
}

function capture(): Captured {
  return { stdout: "", stderr: "", promptLog: [] };
}

function flags(apiUrl: string, extra: Partial<PredictFlags> = {}): PredictFlags {
  return { apiUrl, datasetUri: "memory://sample", ...extra };
}

/** Runs predict against `apiUrl` with the `extra` flags on a test io; what it wrote. */
async function predict(
  apiUrl: string,
  extra: Partial<PredictFlags>,
  options: TestIoOptions = {},
): Promise<Captured> {
  const captured = capture();
  await runPredict(flags(apiUrl, extra), testIo(captured, options));
  return captured;
}

Deno.test("parsePredictFlags: one-line usage errors naming the flag", () => {
  const bad: [Partial<PredictFlags>, RegExp][] = [
    [{ count: "0" }, /--count must be a whole number of 1 or more/],
    [{ count: "2.5" }, /--count/],
    [{ threshold: "1.5" }, /--threshold must be a number from 0 to 1/],
    [{ threshold: "" }, /--threshold/],
    [{ category: "Bot", random: true }, /--category and --random are exclusive/],
    [{ concurrency: "0" }, /--concurrency must be a whole number of 1 or more/],
    [{ batchSize: "x" }, /--batch-size/],
    [{ delay: "-1" }, /--delay must be a whole number of 0 or more/],
    [{ delay: "10", batchSize: "5" }, /--delay .* --batch-size/],
    [{ output: "xml" }, /--output must be/],
    [{ payloadFormat: "records" }, /--payload-format must be/],
    [{ displayOverflow: "cut" }, /--display-overflow/],
    [{ retries: "-1" }, /--retries/],
    [{ timeout: "0" }, /--timeout/],
  ];
  for (const [extra, pattern] of bad) {
    assert.throws(
      () => parsePredictFlags(flags("http://127.0.0.1:1", extra)),
      (error: unknown) =>
        error instanceof UsageError && pattern.test(error.message) &&
        !error.message.includes("\n"),
      JSON.stringify(extra),
    );
  }
  assert.throws(() => parsePredictFlags(flags("ftp://example.com")), UsageError);
  const ok = parsePredictFlags(flags("http://127.0.0.1:1", {
    displayOverflow: "NOWRAP",
    count: "ALL",
    threshold: "0.3",
    output: "JSON",
    s3Signed: true,
    s3Profile: "lab",
  }));
  assert.equal(ok.overflow, "nowrap");
  assert.equal(ok.count, "all");
  assert.equal(ok.threshold, 0.3);
  assert.equal(ok.output, "json");
  assert.equal(ok.choice, null);
  assert.equal(ok.dataset.s3Signed, true);
  assert.equal(ok.dataset.s3Profile, "lab");
  assert.equal(parsePredictFlags(flags("http://x", { displayOverflow: "Wrap" })).overflow, "wrap");
});

Deno.test("without a TTY and without --category/--random: one line naming the flags", async () => {
  const captured = capture();
  const opened = { count: 0 };
  await assert.rejects(
    runPredict(flags("http://127.0.0.1:1"), testIo(captured, { opened })),
    (error: unknown) =>
      error instanceof UsageError && /stdin is not a terminal/.test(error.message) &&
      /--category NAME or --random/.test(error.hint ?? ""),
  );
  assert.equal(opened.count, 0, "the dataset is not opened for a usage error");
});

Deno.test("scripted --category, JSON: known metrics, exact body, exact integers", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, {
      category: "Bot",
      count: "all",
      output: "json",
      seed: "1",
    });
    const result = JSON.parse(captured.stdout);
    // 6 Bot flows: 4 at 5 pkt/s caught, 2 at 0.5 pkt/s missed.
    assert.equal(result.total, 6);
    assert.equal(result.correct, 4);
    assert.ok(Math.abs(result.accuracy - 4 / 6) < 1e-12);
    assert.deepEqual(result.confusion, { tp: 4, fp: 0, tn: 0, fn: 2 });
    assert.equal(result.precision, 1);
    assert.ok(Math.abs(result.recall - 4 / 6) < 1e-12);
    assert.ok(Math.abs(result.f1 - 0.8) < 1e-12);
    assert.deepEqual(result.per_category, { Bot: { total: 6, correct: 4 } });
    assert.equal(result.flows.length, 6);
    for (const flow of result.flows) {
      assert.equal(flow.label, "Bot");
      assert.equal(flow.predicted_label, flow.flow_pkts_s > 1 ? "Attack" : "Benign");
      assert.equal(flow.is_correct, flow.flow_pkts_s > 1);
      assert.ok(flow.index >= 1010 && flow.index <= 1015);
    }
    assert.match(captured.stdout, /"tot_bytes":1844674407370955161\d/);
    // One request, label and identity column left out, dataset order, no index.
    assert.equal(api.requests.length, 1);
    const body = JSON.parse(api.requests[0].body);
    assert.deepEqual(Object.keys(body), ["columns", "data"]);
    assert.deepEqual(body.columns, ["dst_port", "timestamp", "flow_pkts_s", "tot_bytes"]);
    assert.equal(body.data.length, 6);
    assert.equal(api.requests[0].contentType, "application/json; format=pandas-split");
  });
});

Deno.test("scripted --random with a seed repeats the same flows", async () => {
  await withStandinApi({}, async (api) => {
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const captured = await predict(api.url, {
        random: true,
        count: "5",
        seed: "42",
        output: "jsonl",
      });
      const lines = captured.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 5);
      runs.push(lines.map((line) => JSON.parse(line).index).join(","));
    }
    assert.equal(runs[0], runs[1]);
    const captured = await predict(api.url, { random: true, count: "3" });
    assert.match(captured.stderr, /drawing flows with seed \d+ \(pass --seed \d+ to repeat\)/);
  });
});

Deno.test("table output: the summary first, then the columns a person reads", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, { random: true, count: "all", seed: "7" });
    const out = captured.stdout;
    assert.ok(out.indexOf("Accuracy:") < out.indexOf("Details:"), "summary before the table");
    const lines = out.split("\n");
    const header = lines.find((line) => line.includes("is_correct"))!;
    // The default columns this dataset has (no protocol, flow_duration or packet counts), in order.
    assert.deepEqual(header.split("│").map((cell) => cell.trim()).filter((cell) => cell !== ""), [
      "index",
      "is_correct",
      "label",
      "predicted_label",
      "prediction_raw",
      "dst_port",
      "timestamp",
    ]);
    assert.ok(!out.includes("flow_id") && !out.includes("tot_bytes"));
    // One table, one row per flow, each with its dataset index.
    assert.ok(!out.includes("(part "));
    for (let index = 1000; index < 1020; index++) assert.match(out, new RegExp(`│ ${index} +│`));
    assert.match(
      captured.stderr,
      /^sent 20 flows, 20 answered, in 1 request in \d+\.\d{3} s \([\d,]+ flows\/s\)$/m,
    );
  });
});

Deno.test("--columns all shows every column, and each wrapped part starts with the index", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(
      api.url,
      { random: true, count: "5", seed: "7", columns: "all" },
      { width: 70 },
    );
    const out = captured.stdout;
    const parts = out.split(/^columns \d+-\d+ of 10 \(part \d\/\d\)$/m).slice(1);
    assert.ok(parts.length >= 2, out);
    const indexes = (part: string) =>
      [...part.matchAll(/^│ (\d+) +│/gm)].map((match) => match[1]).join(",");
    for (const part of parts) {
      assert.match(part.trim().split("\n")[1], /^│ index +│/);
      assert.equal(indexes(part), indexes(parts[0]));
      for (const line of part.trim().split("\n")) {
        if (line.startsWith("│") || line.startsWith("┌")) assert.ok(line.length <= 70, line);
      }
    }
    for (
      const column of ["is_correct", "label", "predicted_label", "flow_id", "dst_port", "tot_bytes"]
    ) {
      assert.ok(out.includes(` ${column} `), column);
    }
    assert.ok(out.includes("184467440737095516"), "uint64 values shown whole");
    const chosen = await predict(api.url, {
      random: true,
      count: "3",
      columns: "dst_port, label,index",
    });
    const header = chosen.stdout.split("\n").find((line) => line.includes("dst_port"))!;
    assert.match(header, /^│ dst_port │ label +│ index │$/);
  });
});

Deno.test("--columns naming a column the results lack: one line listing them, before sending", async () => {
  const captured = capture();
  await assert.rejects(
    runPredict(
      flags("http://127.0.0.1:1", { random: true, columns: "index,dst_prot" }),
      testIo(captured),
    ),
    (error: unknown) =>
      error instanceof UsageError && /--columns names 'dst_prot'/.test(error.message) &&
      /index, is_correct, label, predicted_label, flow_id, dst_port/.test(error.hint ?? ""),
  );
  assert.ok(!captured.stderr.includes("sent "));
});

Deno.test("no request answered: no table, no metrics, one error naming the request, exit 1", async () => {
  const url = await closedApiUrl();
  for (const output of ["table", "json"]) {
    const captured = capture();
    await assert.rejects(
      runPredict(
        flags(url, { random: true, count: "3", retries: "1", output, seed: "1" }),
        testIo(captured),
      ),
      (error: unknown) =>
        error instanceof RemoteError &&
        /^no flow got a prediction: the request failed: cannot reach the ML-IDS API at http:\/\/127\.0\.0\.1:\d+\/api\/predictions/
          .test(error.message) &&
        /check the URL/i.test(error.hint ?? ""),
    );
    assert.equal(captured.stdout, "", output);
    assert.match(
      captured.stderr,
      /^sent 3 flows, 0 answered, in 1 request \(2 failed attempts\) in \d+\.\d{3} s$/m,
    );
    assert.ok(!captured.stderr.includes("flows/s"));
  }
});

Deno.test("table output (nowrap): accuracy, confusion, chart and the flow table", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, {
      random: true,
      count: "all",
      seed: "7",
      displayOverflow: "NOWRAP",
      columns: "all",
    });
    const out = captured.stdout;
    // 20 flows: TP 7 (4 Bot + 3 SQL), FN 2, TN 10, FP 1.
    assert.match(out, /Accuracy: {2}85\.00% \(17 of 20 flows right\)/);
    assert.match(out, /TP 7 {2}FP 1 {2}TN 10 {2}FN 2/);
    assert.match(out, /Precision: 0\.875 {3}Recall: 0\.778 {3}F1: 0\.824/);
    assert.match(out, /Benign +\[#+\.+\] +90\.9% +\(10\/11\)/);
    assert.match(out, /SQL Injection +\[#+\] +100\.0% +\(3\/3\)/);
    const header = out.split("\n").find((line) => line.includes("is_correct"))!;
    assert.ok(
      header.indexOf("is_correct") < header.indexOf("label") &&
        header.indexOf(" label ") < header.indexOf("predicted_label") &&
        header.indexOf("predicted_label") < header.indexOf("flow_id"),
      header,
    );
    assert.ok(out.includes("18446744073709551600"), "uint64 values shown whole");
    assert.ok(!captured.stderr.includes("Sending"), "no progress bar for a single request");
  });
});

Deno.test("more flows asked than exist: sends what exists and says so", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, {
      category: "sql injection",
      count: "10",
      output: "json",
    });
    assert.match(captured.stderr, /only 3 flows of 'SQL Injection'; sending 3/);
    assert.equal(JSON.parse(captured.stdout).flows.length, 3);
  });
});

Deno.test("unknown category: input error listing the known ones", async () => {
  const captured = capture();
  await assert.rejects(
    runPredict(flags("http://127.0.0.1:1", { category: "DDoS" }), testIo(captured)),
    (error: unknown) =>
      error instanceof Error && /no category 'DDoS'/.test(error.message) &&
      /'Benign', 'Bot', 'SQL Injection'/.test((error as UsageError).hint ?? ""),
  );
});

Deno.test("--delay: one request per flow with a stderr line each", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, {
      category: "SQL Injection",
      count: "3",
      delay: "1",
      output: "json",
    });
    assert.equal(api.requests.length, 3);
    for (const request of api.requests) assert.equal(JSON.parse(request.body).data.length, 1);
    for (let i = 1; i <= 3; i++) {
      assert.ok(
        captured.stderr.includes(`Requesting prediction [${i}/3] for label [SQL Injection]...`),
        captured.stderr,
      );
    }
    assert.equal(JSON.parse(captured.stdout).correct, 3);
  });
});

Deno.test("--batch-size/--concurrency: several requests and a progress bar on stderr", async () => {
  await withStandinApi({ delayMs: 5 }, async (api) => {
    const captured = await predict(api.url, {
      random: true,
      count: "all",
      batchSize: "3",
      concurrency: "2",
      output: "json",
    });
    assert.equal(api.requests.length, 7);
    assert.ok(api.maxInFlight <= 2);
    assert.match(captured.stderr, /Sending 7 requests: 20 in/);
    assert.equal(JSON.parse(captured.stdout).total, 20);
  });
});

Deno.test("a batch that still fails: others shown, failed listed, RemoteError (exit 1)", async () => {
  await withStandinApi({ failEvery: 2 }, async (api) => {
    const captured = capture();
    await assert.rejects(
      runPredict(
        flags(api.url, {
          random: true,
          count: "all",
          batchSize: "10",
          retries: "0",
          seed: "3",
          output: "json",
        }),
        testIo(captured),
      ),
      (error: unknown) => error instanceof RemoteError && /10 of 20 flows/.test(error.message),
    );
    const result = JSON.parse(captured.stdout);
    assert.equal(result.failed, 10);
    assert.equal(result.total, 10);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0].indexes.length, 10);
    const failed = result.flows.filter((flow: { prediction_raw: number | null }) =>
      flow.prediction_raw === null
    );
    assert.equal(failed.length, 10);
    assert.match(captured.stderr, /request 2 of 2 failed: .*HTTP 500.*\(flows with index \d+/);
  });
});

Deno.test("unlabelled dataset: predictions only, said once", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, { random: true, count: "4" }, {
      dataset: memoryDataset(sampleFrame(), { labelled: false }),
    });
    assert.equal(captured.stderr.split("no labels").length - 1, 1);
    assert.match(captured.stdout, /Predicted: \d+ Attack, \d+ Benign/);
    assert.ok(!captured.stdout.includes("Accuracy"));
    assert.ok(!captured.stdout.includes("is_correct"));
  });
});

Deno.test("interactive: categories by frequency, invalid answers re-asked, two rounds, quit", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, { output: "json", seed: "5" }, {
      isTTY: true,
      answers: [
        "c1", // Bot
        "0", // invalid: a count of 0
        "abc", // invalid
        "2",
        "soon", // invalid delay
        "", // no delay
        "r",
        "3",
        "0", // delay 0: one request per flow
        "q",
      ],
    });
    const log = captured.promptLog;
    assert.equal(
      log[0],
      "select: 1) Benign (11) | 2) Bot (6) | 3) SQL Injection (3) | r) random | q) quit",
    );
    assert.ok(log.includes("invalid '0': Enter a whole number of 1 or more, 'all', or q to quit."));
    assert.ok(log.some((line) => line.startsWith("invalid 'abc'")));
    assert.ok(log.some((line) => line.startsWith("invalid 'soon': Enter a delay")));
    // Two rounds: two JSON documents on stdout.
    const docs = captured.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(docs.length, 2);
    assert.equal(docs[0].flows.length, 2);
    assert.ok(docs[0].flows.every((flow: { label: string }) => flow.label === "Bot"));
    assert.equal(docs[1].flows.length, 3);
    // Round 1 in one request, round 2 one request per flow.
    assert.equal(api.requests.length, 4);
    assert.match(captured.stderr, /Requesting prediction \[3\/3\]/);
  });
});

Deno.test("interactive: Ctrl-C and q at a later prompt leave cleanly", async () => {
  for (const answers of [["<ctrl-c>"], ["c0", "<ctrl-c>"], ["c0", "q"], ["r", "1", "q"]]) {
    const captured = await predict("http://127.0.0.1:1", {}, { isTTY: true, answers });
    assert.equal(captured.stdout, "", JSON.stringify(answers));
  }
});

Deno.test("interactive: a failed round is reported and the session goes on", async () => {
  const url = await closedApiUrl();
  const captured = await predict(url, { output: "json", retries: "0", timeout: "2000" }, {
    isTTY: true,
    answers: ["c2", "1", "", "q"],
  });
  assert.match(captured.stderr, /error: no flow got a prediction: the request failed/);
  assert.equal(captured.stdout, "");
  assert.match(captured.stderr, /sent 1 flow, 0 answered, in 1 request \(1 failed attempt\)/);
});

Deno.test("interactive: each round says its seed and fits the width the terminal has then", async () => {
  await withStandinApi({}, async (api) => {
    const captured = capture();
    const widths = [160, 60];
    let renders = 0;
    await runPredict(
      flags(api.url, { seed: "41", columns: "all" }),
      testIo(captured, {
        isTTY: true,
        answers: ["r", "4", "", "r", "4", "", "q"],
        // The terminal shrinks between the rounds.
        width: () => widths[Math.min(renders++, widths.length - 1)],
      }),
    );
    const rounds = captured.stdout.split(/^Prediction results: /m).slice(1);
    assert.equal(rounds.length, 2);
    const widest = (text: string) =>
      Math.max(
        ...text.split("\n").filter((line) => /^[│┌└├]/.test(line)).map((line) => line.length),
      );
    assert.ok(widest(rounds[0]) > 60, `round 1 uses the wide terminal: ${widest(rounds[0])}`);
    assert.ok(widest(rounds[1]) <= 60, `round 2 fits the narrow one: ${widest(rounds[1])}`);
    const seeds = [...captured.stderr.matchAll(/drawing flows with seed (\d+) \(pass --seed \1 /g)]
      .map((match) => Number(match[1]));
    assert.deepEqual(seeds, [41, 42]);
  });
});

Deno.test("the CLI rejects a missing --api-url with exit 2", async () => {
  assert.equal(await main(["predict", "--dataset-uri", "x.h5"]), 2);
  assert.equal(
    await main(["predict", "--dataset-uri", "x.h5", "--api-url", "http://x", "--count", "0"]),
    2,
  );
});

Deno.test("Ctrl-C while a scripted round sends: what was answered is shown, the rest not sent, exit 130", async () => {
  await withStandinApi({}, async (api) => {
    const captured = capture();
    await assert.rejects(
      runPredict(
        flags(api.url, { random: true, count: "all", delay: "100", seed: "1", output: "json" }),
        testIo(captured, { interruptWhen: /Requesting prediction \[3\/20\]/ }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError, String(error));
        assert.match(error.message, /^sending was interrupted: \d+ of 20 flows were answered/);
        return true;
      },
    );
    const result = JSON.parse(captured.stdout);
    const answered = result.flows.filter((f: { prediction_raw: unknown }) =>
      f.prediction_raw !== null
    ).length;
    // Ctrl-C came once the third request was under way (stderr lines come at most 50 ms late):
    // what was answered before stays, nothing is sent after, the rest is marked failed.
    assert.ok(answered >= 2 && answered < 20, `${answered} answered`);
    assert.equal(result.failed, 20 - answered);
    assert.ok(api.requests.length <= answered + 1, `${api.requests.length} requests`);
    assert.ok(!captured.stderr.includes("Requesting prediction [20/20]"), captured.stderr);
  });
});

Deno.test("interactive: Ctrl-C while a round sends cancels the round, shows what was answered, back to the menu", async () => {
  await withStandinApi({}, async (api) => {
    const captured = await predict(api.url, { output: "json", seed: "2" }, {
      isTTY: true,
      answers: ["c0", "10", "100", "c2", "1", "", "q"],
      interruptWhen: /Requesting prediction \[3\/10\]/,
    });
    assert.match(
      captured.stderr,
      /round cancelled: sending was interrupted: \d of 10 flows were answered \(shown above\)/,
    );
    // The menu came back: a second round ran, and q ended the session (no error: exit 0).
    const docs = captured.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(docs.length, 2);
    assert.ok(docs[0].failed >= 1 && docs[0].failed <= 8, `${docs[0].failed} failed`);
    assert.equal(docs[1].failed, 0);
    assert.equal(captured.promptLog.filter((line) => line.startsWith("select")).length, 3);
  });
});

/**
 * Runs `predict` on the table fixture in a pseudo-terminal until its menu shows, hands it (and
 * the mlids process id) to `work`, then releases the terminal, the stand-in API and the cache.
 */
async function withPredictOnPty(
  work: (pty: PtySession, api: StandinApi, pid: number) => Promise<void>,
): Promise<void> {
  const api = await startStandinApi({ recordBodies: false });
  const cache = await Deno.makeTempDir({ prefix: "mlids-predict-tty-" });
  const fixture = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");
  // The shell says its pid, then becomes mlids with exec: the pid is mlids' (no /proc, no pgrep).
  const pty = spawnInPty(
    `echo "mlids pid $$"; exec ${
      mlidsShellCommand(["predict", "--api-url", api.url, "--dataset-uri", fixture])
    }`,
    await mlidsEnv({ XDG_CACHE_HOME: cache, TERM: "xterm-256color", NO_COLOR: "1" }),
  );
  try {
    await pty.readUntil("Network traffic category");
    const pid = Number(/mlids pid (\d+)/.exec(pty.screen())?.[1]);
    assert.ok(pid > 0, pty.screen());
    await work(pty, api, pid);
  } finally {
    await pty.close();
    await api.close();
    await Deno.remove(cache, { recursive: true });
  }
}

Deno.test({
  name:
    "interactive on a terminal: SIGINT as a signal (kill -INT, or a key before raw mode) at the menu leaves with 0 too",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  fn: () =>
    withPredictOnPty(async (pty, api, pid) => {
      // The prompt's terminal is raw, so only a signal from outside reaches it as SIGINT.
      Deno.kill(pid, "SIGINT");
      assert.equal(await pty.finish(""), 0, pty.screen().slice(-1500));
      assert.equal(api.requests.length, 0);
    }),
});

Deno.test({
  name:
    "interactive on a terminal: a real Ctrl-C while sending cancels the round; at the menu it leaves with 0",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  fn: () =>
    withPredictOnPty(async (pty, api) => {
      await pty.answer("\r", "How many flows?");
      await pty.answer("20\r", "Delay between flows");
      // One flow every 300 ms: the round takes six seconds unless cut short. On a pseudo-terminal
      // Ctrl-C while nothing is asked is the terminal's SIGINT, as for a person.
      await pty.answer("300\r", "Requesting prediction [2/20]");
      const mark = pty.screen().length;
      await pty.answer("\x03", "Network traffic category");
      const afterCtrlC = pty.screen().slice(mark);
      assert.match(afterCtrlC, /Prediction results/);
      assert.match(
        afterCtrlC,
        /round cancelled: sending was interrupted: \d+ of 20 flows were answered/,
      );
      assert.ok(!afterCtrlC.includes("[20/20]"), afterCtrlC);
      // Ctrl-C at the menu leaves the session, successfully.
      assert.equal(await pty.finish("\x03"), 0, pty.screen().slice(-1500));
      assert.ok(api.requests.length < 20, `${api.requests.length} requests`);
    }),
});
