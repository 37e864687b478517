/**
 * `deno task demo`: the whole ML-IDS loop on this machine, no AWS account needed. It starts the
 * fauxqs emulator (S3, SNS, SQS) and the stand-in ML-IDS API, wires them as the ML-IDS deployment
 * does, then runs the real `mlids predict` and `mlids consume` as a user would.
 *
 *   deno task demo                  run the loop once and stop everything (exit 0 when it all adds up)
 *   deno task demo --interactive    keep the services up and print the commands to try by hand
 * @module
 */

import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createIdsTopology, type Emulator, startEmulator } from "./emulator.ts";
import { type StandinApi, startStandinApi } from "./standin_api.ts";
import { mlidsCommand, REPO_ROOT, shellQuote } from "./run_mlids.ts";

const DEMO_DATASET = join(REPO_ROOT, "dev", "demo_data", "ml-ids-demo.h5");
const BUCKET = "ml-ids-2018-full";
const KEY = "testing/test.h5";
const encoder = new TextEncoder();

/** What a demo run found, for its last line and for tests. */
export interface DemoSummary {
  flowsSent: number;
  attacksPredicted: number;
  notificationsShown: number;
  predictExit: number;
  consumeExit: number;
}

function step(text: string): void {
  console.error(`\n==> ${text}`);
}

/** Runs mlids with the permissions the binary carries; its output is copied through and returned. */
async function runMlids(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string }> {
  console.error(`$ mlids ${args.map(shellQuote).join(" ")}`);
  const child = (await mlidsCommand(args, {
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  })).spawn();
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    chunks.push(decoder.decode(chunk, { stream: true }));
  }
  const { code } = await child.status;
  return { code, stdout: chunks.join("") };
}

/** The demo's running services and the environment its commands run with. */
export interface DemoServices {
  emulator: Emulator;
  api: StandinApi;
  queueUrl: string;
  env: Record<string, string>;
  cacheDir: string;
}

/** Starts fauxqs, the ML-IDS topology, the S3 dataset and the stand-in API. */
export async function startDemoServices(): Promise<DemoServices> {
  step("Starting the AWS emulator (fauxqs: S3, SNS, SQS) on 127.0.0.1");
  const emulator = await startEmulator({ region: "eu-west-1" });
  console.error(`    listening at ${emulator.endpoint}`);
  step(
    'Creating the predictions topic, the attack queue and their subscription (filter {"prediction": ["attack"]})',
  );
  const topology = await createIdsTopology(emulator);
  console.error(`    topic ${topology.topicArn}\n    queue ${topology.queueUrl}`);
  step(`Uploading the synthetic demo dataset to s3://${BUCKET}/${KEY}`);
  await emulator.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await emulator.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: await Deno.readFile(DEMO_DATASET) }),
  );
  step("Starting the stand-in ML-IDS API, publishing every prediction to the topic");
  const api = await startStandinApi({
    sns: { client: emulator.sns, topicArn: topology.topicArn },
  });
  console.error(`    listening at ${api.url}`);
  const cacheDir = await Deno.makeTempDir({ prefix: "mlids-demo-cache-" });
  const env = {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    AWS_REGION: emulator.region,
    XDG_CACHE_HOME: cacheDir,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return { emulator, api, queueUrl: topology.queueUrl, env, cacheDir };
}

/** Stops what {@linkcode startDemoServices} started. */
export async function stopDemoServices(services: DemoServices): Promise<void> {
  step("Stopping the stand-in API and the emulator");
  await services.api.close();
  await services.emulator.stop();
  await Deno.remove(services.cacheDir, { recursive: true }).catch(() => {});
}

/** The shell variables the README's examples use: the endpoints of the running services. */
export function demoShellVariables(services: DemoServices): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: services.emulator.endpoint,
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    AWS_REGION: services.emulator.region,
    MLIDS_API_URL: services.api.url,
    MLIDS_QUEUE_URL: services.queueUrl,
  };
}

