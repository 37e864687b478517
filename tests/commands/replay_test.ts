import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../main.ts";
import { type ReplayFlags, type ReplayIo, runReplay } from "../../commands/replay.ts";
import { openDataset } from "../../lib/dataset/mod.ts";
import { exportFlows, type FlowFrame } from "../../lib/frame/mod.ts";
import type { ReplaySummary } from "../../lib/replay/mod.ts";
import { createIdsTopology, emulatorQueue, queueCounts, withEmulator } from "../../dev/emulator.ts";
import { startStandinApi } from "../../dev/standin_api.ts";
import {
  mlidsCommand,
  mlidsEnv,
  mlidsShellCommand,
  REPO_ROOT,
  shellQuote,
} from "../../dev/run_mlids.ts";
import { scriptAvailable, spawnInPty } from "../support/pty.ts";
import { waitUntil } from "../support/wait.ts";

const DEMO = join(REPO_ROOT, "dev", "demo_data", "ml-ids-demo.h5");

/** A test terminal: what was written to stdout and stderr. */
function testIo(): ReplayIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    write: (text) => {
      out.push(text);
      return Promise.resolve(true);
    },
    notice: (line) => err.push(line),
    stderrIsTTY: false,
    status: () => {},
    width: Infinity,
  };
}

async function withCache<T>(body: (cache: string) => Promise<T>): Promise<T> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-replay-test-" });
  const saved = Deno.env.get("XDG_CACHE_HOME");
  Deno.env.set("XDG_CACHE_HOME", cache);
  try {
    return await body(cache);
  } finally {
    if (saved === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", saved);
    await Deno.remove(cache, { recursive: true });
  }
}

Deno.test("replay: bad flags are one line and exit 2, before anything is read or sent", async () => {
  const base = ["replay", "--api-url", "http://127.0.0.1:9", "--dataset-uri", DEMO];
  for (
    const extra of [
      ["--speed", "2", "--rate", "5"],
      ["--rate", "0"],
      ["--rate", "fast"],
      ["--speed", "-1"],
      ["--duration", "0"],
      ["--count", "0"],
      ["--delete-messages"],
      ["--alert-timeout", "5"],
      ["--report", "out.pdf"],
      ["--max-in-flight", "0"],
      ["--connection", "sometimes"],
    ]
  ) {
    assert.equal(await main([...base, ...extra]), 2, extra.join(" "));
  }
});

Deno.test("replay --rate: JSON summary with the documented keys, every flow answered", async () => {
  const api = await startStandinApi({ recordBodies: false });
  try {
    await withCache(async () => {
      const io = testIo();
      const summary = await runReplay({
        apiUrl: api.url,
        datasetUri: DEMO,
        rate: "200",
        count: 100,
        output: "json",
      } as ReplayFlags, io);
      const printed = JSON.parse(io.out.join(""));
      assert.deepEqual(printed, JSON.parse(JSON.stringify(summary)));
      for (const key of ["asked_rate", "achieved_rate", "sent", "late", "dropped", "latency_ms"]) {
        assert.ok(key in printed, key);
      }
      assert.deepEqual(Object.keys(printed.latency_ms), ["p50", "p90", "p99", "p999", "max"]);
      assert.equal(printed.asked_rate, 200);
      assert.equal(printed.sent, 100);
      assert.equal(printed.answered, 100);
      assert.equal(printed.alerts, undefined);
      assert.equal(api.flowsPredicted, 100);
      assert.ok(io.err.some((line) => /replaying 100 flows at 200 flows\/s/.test(line)));
    });
  } finally {
    await api.close();
  }
});

/**
 * A CSV of 81 demo flows whose timestamps span 60 s (08:00:00 to 08:01:00), listed out of order,
 * with 20 seconds holding two flows.
 */
async function sixtySecondFixture(dir: string): Promise<{ path: string; stamps: string[] }> {
  const dataset = await openDataset(DEMO, { cacheDir: join(dir, "cache") });
  let frame: FlowFrame;
  try {
    frame = await dataset.readRows(Uint32Array.from({ length: 81 }, (_, i) => i));
  } finally {
    dataset.close();
  }
  const seconds = [
    ...Array.from({ length: 61 }, (_, s) => s),
    ...Array.from({ length: 20 }, (_, k) => 3 * k),
  ];
  // A fixed shuffle (the dataset's order is not the timestamps' order).
  const order = seconds.map((second, i) => ({ second, key: (i * 37) % 81 }))
    .sort((a, b) => a.key - b.key).map((entry) => entry.second);
  const stamps = order.map((s) =>
    `14/02/2018 08:${String(Math.floor(s / 60)).padStart(2, "0")}:${
      String(s % 60).padStart(2, "0")
    }`
  );
  const columns = frame.columns.map((column) =>
    column.name === "timestamp" ? { ...column, values: stamps } : column
  );
  const path = join(dir, "sixty-seconds.csv");
  await Deno.writeTextFile(path, [...exportFlows({ ...frame, columns }, "csv")].join(""));
  return { path, stamps };
}

