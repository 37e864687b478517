import assert from "node:assert/strict";
import { envVar } from "../lib/env.ts";

Deno.test("env: set values are returned; unset and empty ones are undefined", () => {
  const name = "MLIDS_ENV_TEST_VALUE";
  try {
    Deno.env.set(name, "x y");
    assert.equal(envVar(name), "x y");
    Deno.env.set(name, "");
    assert.equal(envVar(name), undefined);
    Deno.env.delete(name);
    assert.equal(envVar(name), undefined);
  } finally {
    Deno.env.delete(name);
  }
});

Deno.test("env: a variable outside the granted permissions reads as unset instead of throwing", async () => {
  const code = `import { envVar } from ${
    JSON.stringify(new URL("../lib/env.ts", import.meta.url).href)
  };
console.log(JSON.stringify([envVar("MLIDS_ALLOWED"), envVar("MLIDS_DENIED")]));`;
  const dir = await Deno.makeTempDir({ prefix: "mlids-env-" });
  try {
    await Deno.writeTextFile(`${dir}/probe.ts`, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-env=MLIDS_ALLOWED", "--allow-read", `${dir}/probe.ts`],
      env: { MLIDS_ALLOWED: "yes", MLIDS_DENIED: "secret" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), ["yes", null]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