/** Runs the loop once: predict over the S3 dataset, then consume the attacks it caused. */
export async function runDemo(
  options: { count?: number; seed?: number } = {},
): Promise<DemoSummary> {
  const services = await startDemoServices();
  try {
    const count = options.count ?? 12;
    console.error(
      `\n    (the commands below run with AWS_ENDPOINT_URL=${services.emulator.endpoint}, test credentials and a fresh cache)`,
    );
    step(`Predicting ${count} flows drawn at random from the S3 dataset`);
    const predict = await runMlids([
      "predict",
      "--api-url",
      services.api.url,
      "--dataset-uri",
      `s3://${BUCKET}/${KEY}`,
      "--random",
      "--count",
      String(count),
      "--seed",
      String(options.seed ?? 7),
    ], services.env);
    const attacks = services.api.predictedAttacks;
    step(`Consuming the attack notifications those predictions caused (${attacks} expected)`);
    const consume = await runMlids([
      "consume",
      "--queue-url",
      services.queueUrl,
      "--delete-messages",
      "True",
      "--wait-time",
      "1",
      "--idle-exit",
      "3",
    ], services.env);
    // The default view: one line per notification, its verdict in the third field.
    const shown = consume.stdout.split("\n").filter((line) => line.split(/ +/)[2] === "ATTACK")
      .length;
    return {
      flowsSent: services.api.flowsPredicted,
      attacksPredicted: attacks,
      notificationsShown: shown,
      predictExit: predict.code,
      consumeExit: consume.code,
    };
  } finally {
    await stopDemoServices(services);
  }
}

/**
 * What `--interactive` tells the user to paste into another terminal, one shell line each: this
 * checkout's `mlids` launcher on PATH, the services' endpoints, and commands to try. They work as
 * printed, from any folder.
 */
export function demoHints(services: DemoServices): string[] {
  const env = Object.entries(demoShellVariables(services)).map(([name, value]) =>
    `${name}=${shellQuote(value)}`
  ).join(" ");
  const dataset = `s3://${BUCKET}/${KEY}`;
  return [
    `export PATH=${shellQuote(REPO_ROOT.replace(/\/$/, ""))}:"$PATH"`,
    `export ${env}`,
    `mlids predict --api-url "$MLIDS_API_URL" --dataset-uri ${dataset}`,
    `mlids predict --api-url "$MLIDS_API_URL" --dataset-uri ${dataset} --random --count 20`,
    `mlids consume --queue-url "$MLIDS_QUEUE_URL" --delete-messages True`,
    `mlids replay --api-url "$MLIDS_API_URL" --dataset-uri ${dataset} --rate 50 --count 200 --queue-url "$MLIDS_QUEUE_URL" --delete-messages`,
  ];
}

async function runInteractive(): Promise<void> {
  const services = await startDemoServices();
  const [path, env, ...commands] = demoHints(services);
  const text = [
    "",
    "The services are up. In another terminal, paste these two lines (this checkout's mlids on",
    "PATH, and where the services are):",
    "",
    `  ${path}`,
    `  ${env}`,
    "",
    "then try these, or the README's examples:",
    "",
    ...commands.map((command) => `  ${command}`),
    "",
    "(predict without --category/--random is the interactive session.) Ctrl-C here stops everything.",
    "",
  ].join("\n");
  await Deno.stderr.write(encoder.encode(text));
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  await stopped.promise;
  Deno.removeSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", stop);
  await stopDemoServices(services);
}

if (import.meta.main) {
  if (Deno.args.includes("--interactive")) {
    await runInteractive();
    Deno.exit(0);
  }
  const started = performance.now();
  const summary = await runDemo();
  const ok = summary.predictExit === 0 && summary.consumeExit === 0 &&
    summary.notificationsShown === summary.attacksPredicted;
  console.error(
    `\ndemo: sent ${summary.flowsSent} flows, the API predicted ${summary.attacksPredicted} attacks, ` +
      `consume showed ${summary.notificationsShown} notifications ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s): ${ok ? "OK" : "MISMATCH"}`,
  );
  Deno.exit(ok ? 0 : 1);
}
