import assert from "node:assert/strict";
import { join } from "node:path";
import { mlidsEnv, REPO_ROOT } from "../../dev/run_mlids.ts";

/** The arguments of the demo task's command. */
function demoArgs(task: string): string[] {
  return task.split(" ").slice(1);
}

/** Runs the shell `lines` in bash in `cwd`, with a PATH that has no mlids on it. */
async function bash(lines: string[], cwd: string) {
  const env = await mlidsEnv({ PATH: "/usr/bin:/bin", HOME: cwd, NO_COLOR: "1" });
  const out = await new Deno.Command("bash", {
    args: ["-e", "-c", lines.join("\n")],
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("demo: runs the whole loop end to end and every predicted attack is consumed", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  // The demo task's own command line, run as `deno task demo` would.
  const args = demoArgs(config.tasks.demo as string);
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    env: await mlidsEnv({ NO_COLOR: "1", COLUMNS: "120" }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr.slice(-2000));
  const summary =
    /demo: sent (\d+) flows, the API predicted (\d+) attacks, consume showed (\d+) notifications/
      .exec(stderr);
  assert.ok(summary, "the demo's summary line");
  const [sent, attacks, shown] = summary.slice(1).map(Number);
  assert.equal(sent, 12);
  assert.ok(attacks > 0);
  assert.equal(shown, attacks);
  // What a user sees: the download, the accuracy line, one line per notification.
  assert.match(stderr, /test\.h5: .* in /);
  assert.match(stdout, /Accuracy:\s+[\d.]+%/);
  assert.equal(
    stdout.split("\n").filter((line) => / [0-9a-f-]{8} ATTACK \d+\/[A-Z]+ /.test(line)).length,
    attacks,
  );
  for (const step of ["AWS emulator", "predictions topic", "Uploading", "stand-in ML-IDS API"]) {
    assert.ok(stderr.includes(step), step);
  }
});

Deno.test("demo --interactive: keeps the services up, prints the commands, stops on Ctrl-C", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const args = [...demoArgs(config.tasks.demo as string), "--interactive"];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    env: await mlidsEnv({ NO_COLOR: "1" }),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = Date.now() + 60_000;
  try {
    while (!stderr.includes("Ctrl-C here stops everything") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    assert.match(stderr, /export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+ /);
    const api = /MLIDS_API_URL=(\S+)/.exec(stderr)?.[1];
    assert.ok(api, stderr);
    // The API really is up while the demo waits.
    assert.equal(await (await fetch(api)).text(), "ML-IDS API");
    assert.match(stderr, /mlids predict --api-url "\$MLIDS_API_URL" --dataset-uri s3:\/\//);
    assert.match(stderr, /mlids consume --queue-url "\$MLIDS_QUEUE_URL" --delete-messages True/);
    // The printed lines work as printed, pasted into a shell elsewhere that has no mlids on PATH.
    const hints = stderr.split("\n").filter((line) => /^ {2}(export|mlids) /.test(line))
      .map((line) => line.trim());
    const [path, env] = hints;
    assert.match(path, /^export PATH=.*:"\$PATH"$/);
    const scripted = hints.find((line) => line.includes("--random"));
    assert.ok(scripted, stderr);
    const work = await Deno.makeTempDir({ prefix: "mlids-demo-hints-" });
    try {
      const round = await bash([path, env, "export XDG_CACHE_HOME=$PWD/cache", scripted], work);
      assert.equal(round.code, 0, round.stderr);
      assert.match(round.stdout, /Accuracy:/);
      assert.doesNotMatch(round.stderr, /^Task /m, "no task line");
      // The interactive one runs too; without a terminal it says what to pass instead.
      const interactive = hints.find((line) =>
        line.startsWith("mlids predict") && line !== scripted
      );
      const asked = await bash([path, env, "export XDG_CACHE_HOME=$PWD/cache", interactive!], work);
      assert.equal(asked.code, 2);
      assert.match(asked.stderr, /stdin is not a terminal/);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
    child.kill("SIGINT");
    const status = await child.status;
    assert.equal(status.code, 0);
    await fetch(api).then(() => assert.fail("the API is still up after Ctrl-C"), () => {});
  } finally {
    await reader.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
});
