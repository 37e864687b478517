import assert from "node:assert/strict";
import { join } from "node:path";
import { MLIDS_PERMISSIONS } from "../dev/permissions.ts";
import { mlidsCommand, REPO_ROOT } from "../dev/run_mlids.ts";
import { createIdsTopology, startEmulator } from "../dev/emulator.ts";
import { startStandinApi } from "../dev/standin_api.ts";
import { publishPredictions } from "../dev/publish_notifications.ts";

const FIXTURE = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");

/** Runs mlids with the baked permissions and no terminal; returns exit code and output. */
async function runBaked(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-perm-" });
  try {
    const command = await mlidsCommand(args, {
      env: {
        XDG_CACHE_HOME: cache,
        NO_COLOR: "1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const out = await command.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

function assertNoPermissionTrouble(result: { code: number; stderr: string }, what: string): void {
  assert.doesNotMatch(result.stderr, /NotCapable|Requires \w+ access|permission/i, what);
  assert.equal(result.code, 0, `${what} exited ${result.code}: ${result.stderr.slice(-800)}`);
}

Deno.test("permissions: deno task mlids and deno task install bake exactly dev/permissions.ts", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const flags = MLIDS_PERMISSIONS.join(" ");
  assert.equal(config.tasks.mlids, `deno run ${flags} --no-prompt main.ts`);
  assert.ok(config.tasks.install.includes(` ${flags} --no-prompt `));
  assert.ok(!flags.includes("--allow-all") && !/(^| )-A( |$)/.test(flags));
  assert.ok(!flags.includes("--allow-run") && !flags.includes("--allow-ffi"));
});

Deno.test("permissions: --help and dataset info run under the baked permissions", async () => {
  assertNoPermissionTrouble(await runBaked(["--help"]), "mlids --help");
  const info = await runBaked(["dataset", "info", FIXTURE, "--json"]);
  assertNoPermissionTrouble(info, "dataset info");
  assert.equal(JSON.parse(info.stdout).format, "pandas-table");
});

Deno.test("permissions: predict and consume run under the baked permissions", async () => {
  const emulator = await startEmulator();
  const api = await startStandinApi({ recordBodies: false });
  try {
    const predict = await runBaked([
      "predict",
      "--api-url",
      api.url,
      "--dataset-uri",
      FIXTURE,
      "--random",
      "--count",
      "5",
      "--output",
      "json",
    ]);
    assertNoPermissionTrouble(predict, "predict");
    assert.equal(JSON.parse(predict.stdout).flows.length, 5);

    const topology = await createIdsTopology(emulator);
    await publishPredictions(emulator.sns, topology.topicArn, [
      { columns: ["dst_port"], index: 1, row: [80], prediction: 1 },
      { columns: ["dst_port"], index: 2, row: [21], prediction: 1 },
    ]);
    const consume = await runBaked([
      "consume",
      "--queue-url",
      topology.queueUrl,
      "--endpoint-url",
      emulator.endpoint,
      "--region",
      emulator.region,
      "--delete-messages",
      "--max-messages",
      "2",
      "--wait-time",
      "1",
      "--idle-exit",
      "10",
      "--output",
      "jsonl",
    ]);
    assertNoPermissionTrouble(consume, "consume");
    assert.equal(consume.stdout.trim().split("\n").length, 2);
  } finally {
    await api.close();
    await emulator.stop();
  }
});
