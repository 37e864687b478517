import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { MLIDS_PERMISSIONS } from "../../dev/permissions.ts";
import { installArgs } from "../../dev/install.ts";
import {
  mlidsArgs,
  mlidsCommand,
  mlidsEnv,
  mlidsShellCommand,
  REPO_ROOT,
} from "../../dev/run_mlids.ts";
import { createIdsTopology, startEmulator } from "../../dev/emulator.ts";
import { startStandinApi } from "../../dev/standin_api.ts";
import { publishPredictions } from "../../dev/publish_notifications.ts";
import { scriptAvailable, spawnInPty } from "../support/pty.ts";

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

Deno.test("permissions: deno task mlids and deno task install use dev/permissions.ts, the one copy", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const flags = MLIDS_PERMISSIONS.join(" ");
  // The tasks name launchers, not a second copy of the list.
  assert.match(config.tasks.mlids, /^deno run .* dev\/mlids\.ts$/);
  assert.match(config.tasks.install, /^deno run .* dev\/install\.ts$/);
  assert.ok(
    !config.tasks.mlids.includes("--allow-env=") && !config.tasks.install.includes("--allow-env="),
  );
  const install = installArgs(["--root", "/x"]).join(" ");
  assert.ok(install.includes(` ${flags} --no-prompt `), install);
  assert.ok(mlidsArgs([]).join(" ").startsWith(`run ${flags} --no-prompt `));
  assert.ok(!flags.includes("--allow-all") && !/(^| )-A( |$)/.test(flags));
  assert.ok(!flags.includes("--allow-run") && !flags.includes("--allow-ffi"));
});

function withoutInitCwd(env: Record<string, string>): Record<string, string> {
  const { INIT_CWD: _, ...rest } = env;
  return rest;
}

Deno.test("permissions: deno task mlids runs in the folder it was started from", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "mlids", "dataset", "info", "../fixtures/table_zlib.h5", "--json"],
    cwd: join(REPO_ROOT, "tests", "dev"),
    // As from a user's shell: no INIT_CWD of an outer `deno task test`, which deno task keeps.
    clearEnv: true,
    env: await mlidsEnv({ ...withoutInitCwd(Deno.env.toObject()), NO_COLOR: "1" }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(JSON.parse(new TextDecoder().decode(out.stdout)).format, "pandas-table");
  assert.doesNotMatch(stderr, /Task mlids/);
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

Deno.test({
  name:
    "permissions: the interactive predict session runs on a terminal under the baked permissions",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  async fn() {
    const api = await startStandinApi({ recordBodies: false });
    const cache = await Deno.makeTempDir({ prefix: "mlids-perm-tty-" });
    const command = mlidsShellCommand(["predict", "--api-url", api.url, "--dataset-uri", FIXTURE]);
    const pty = spawnInPty(
      command,
      await mlidsEnv({
        XDG_CACHE_HOME: cache,
        TERM: "xterm-256color",
        COLORTERM: "truecolor",
      }),
    );
    try {
      await pty.readUntil("Benign");
      // A whole round: the first category, 2 flows, no delay; then the categories again.
      await pty.answer("\r", "How many flows?");
      await pty.answer("2\r", "Delay between flows");
      // Ctrl-C only once the menu is back: while the results are being written, it is a SIGINT.
      await pty.answer("\r", "q) quit");
      assert.ok(pty.screen().includes("Accuracy"), pty.screen().slice(-1500));
      const code = await pty.finish("\x03");
      assert.doesNotMatch(
        pty.screen(),
        /NotCapable|Requires \w+ access/,
        pty.screen().slice(-1500),
      );
      assert.equal(code, 0, pty.screen().slice(-1500));
    } finally {
      await pty.close();
      await api.close();
      await Deno.remove(cache, { recursive: true });
    }
  },
});

Deno.test({
  name: "permissions: deno task install gives a working 'mlids' command with the same permissions",
  ignore: Deno.build.os === "windows",
  async fn() {
    const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
    const root = await Deno.makeTempDir({ prefix: "mlids-install-" });
    try {
      // The task as written, installing under a temporary root instead of ~/.deno.
      const install = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "install", "--root", root],
        cwd: REPO_ROOT,
        env: await mlidsEnv(),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
      const shim = await Deno.readTextFile(join(root, "bin", "mlids"));
      for (const flag of MLIDS_PERMISSIONS) assert.ok(shim.includes(flag), flag);
      // The installed shim runs `deno` from PATH, as it will on a user's machine.
      const path = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
      const version = await new Deno.Command(join(root, "bin", "mlids"), {
        args: ["--version"],
        env: await mlidsEnv({ PATH: path }),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(version.code, 0, new TextDecoder().decode(version.stderr));
      assert.equal(new TextDecoder().decode(version.stdout).trim(), config.version);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