Deno.test("replay --speed 10: flows spanning 60 s take 6 s, in timestamp order, a second's flows spread", async () => {
  const api = await startStandinApi();
  const dir = await Deno.makeTempDir({ prefix: "mlids-replay-speed-" });
  try {
    const { path } = await sixtySecondFixture(dir);
    await withCache(async () => {
      const io = testIo();
      const summary = await runReplay({
        apiUrl: api.url,
        datasetUri: path,
        speed: "10",
        output: "json",
      } as ReplayFlags, io);
      assert.equal(summary.sent, 81);
      assert.equal(summary.dropped, 0);
      assert.ok(
        io.err.some((line) => /whole seconds, so the flows of one second are spread/.test(line)),
      );
    });
    const arrivals = api.requests.map((request) => {
      const split = JSON.parse(request.body);
      return {
        at: request.receivedAt,
        stamp: split.data[0][split.columns.indexOf("timestamp")] as string,
      };
    });
    assert.equal(arrivals.length, 81);
    // In timestamp order (these timestamps sort as text).
    const stamps = arrivals.map((arrival) => arrival.stamp);
    assert.deepEqual(stamps, [...stamps].sort());
    // 60 recorded seconds at 10x: 6 s from the first flow to the last, within 10 % (the schedule
    // is absolute, so a late flow does not push the later ones back; plan_test checks it exactly).
    const took = arrivals[80].at - arrivals[0].at;
    assert.ok(Math.abs(took - 6000) <= 600, `took ${took.toFixed(0)} ms`);
    // Two flows of one second leave about half of its 100 ms apart, not in one burst.
    const pair = stamps.indexOf("14/02/2018 08:00:03");
    assert.equal(stamps[pair + 1], "14/02/2018 08:00:03");
    const gap = arrivals[pair + 1].at - arrivals[pair].at;
    assert.ok(gap > 10, `the second's two flows were ${gap.toFixed(0)} ms apart`);
  } finally {
    await api.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replay --queue-url: every attack's alert matched with its time to alert, 0 missing, 0 unexpected, matched ones deleted; HTML report", async () => {
  await withEmulator(async (emulator) => {
    const topology = await createIdsTopology(emulator);
    const api = await startStandinApi({
      recordBodies: false,
      sns: { client: emulator.sns, topicArn: topology.topicArn },
    });
    const dir = await Deno.makeTempDir({ prefix: "mlids-replay-queue-" });
    try {
      const report = join(dir, "replay.html");
      const summary: ReplaySummary = await withCache(() =>
        runReplay({
          apiUrl: api.url,
          datasetUri: DEMO,
          rate: "100",
          count: 120,
          ...emulatorQueue(emulator, topology.queueUrl),
          deleteMessages: true,
          alertTimeout: "15",
          output: "table",
          report,
        } as ReplayFlags, testIo())
      );
      const alerts = summary.alerts!;
      assert.ok(api.predictedAttacks > 10, `${api.predictedAttacks} attacks`);
      assert.equal(alerts.expected, api.predictedAttacks);
      assert.equal(alerts.matched, alerts.expected);
      assert.equal(alerts.missing, 0);
      assert.equal(alerts.unexpected, 0);
      assert.equal(alerts.duplicates, 0);
      assert.equal(alerts.timed_out, false);
      assert.ok(alerts.time_to_alert_ms.p50! > 0);
      assert.ok(alerts.time_to_alert_ms.max! >= alerts.time_to_alert_ms.p50!);
      assert.equal(alerts.deleted, alerts.matched);
      const left = await queueCounts(emulator.sqs, topology.queueUrl);
      assert.equal(left.visible + left.inFlight, 0);
      const html = await Deno.readTextFile(report);
      assert.match(html, /<svg/);
      assert.match(html, /Time to alert/);
      assert.match(html, /id="report-data"/);
    } finally {
      await api.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("replay: the summary table names every figure", async () => {
  const api = await startStandinApi({ recordBodies: false });
  try {
    await withCache(async () => {
      const io = testIo();
      await runReplay(
        { apiUrl: api.url, datasetUri: DEMO, rate: "500", count: 50 } as ReplayFlags,
        io,
      );
      const text = io.out.join("");
      assert.match(
        text,
        /^Replay of 50 flows at 500 flows\/s to http:\/\/127\.0\.0\.1:\d+\/api\/predictions$/m,
      );
      for (const name of ["rate", "flows", "late", "dropped", "failed", "latency", "send lag"]) {
        assert.match(text, new RegExp(`^ {2}${name} +\\S`, "m"), name);
      }
      assert.match(text, /asked 500\/s, achieved [\d.,]+\/s/);
    });
  } finally {
    await api.close();
  }
});

Deno.test("replay: an API that answers nothing is exit 1 naming the failure", async () => {
  await withCache(async () => {
    const io = testIo();
    const failed = await runReplay({
      apiUrl: "http://127.0.0.1:9",
      datasetUri: DEMO,
      rate: "100",
      count: 5,
      timeout: 2000,
    } as ReplayFlags, io).catch((error) => error);
    assert.equal(failed?.kind, "remote");
    assert.match(failed.message, /none of the 5 flows sent got an answer/);
    assert.match(failed.hint, /cannot reach the ML-IDS API/);
  });
});

Deno.test("replay: Ctrl-C stops sending, prints the summary of what was done, exits 130", async () => {
  const api = await startStandinApi({ recordBodies: false });
  const cache = await Deno.makeTempDir({ prefix: "mlids-replay-int-" });
  try {
    const child = (await mlidsCommand(
      ["replay", "--api-url", api.url, "--dataset-uri", DEMO, "--rate", "20", "--count", "400"],
      { env: { NO_COLOR: "1", XDG_CACHE_HOME: cache }, stdout: "piped", stderr: "piped" },
    )).spawn();
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let said = "";
    // Bounded: the start line comes within a few seconds.
    for (let reads = 0; reads < 200 && !said.includes("replaying 400 flows"); reads++) {
      const { value, done } = await stderr.read();
      if (done) break;
      said += value;
    }
    assert.match(said, /replaying 400 flows/);
    // Ctrl-C once sending is under way (a fixed wait could end before the first answer on a
    // loaded machine); at 20 flows/s the 400 take 20 s, so the stop still comes early.
    await waitUntil(() => api.flowsPredicted >= 2, "the first flows to be answered");
    child.kill("SIGINT");
    const rest = (async () => {
      for (;;) {
        const { value, done } = await stderr.read();
        if (done) return;
        said += value;
      }
    })();
    const [status, out] = await Promise.all([
      child.status,
      new Response(child.stdout).text(),
      rest,
    ]);
    assert.equal(status.code, 130);
    assert.match(out, /^Replay of \d+ flows at 20 flows\/s/m);
    assert.match(said, /stopping: no more flows are sent/);
    assert.match(said, /interrupted: \d+ of 400 flows were sent/);
    assert.ok(api.flowsPredicted > 0 && api.flowsPredicted < 400, `${api.flowsPredicted} sent`);
  } finally {
    await api.close();
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test({
  name:
    "replay on a terminal: the live line redraws in place on stderr, then gives way to the summary",
  ignore: !scriptAvailable,
  async fn() {
    const api = await startStandinApi({ recordBodies: false });
    const cache = await Deno.makeTempDir({ prefix: "mlids-replay-pty-" });
    try {
      const line = mlidsShellCommand([
        "replay",
        "--api-url",
        api.url,
        "--dataset-uri",
        DEMO,
        "--rate",
        "100",
        "--count",
        "150",
      ]);
      const pty = spawnInPty(
        `sh -c ${shellQuote(`stty cols 200 rows 50; exec ${line}`)}`,
        await mlidsEnv({
          XDG_CACHE_HOME: cache,
          TERM: "xterm-256color",
          NO_COLOR: "1",
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        }),
        { timeoutMs: 60_000 },
      );
      try {
        await pty.readUntil("Replay of 150 flows");
        assert.equal(await pty.finish(""), 0);
        const screen = pty.screen();
        const redraws = screen.split("\r\x1b[2K").filter((part) =>
          /· sending · asked 100\/s/.test(part)
        );
        assert.ok(redraws.length >= 2, `${redraws.length} redraws: ${screen.slice(0, 1500)}`);
        assert.match(screen, /in flight \d+ · sent \d+\/150 · late \d+ · dropped 0 · p50 /);
      } finally {
        await pty.close();
      }
    } finally {
      await api.close();
      await Deno.remove(cache, { recursive: true });
    }
  },
});
