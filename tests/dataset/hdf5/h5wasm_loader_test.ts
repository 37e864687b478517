import assert from "node:assert/strict";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadH5wasm } from "../../../lib/dataset/hdf5/h5wasm_loader.ts";

const FIXTURE = fileURLToPath(new URL("../../fixtures/table_zlib.h5", import.meta.url));

Deno.test("h5wasm loader: loads once, opens files in place, and leaves process.env as it was", async () => {
  const before = process.env;
  const [first, second] = await Promise.all([loadH5wasm(), loadH5wasm()]);
  assert.equal(first, second);
  assert.equal(process.env, before);
  const file = new first.File(FIXTURE, "r");
  try {
    assert.deepEqual(file.keys(), ["ids_data"]);
  } finally {
    file.close();
  }
});

Deno.test("h5wasm loader: starts with access to no environment variable at all", async () => {
  // A child Deno allowed to read files but no environment: h5wasm must still start.
  const code = `import { loadH5wasm } from ${
    JSON.stringify(new URL("../../../lib/dataset/hdf5/h5wasm_loader.ts", import.meta.url).href)
  };
const h5 = await loadH5wasm(); const f = new h5.File(${
    JSON.stringify(FIXTURE)
  }, "r"); console.log(f.keys().join()); f.close();`;
  const dir = await Deno.makeTempDir({ prefix: "mlids-h5wasm-" });
  const script = `${dir}/probe.ts`;
  await Deno.writeTextFile(script, code);
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-read", "--config", `${root}/deno.json`, script],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(dir, { recursive: true }));
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "ids_data");
});
