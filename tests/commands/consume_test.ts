import assert from "node:assert/strict";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import {
  createIdsTopology,
  type Emulator,
  type IdsTopology,
  queueCounts,
  startEmulator,
} from "../../dev/emulator.ts";
import { publishPrediction, publishPredictions } from "../../dev/publish_notifications.ts";
import { parseJsonExact } from "../../lib/json.ts";
import { mlidsEnv, mlidsShellCommand } from "../../dev/run_mlids.ts";
import { ecsProblems, loadEcsReference } from "../support/ecs_reference.ts";
import { ALERT_COLUMNS, FLOW_RECORD_KEYS } from "../support/notifications.ts";
import { notices, receiveIndexes, withIdsQueue } from "../support/ids_queue.ts";
import { scriptAvailable } from "../support/pty.ts";
import { waitUntil, withTimeout } from "../support/wait.ts";
import type { ConsumeIo } from "../../commands/consume.ts";
import { main } from "../../main.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
/** A clean environment: test keys, no colour, no shared AWS files, no instance metadata. */
function withoutNoColor(env: Record<string, string>): Record<string, string> {
  const { NO_COLOR: _, ...rest } = env;
  return rest;
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    NO_COLOR: "1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: "/nonexistent/mlids-test-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/mlids-test-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const denoDir = Deno.env.get("DENO_DIR");
  if (denoDir) env.DENO_DIR = denoDir;
  for (const [key, value] of Object.entries(extra)) {
    if (value === "") delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A running `mlids consume` whose output is collected as it comes. */
interface Consumer {
  stdout(): string;
  stderr(): string;
  /** Exit code, or throws after `timeoutMs` (killing a process). */
  exit(timeoutMs?: number): Promise<number>;
}

/** What an in-process consumer has done so far, from its output and its poller's events. */
interface Seen {
  stdout: string;
  polls: number;
  emptyPolls: number;
  deleted: number;
  retries: number;
}

/** An `mlids consume` run in this process: its own environment and streams, events to wait on. */
interface InProcessConsumer extends Consumer {
  /** Asks it to stop, as the first Ctrl-C does. */
  interrupt(): void;
  /** Resolves once `check` holds, looked at after every write and poller event; bounded. */
  waitFor(check: (seen: Seen) => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/**
 * Runs `mlids consume args` in this process (no process start, no second load of the AWS SDK):
 * `env` is all the environment it sees, stdout and stderr are captured, and `until`, asked after
 * every write and poller event, stops it as Ctrl-C would once it holds.
 */
function startConsume(
  args: string[],
  env: Record<string, string> = {},
  options: { until?: (seen: Seen) => boolean } = {},
): InProcessConsumer {
  const vars = baseEnv(env);
  const seen: Seen = { stdout: "", polls: 0, emptyPolls: 0, deleted: 0, retries: 0 };
  let err = "";
  let stop: (() => void) | undefined;
  let stopped = false;
  const waiters = new Set<() => void>();
  const changed = (): void => {
    if (!stopped && options.until?.(seen)) {
      stopped = true;
      stop?.();
    }
    for (const waiter of waiters) waiter();
  };
  const io: ConsumeIo = {
    write(text) {
      seen.stdout += text;
      changed();
      return Promise.resolve();
    },
    writeErr: (text) => void (err += text),
    stderrIsTTY: false,
    colour: false,
    width: () => Number(vars.COLUMNS ?? 100),
    env: (name) => vars[name] === "" ? undefined : vars[name],
    watchInterrupt(onStop) {
      stop = onStop;
      return () => (stop = undefined);
    },
    onEvent(event) {
      if (event.type === "poll") {
        seen.polls++;
        if (event.messages === 0) seen.emptyPolls++;
      } else if (event.type === "deleted") seen.deleted += event.count;
      else if (event.type === "retry") seen.retries++;
      changed();
    },
  };
  const running = main(["consume", ...args], {
    stderr: (text) => void (err += text),
    consume: () => io,
  });
  let code: number | undefined;
  running.then((value) => {
    code = value;
    for (const waiter of waiters) waiter();
  });
  return {
    stdout: () => seen.stdout,
    stderr: () => err,
    interrupt: () => stop?.(),
    waitFor(check, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const look = (): void => {
          if (check(seen)) done(resolve);
          else if (code !== undefined) {
            done(() => reject(new Error(`ended before ${what}: ${err}`)));
          }
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${what} in ${timeoutMs} ms: ${err}`))),
          timeoutMs,
        );
        const done = (then: () => void): void => {
          clearTimeout(timer);
          waiters.delete(look);
          then();
        };
        waiters.add(look);
        look();
      });
    },
    exit: (timeoutMs = 30_000) =>
      withTimeout(running, timeoutMs, {
        what: "mlids consume still running",
        onTimeout: () => stop?.(),
      }).catch((error) => Promise.reject(new Error(`${error.message}: ${err}`))),
  };
}

/** Runs `mlids consume args` in this process to its end (see {@linkcode startConsume}). */
async function runConsume(
  args: string[],
  env: Record<string, string> = {},
  options: { until?: (seen: Seen) => boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const consumer = startConsume(args, env, options);
  const code = await consumer.exit();
  return { code, stdout: consumer.stdout(), stderr: consumer.stderr() };
}

/** A running `mlids consume` process, for what needs one: signals, the process environment, a terminal. */
interface ProcessConsumer extends Consumer {
  readonly child: Deno.ChildProcess;
}

function spawnConsume(args: string[], env: Record<string, string> = {}): ProcessConsumer {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      "main.ts",
      "consume",
      ...args,
    ],
    cwd: ROOT,
    clearEnv: true,
    env: baseEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  };
  const reading = Promise.all([
    collect(child.stdout, (text) => (out += text)),
    collect(child.stderr, (text) => (err += text)),
  ]);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async exit(timeoutMs = 30_000) {
      try {
        const status = await withTimeout(child.status, timeoutMs, {
          what: "mlids consume still running",
        });
        await reading;
        return status.code;
      } catch (error) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
        await child.status;
        await reading.catch(() => {});
        throw new Error(`${(error as Error).message}: ${err}`);
      }
    },
  };
}

/** Runs `mlids consume args` as a process to its end. */
async function runConsumeProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const consumer = spawnConsume(args, env);
  const code = await consumer.exit();
  return { code, stdout: consumer.stdout(), stderr: consumer.stderr() };
}

/** Asserts that `topology`'s queue holds nothing, visible or in flight. */
async function assertQueueEmpty(emulator: Emulator, topology: IdsTopology): Promise<void> {
  assert.deepEqual(await queueCounts(emulator.sqs, topology.queueUrl), {
    visible: 0,
    inFlight: 0,
  });
}

/**
 * What most runs here share: `topology`'s queue, --delete-messages and --wait-time 1 (short polls
 * keep the tests quick), then `flags`.
 */
function consumeFlags(topology: IdsTopology, ...flags: string[]): string[] {
  return ["--queue-url", topology.queueUrl, "--delete-messages", "--wait-time", "1", ...flags];
}

function jsonlIndexes(stdout: string): number[] {
  return stdout.split("\n").filter((line) => line.trim() !== "").map((line) =>
    Number(JSON.parse(line).index)
  );
}

/** `count` CIC flows: port 8000+i, TCP for even i and UDP for odd, i+1 packets forward. */
function cicNotices(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    columns: ALERT_COLUMNS,
    index: i,
    row: [8000 + i, i % 2 === 0 ? 6 : 17, "21/02/2018 10:15:06", 1500 + i, i + 1, 2, 1200, 0],
    prediction: 1 as const,
  }));
}

function range(count: number, start = 0): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

Deno.test("mlids consume rejects bad flags with exit 2 and says what SQS allows", async () => {
  const url = "http://sqs.eu-west-1.localhost:9/000000000000/q";
  const cases: [string[], RegExp][] = [
    [["--queue-url", url, "--wait-time", "30"], /0 to 20/],
    [["--queue-url", url, "--num-messages", "11"], /1 to 10/],
    [["--queue-url", url, "--num-messages", "0"], /1 to 10/],
    [["--queue-url", url, "--visibility-timeout", "50000"], /43200/],
    [["--queue-url", url, "--delete-messages", "maybe"], /True or False/],
    [["--queue-url", url, "--output", "xml"], /lines, table, ecs, json or jsonl/],
    [["--queue-url", url, "--display-overflow", "squash"], /wrap/],
    [["--queue-url", url, "--idle-exit", "-1"], /idle-exit/],
    [["--wait-time", "5"], /queue-url/],
    [["--queue-url", url, "--delete-malformed"], /needs --delete-messages/],
    [["--queue-url", "not a url"], /not a URL/],
    [["--queue-url", url, "--access-key", "AKIDONLY"], /together/],
  ];
  for (const [args, expected] of cases) {
    const { code, stderr } = await runConsume(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, expected, args.join(" "));
  }
});

Deno.test("mlids consume --output table shows each attack once with every column, deletes it, and never leaks the secret", async () => {
  // Benign predictions never reach the queue: the subscription filters them out.
  const published = [...notices(12), ...notices(4, { start: 500, prediction: 0 })];
  await withIdsQueue({ publish: published }, async (emulator, topology) => {
    const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
    const { code, stdout, stderr } = await runConsume(
      [
        "--queue-url",
        topology.queueUrl,
        "--region",
        "eu-west-1",
        "--access-key",
        "AKIDEXAMPLE",
        "--secret-key",
        secret,
        "--delete-messages",
        "True",
        "--endpoint-url",
        emulator.endpoint,
        "--wait-time",
        "1",
        "--output",
        "table",
      ],
      { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
      {
        // Stopped (as by Ctrl-C) once the twelve are deleted, not after an idle wait.
        until: (seen) => seen.deleted >= 12,
      },
    );
    assert.equal(code, 0, stderr);
    const headings = stdout.match(/^Attack detected \[[0-9a-f-]+\]$/gm) ?? [];
    assert.equal(headings.length, 12);
    assert.equal(new Set(headings).size, 12);
    for (const index of range(12)) {
      assert.equal(stdout.split(`│ ${1000 + index} `).length - 1, 1, `flow ${index} shown once`);
    }
    assert.match(stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z · row \d+$/m);
    assert.match(stdout, /│ dst_port │ protocol │ timestamp +│ prediction │/);
    assert.doesNotMatch(stdout, /│ 150\d /);
    assert.match(stderr, /process listings/);
    assert.equal(stderr.match(/process listings/g)?.length, 1);
    assert.ok(!stdout.includes(secret) && !stderr.includes(secret));
    assert.match(stderr, /12 notifications shown, 12 deleted, 0 malformed/);
    await assertQueueEmpty(emulator, topology);
  });
});

Deno.test("mlids consume shows one aligned line per notification by default, after a header", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await publishPredictions(emulator.sns, topology.topicArn, cicNotices(6));
    const { code, stdout, stderr } = await runConsume(
      consumeFlags(topology, "--endpoint-url", emulator.endpoint),
      {},
      { until: (seen) => seen.deleted >= 6 },
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines.length, 6, stdout);
    const pattern =
      /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) ([0-9a-f-]{8}) ATTACK (80\d\d)\/(TCP|UDP) +21\/02\/2018 10:15:06 (1\.5\d? ms) +fwd (\d) pkts? 1\.17 KiB +bwd 2 pkts 0 B$/;
    const ports: number[] = [];
    for (const line of lines) {
      const match = pattern.exec(line);
      assert.ok(match, line);
      assert.ok(line.length < 160);
      const i = Number(match[3]) - 8000;
      ports.push(i);
      assert.equal(match[4], i % 2 === 0 ? "TCP" : "UDP");
      assert.equal(Number(match[6]), i + 1);
      // Aligned: every field starts at the same column.
      assert.equal(line.indexOf(" fwd "), lines[0].indexOf(" fwd "));
    }
    assert.deepEqual(sorted(ports), range(6));
    assert.match(
      stderr,
      /^consuming http:\/\/\S+ml-ids-attacks \(region [\w-]+\); deleting each notification once written$/m,
    );
    assert.match(stderr, /stopped: 6 notifications shown, 6 deleted, 0 malformed/);
  });
});

Deno.test("mlids consume --output ecs writes ECS documents that match the ECS field types", async () => {
  const reference = await loadEcsReference();
  await withIdsQueue({}, async (emulator, topology) => {
    const notices = cicNotices(3);
    notices[0].row[6] = 1199710477670935696n as unknown as number;
    await publishPredictions(emulator.sns, topology.topicArn, notices);
    const { code, stdout, stderr } = await runConsume(
      consumeFlags(topology, "--output", "ecs", "--count", "3"),
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    const ids = new Set<string>();
    for (const line of lines) {
      const document = parseJsonExact(line) as Record<string, Record<string, unknown>>;
      assert.deepEqual(ecsProblems(document, reference, { customRoot: "ml_ids" }), [], line);
      assert.equal(document.event.kind, "alert");
      assert.equal(document.event.module, "ml_ids");
      ids.add(document.event.id as string);
      const port = document.destination.port as number;
      assert.equal(document.network.iana_number, port % 2 === 0 ? "6" : "17");
      assert.equal(document.network.transport, port % 2 === 0 ? "tcp" : "udp");
      assert.equal(document.event.duration, (1500 + port - 8000) * 1000);
      const flow = (document.ml_ids as Record<string, Record<string, unknown>>).flow;
      assert.deepEqual(Object.keys(flow), [...ALERT_COLUMNS, "prediction"]);
    }
    assert.equal(ids.size, 3);
    assert.match(stdout, /"totlen_fwd_pkts":1199710477670935696,/);
    assert.match(stdout, /"source":\{"packets":1,"bytes":1199710477670935696\}/);
  });
});

Deno.test("mlids consume --output jsonl and json keep int64 beyond 2^53 to the last digit", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await publishPredictions(emulator.sns, topology.topicArn, [
      {
        columns: ["tot_bytes", "rate"],
        index: 1,
        row: [1199710477670935696n, 0.25],
        prediction: 1,
      },
      { columns: ["tot_bytes", "rate"], index: 2, row: [1199710477670935697n, 0.5], prediction: 1 },
    ]);
    const common = consumeFlags(topology);
    const jsonl = await runConsume([...common, "--output", "jsonl", "--count", "1"]);
    const json = await runConsume([...common, "--output", "json", "--count", "1"]);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.equal(json.code, 0, json.stderr);
    const both = jsonl.stdout + json.stdout;
    assert.match(both, /"flow":\{"tot_bytes":1199710477670935696,"rate":0\.25,"prediction":1\}/);
    assert.match(both, /"flow":\{"tot_bytes":1199710477670935697,"rate":0\.5,"prediction":1\}/);
    assert.ok(!both.includes("1199710477670935800"));
    assert.equal((JSON.parse(json.stdout) as unknown[]).length, 1);
    assert.match(jsonl.stderr, /1 notification shown, 1 deleted/);
  });
});

Deno.test("mlids consume on an endpoint it never reaches ends with exit 1 naming it and why", async () => {
  const { code, stdout, stderr } = await runConsume([
    "--queue-url",
    "http://sqs.eu-west-1.localhost:1/000000000000/ml-ids-attacks",
    "--endpoint-url",
    "http://127.0.0.1:1",
    "--wait-time",
    "1",
    "--idle-exit",
    "2",
  ]);
  assert.equal(code, 1, stderr);
  assert.equal(stdout, "");
  const errors = stderr.split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(errors.length, 1, stderr);
  assert.match(
    errors[0],
    /^error: no receive from SQS at http:\/\/127\.0\.0\.1:1 succeeded in 2s: .*(refused|ECONNREFUSED).*\. Check --endpoint-url/i,
  );
  assert.doesNotMatch(stderr, /notifications shown/);
});

Deno.test("mlids consume counts a malformed message once across three visibility timeouts", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    const sent = await emulator.sqs.send(
      new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: "not a notification" }),
    );
    const id = sent.MessageId!;
    // Its returns are not news: the idle clock runs from the first time it was seen.
    const { code, stdout, stderr } = await runConsume(
      consumeFlags(topology, "--visibility-timeout", "1", "--idle-exit", "5"),
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "");
    assert.equal(
      stderr.split("\n").filter((line) => line.includes(`message ${id} is malformed`)).length,
      1,
      stderr,
    );
    const still = stderr.split("\n").filter((line) => line.includes("still in the queue"));
    assert.equal(still.length, 1, stderr);
    assert.match(
      still[0],
      new RegExp(`^malformed message ${id} is still in the queue \\(received \\d+ times\\)`),
    );
    assert.match(stderr, /no message for 5s: 0 notifications shown, 0 deleted, 1 malformed/);
    // It was there all along: received once and back after at least three visibility timeouts.
    // A long poll returns the moment it is visible again.
    const again = await emulator.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: topology.queueUrl,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    assert.equal(again.Messages?.[0]?.MessageId, id);
    assert.ok(
      Number(again.Messages![0].Attributes?.ApproximateReceiveCount) >= 5,
      JSON.stringify(again.Messages![0].Attributes),
    );
  });
});

Deno.test("mlids consume --output jsonl streams one object per flow, line by line", async () => {
  await withIdsQueue({ publish: notices(5) }, async (emulator, topology) => {
    // No --endpoint-url and no region: both come from the queue URL (sqs.eu-west-1.localhost).
    const consumer = startConsume(consumeFlags(topology, "--output", "jsonl"));
    try {
      await consumer.waitFor((seen) => seen.stdout.split("\n").length > 5, "five jsonl lines");
      // The lines arrived while the consumer keeps running: nothing is held back until exit.
      assert.doesNotMatch(consumer.stderr(), /notifications? shown/);
      await consumer.waitFor((seen) => seen.deleted >= 5, "five deletions");
      consumer.interrupt();
      assert.equal(await consumer.exit(10000), 0);
    } finally {
      consumer.interrupt();
      await consumer.exit(10000).catch(() => {});
    }
    const lines = consumer.stdout().trim().split("\n");
    assert.equal(lines.length, 5);
    for (const line of lines) {
      const record = JSON.parse(line);
      assert.deepEqual(Object.keys(record), FLOW_RECORD_KEYS);
      assert.equal(typeof record.message_id, "string");
      assert.match(record.sent_at, /^\d{4}-\d\d-\d\dT/);
      assert.match(record.received_at, /^\d{4}-\d\d-\d\dT/);
      assert.ok(Date.parse(record.received_at) >= Date.parse(record.sent_at) - 1000);
      assert.equal(record.prediction, "attack");
      assert.deepEqual(record.flow, {
        dst_port: 1000 + record.index,
        protocol: 6,
        timestamp: "21/02/2018 10:15:06",
        prediction: 1,
      });
    }
    assert.deepEqual(sorted(jsonlIndexes(consumer.stdout())), range(5));
    await assertQueueEmpty(emulator, topology);
  });
});

Deno.test("mlids consume --output json writes one array; raw delivery is understood", async () => {
  await withIdsQueue({ publish: notices(3), rawDelivery: true }, async (emulator, topology) => {
    const { code, stdout, stderr } = await runConsume(
      [
        "--queue-url",
        topology.queueUrl,
        "--endpoint-url",
        emulator.endpoint,
        "--delete-messages",
        "true",
        "--output",
        "json",
        "--wait-time",
        "1",
      ],
      {},
      { until: (seen) => seen.deleted >= 3 },
    );
    assert.equal(code, 0, stderr);
    const records = JSON.parse(stdout);
    assert.ok(Array.isArray(records));
    assert.deepEqual(sorted(records.map((r: { index: number }) => r.index)), range(3));
    for (const record of records) {
      assert.equal(record.prediction, "attack");
      assert.match(record.sent_at, /^\d{4}-\d\d-\d\dT/);
    }
    const empty = await runConsume(
      [
        "--queue-url",
        topology.queueUrl,
        "--output",
        "json",
        "--wait-time",
        "1",
      ],
      {},
      { until: (seen) => seen.emptyPolls >= 1 },
    );
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), []);
  });
});

Deno.test("mlids consume without --delete-messages deletes nothing: messages come back", async () => {
  await withIdsQueue({ publish: notices(3) }, async (emulator, topology) => {
    const common = ["--queue-url", topology.queueUrl, "--output", "jsonl", "--wait-time", "1"];
    const first = await runConsume([
      ...common,
      "--delete-messages",
      "False",
      "--visibility-timeout",
      "1",
      "--max-messages",
      "3",
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(sorted(jsonlIndexes(first.stdout)), range(3));
    assert.match(first.stderr, /3 notifications shown, 0 deleted/);
    const counts = await queueCounts(emulator.sqs, topology.queueUrl);
    assert.equal(counts.visible + counts.inFlight, 3);
    // After the 1 s visibility timeout the same notifications are delivered again.
    const second = await runConsume([...common, "--delete-messages", "--max-messages", "3"]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(sorted(jsonlIndexes(second.stdout)), range(3));
    await assertQueueEmpty(emulator, topology);
  });
});

Deno.test("mlids consume warns about malformed messages, keeps them, and escapes their text", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    const bodies = [
      // SQS refuses ESC and BEL in bodies; the 8-bit CSI (U+009B) and CR get through.
      "not json \u009b2J\r at all",
      JSON.stringify({ hello: "no Message here" }),
      JSON.stringify({ Type: "Notification", MessageId: "x", Message: '{"columns": 3}' }),
    ];
    const ids: string[] = [];
    for (const body of bodies) {
      const sent = await emulator.sqs.send(
        new SendMessageCommand({ QueueUrl: topology.queueUrl, MessageBody: body }),
      );
      ids.push(sent.MessageId!);
    }
    await publishPrediction(emulator.sns, topology.topicArn, notices(1)[0]);
    const args = consumeFlags(topology, "--visibility-timeout", "1", "--output", "jsonl");
    const first = await runConsume([...args, "--max-messages", "1"]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(jsonlIndexes(first.stdout), [0]);
    const warnings = first.stderr.split("\n").filter((line) => line.startsWith("warning:"));
    // Each malformed message is warned about once, even when it came back within the run.
    for (const id of ids) {
      assert.equal(
        warnings.filter((line) => line.includes(id)).length,
        1,
        `one warning for ${id}: ${first.stderr}`,
      );
    }
    assert.match(first.stderr, /1 notification shown, 1 deleted, 3 malformed/);
    assert.ok(warnings.some((line) => /not JSON/.test(line)));
    assert.ok(warnings.some((line) => /without "Message"/.test(line)));
    assert.ok(warnings.some((line) => /no "columns"/.test(line)));
    assert.ok(warnings.every((line) => /left in the queue/.test(line)));
    assert.ok(!first.stderr.includes("\u009b") && !first.stderr.includes("\r"));
    assert.match(first.stderr, /not JSON: "not json \\x9b2J\\r at all"/);
    // They are still there (fauxqs counts expired ones as in flight until the next receive);
    // after their 1 s visibility timeout, --delete-malformed removes them.
    const kept = await queueCounts(emulator.sqs, topology.queueUrl);
    assert.equal(kept.visible + kept.inFlight, 3);
    // Long polls see them again once their visibility timeout ends; stop when all three are gone.
    const second = await runConsume([...args, "--delete-malformed"], {}, {
      until: (seen) => seen.deleted >= 3,
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /deleted \(--delete-malformed\)/);
    assert.equal(second.stdout, "");
    await assertQueueEmpty(emulator, topology);
  });
});

Deno.test("mlids consume escapes control characters from messages in the table", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await publishPrediction(emulator.sns, topology.topicArn, {
      columns: ["evil\x1b[2Jcolumn", "label"],
      index: "i\x1b[31m",
      row: ["\x1b]0;retitled\x07", "a\x9bb\rc"],
      prediction: 1,
    });
    const { code, stdout, stderr } = await runConsume(
      consumeFlags(
        topology,
        "--max-messages",
        "1",
        "--display-overflow",
        "NOWRAP",
        "--output",
        "table",
      ),
    );
    assert.equal(code, 0, stderr);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    assert.match(stdout, /evil\\x1b\[2Jcolumn/);
    assert.match(stdout, /\\x1b\]0;retitled\\x07/);
    assert.match(stdout, /a\\x9bb\\rc/);
    assert.match(stdout, /row i\\x1b\[31m/);
  });
});

Deno.test("mlids consume escapes control characters from messages in the one-line view", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    await publishPrediction(emulator.sns, topology.topicArn, {
      columns: ["dst_port", "protocol", "timestamp"],
      index: 0,
      row: [80, 6, "\x1b[2J\x9b\r"],
      prediction: 1,
    });
    const { code, stdout, stderr } = await runConsume(consumeFlags(topology, "--count", "1"));
    assert.equal(code, 0, stderr);
    assert.equal(stdout.split("\n").length, 2, stdout);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    assert.match(stdout, / ATTACK 80\/TCP +\\x1b\[2J\\x9b\\r /);
  });
});

Deno.test("mlids consume --count stops after N and hands the rest back at once", async () => {
  await withIdsQueue({ publish: notices(7) }, async (emulator, topology) => {
    const { code, stdout, stderr } = await runConsume(
      consumeFlags(topology, "--count", "3", "--output", "jsonl"),
    );
    assert.equal(code, 0, stderr);
    const shown = jsonlIndexes(stdout);
    assert.equal(shown.length, 3);
    assert.match(stderr, /3 notifications shown/);
    // The other four were released (visibility 0), not left hidden for the visibility timeout.
    assert.deepEqual(await queueCounts(emulator.sqs, topology.queueUrl), {
      visible: 4,
      inFlight: 0,
    });
    const rest = await receiveIndexes(emulator.sqs, topology.queueUrl, {
      count: 4,
      timeoutMs: 5000,
    });
    assert.deepEqual(sorted([...shown, ...rest]), range(7));
  });
});

Deno.test("mlids consume --idle-exit ends with exit 0 on a quiet queue", async () => {
  await withIdsQueue({}, async (_emulator, topology) => {
    const { code, stdout, stderr } = await runConsume([
      "--queue-url",
      topology.queueUrl,
      "--idle-exit",
      "1",
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /no message for 1s: 0 notifications shown, 0 deleted, 0 malformed, \d+ polls?\n/,
    );
  });
});

Deno.test("Ctrl-C in the middle of consuming: every notification shown and deleted, or still queued", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    let published = 0;
    let publishing = true;
    // Keep notifications flowing so the signal lands while batches are being handled.
    const publisher = (async () => {
      while (publishing && published < 20000) {
        await publishPredictions(
          emulator.sns,
          topology.topicArn,
          notices(50, { start: published }),
        );
        published += 50;
      }
    })();
    const consumer = spawnConsume([
      "--queue-url",
      topology.queueUrl,
      "--delete-messages",
      "--output",
      "jsonl",
      "--wait-time",
      "2",
      "--visibility-timeout",
      "2",
    ]);
    try {
      await waitUntil(() => consumer.stdout().split("\n").length > 100, "100 lines");
      consumer.child.kill("SIGINT");
      const code = await consumer.exit(2000 + 2000 + 3000);
      assert.equal(code, 0, consumer.stderr());
    } finally {
      publishing = false;
      await publisher;
      await consumer.exit(10000).catch(() => {});
    }
    assert.match(consumer.stderr(), /stopping/);
    const shown = jsonlIndexes(consumer.stdout());
    assert.equal(new Set(shown).size, shown.length, "no notification shown twice");
    const rest = await receiveIndexes(emulator.sqs, topology.queueUrl, {
      count: published - shown.length,
      timeoutMs: 20000,
    });
    assert.deepEqual(sorted([...shown, ...rest]), range(published));
  });
});

Deno.test("two mlids consumers on one queue show every notification exactly once", async () => {
  await withIdsQueue({ publish: notices(300) }, async (emulator, topology) => {
    const args = consumeFlags(topology, "--output", "jsonl");
    // Both stop once the 300 are deleted between them.
    let deleted = 0;
    const seenBy = [0, 0];
    const until = (which: number) => (seen: Seen): boolean => {
      deleted += seen.deleted - seenBy[which];
      seenBy[which] = seen.deleted;
      return deleted >= 300;
    };
    const a = startConsume(args, {}, { until: until(0) });
    const b = startConsume(args, {}, { until: until(1) });
    await a.waitFor(() => deleted >= 300, "300 deletions between the two");
    a.interrupt();
    b.interrupt();
    const [codeA, codeB] = await Promise.all([a.exit(), b.exit()]);
    assert.equal(codeA, 0, a.stderr());
    assert.equal(codeB, 0, b.stderr());
    assert.deepEqual(
      sorted([...jsonlIndexes(a.stdout()), ...jsonlIndexes(b.stdout())]),
      range(300),
    );
    await assertQueueEmpty(emulator, topology);
  });
});

Deno.test("mlids consume keeps running through an emulator restart and says it is retrying", async () => {
  let emulator = await startEmulator();
  const port = emulator.port;
  let consumer: InProcessConsumer | undefined;
  try {
    let topology = await createIdsTopology(emulator);
    await publishPredictions(emulator.sns, topology.topicArn, notices(2));
    consumer = startConsume(consumeFlags(topology, "--output", "jsonl", "--max-messages", "4"));
    // Shown and deleted: the restart loses the queue, and with it any receipt still in use.
    await consumer.waitFor(
      (seen) => jsonlIndexes(seen.stdout).length >= 2 && seen.deleted >= 2,
      "two notifications shown and deleted",
    );
    await emulator.stop();
    await consumer.waitFor((seen) => seen.retries >= 1, "a retry");
    assert.match(consumer.stderr(), /retrying in/);
    // The consumer's retries wait until the queue is there again, as it is after a real outage.
    emulator = await startEmulator({
      port,
      setup: async (restarted) => void (topology = await createIdsTopology(restarted)),
    });
    await publishPredictions(emulator.sns, topology.topicArn, notices(2, { start: 10 }));
    assert.equal(await consumer.exit(30000), 0, consumer.stderr());
    assert.deepEqual(sorted(jsonlIndexes(consumer.stdout())), [0, 1, 10, 11]);
    assert.match(consumer.stderr(), /SQS receiving failed \(.+\); retrying in \d/);
    assert.match(consumer.stderr(), /works again/);
  } finally {
    consumer?.interrupt();
    await consumer?.exit(10000).catch(() => {});
    await emulator.stop();
  }
});

Deno.test("mlids consume ends with exit 1 and a clear message: no credentials, missing queue", async () => {
  await withIdsQueue({}, async (_emulator, topology) => {
    // A process of its own: with no keys, the SDK's chain reads the process's environment.
    const noCredentials = await runConsumeProcess(
      ["--queue-url", topology.queueUrl, "--wait-time", "1"],
      { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" },
    );
    assert.equal(noCredentials.code, 1, noCredentials.stderr);
    assert.match(noCredentials.stderr, /error: no AWS credentials found/);
    assert.match(noCredentials.stderr, /--profile/);
    const secret = "SeCrEtThatMustNotShow1234567890";
    const missingQueue = [
      "--queue-url",
      topology.queueUrl.replace("ml-ids-attacks", "no-such-queue"),
      "--access-key",
      "AKIDEXAMPLE",
      "--secret-key",
      secret,
    ];
    const noKeys = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
    const missing = await runConsume([...missingQueue, "--wait-time", "1"], noKeys);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /error: the queue .*no-such-queue does not exist/);
    assert.ok(!missing.stderr.includes(secret) && !missing.stdout.includes(secret));
    const debug = await runConsume([...missingQueue, "--debug"], noKeys);
    assert.equal(debug.code, 1, debug.stderr);
    assert.match(debug.stderr, /caused by/);
    assert.ok(!debug.stderr.includes(secret));
  });
});

Deno.test("mlids consume takes credentials and region from a --profile, with no note", async () => {
  await withIdsQueue({ publish: notices(2) }, async (_emulator, topology) => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/credentials`,
        "[ids]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profilesecret123\n",
      );
      await Deno.writeTextFile(`${dir}/config`, "[profile ids]\nregion = eu-west-1\n");
      // A process of its own: the SDK reads a profile's files from the process's environment.
      const { code, stdout, stderr } = await runConsumeProcess([
        "--queue-url",
        topology.queueUrl,
        "--profile",
        "ids",
        "--delete-messages",
        "--output",
        "jsonl",
        "--max-messages",
        "2",
      ], {
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_CONFIG_FILE: `${dir}/config`,
      });
      assert.equal(code, 0, stderr);
      assert.deepEqual(sorted(jsonlIndexes(stdout)), range(2));
      assert.doesNotMatch(stderr, /process listings/);
      assert.ok(!stderr.includes("profilesecret123"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test({
  name: "mlids consume on a terminal keeps a status line of polls, shown, deleted, malformed",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  async fn() {
    await withIdsQueue({ publish: notices(2) }, async (emulator, topology) => {
      const command = mlidsShellCommand([
        "consume",
        "--queue-url",
        topology.queueUrl,
        "--endpoint-url",
        emulator.endpoint,
        "--delete-messages",
        "--wait-time",
        "1",
        "--idle-exit",
        "3",
      ]);
      // util-linux `script` gives mlids a pseudo-terminal for stdout and stderr.
      const out = await new Deno.Command("script", {
        args: ["-qfec", command, "/dev/null"],
        // Only this environment: a NO_COLOR of the outer run (CI sets one) must not reach mlids.
        clearEnv: true,
        env: await mlidsEnv(withoutNoColor(baseEnv({ TERM: "xterm-256color" }))),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const screen = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, screen.slice(-1500));
      // Coloured on a terminal: the verdict in bold red.
      assert.equal(screen.split("\x1b[1m\x1b[31mATTACK").length - 1, 2);
      assert.match(
        screen,
        /polls \d+ · shown 2 · deleted 2 · malformed 0 · (last message|no message)/,
      );
      // Drawn in place: the line is rewritten with a carriage return and cleared, not appended.
      assert.ok(screen.includes("\r\x1b["), "the status line is redrawn in place");
    });
  },
});

Deno.test("mlids consume escapes bidi controls (U+202E) in lines and table; jsonl keeps the text", async () => {
  await withIdsQueue({}, async (emulator, topology) => {
    const evil = "Benign\u202e\u2066KCATTA\u2069";
    const notice = {
      columns: ["dst_port", "protocol", "timestamp", "label"],
      index: 5,
      row: [80, 6, "\u202e21/02/2018", evil],
      prediction: 1 as const,
    };
    await publishPredictions(emulator.sns, topology.topicArn, [notice, notice, notice]);
    // One notification a run, each of the three copies in its own view.
    const common = consumeFlags(topology, "--idle-exit", "5", "--count", "1");
    const lines = await runConsume(common);
    assert.equal(lines.code, 0, lines.stderr);
    assert.doesNotMatch(lines.stdout, /[\u202a-\u202e\u2066-\u2069]/);
    assert.match(lines.stdout, / \\u202e21\/02\/2018 /);
    const table = await runConsume([
      ...common,
      "--output",
      "table",
      "--display-overflow",
      "nowrap",
    ]);
    assert.equal(table.code, 0, table.stderr);
    assert.doesNotMatch(table.stdout, /[\u202a-\u202e\u2066-\u2069]/);
    assert.match(table.stdout, /Benign\\u202e\\u2066KCATTA\\u2069/);
    // The third copy, as data: the text as it is.
    const jsonl = await runConsume([...common, "--output", "jsonl"]);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.equal(JSON.parse(jsonl.stdout).flow.label, evil);
  });
});
