import assert from "node:assert/strict";
import { defaultCacheDir } from "../lib/cache_dir.ts";
import { MachineError } from "../lib/errors.ts";
import { withEnv } from "./support/with_env.ts";

Deno.test({
  name: "cache dir: XDG_CACHE_HOME first, then ~/.cache; an empty XDG_CACHE_HOME counts as unset",
  ignore: Deno.build.os === "windows",
  fn() {
    withEnv({ XDG_CACHE_HOME: "/var/cache/analyst", HOME: "/home/analyst" }, () => {
      assert.equal(defaultCacheDir(), "/var/cache/analyst/mlids");
    });
    withEnv({ XDG_CACHE_HOME: "", HOME: "/home/analyst" }, () => {
      assert.equal(defaultCacheDir(), "/home/analyst/.cache/mlids");
    });
  },
});

Deno.test({
  name: "cache dir: no home at all is a MachineError saying what to set",
  ignore: Deno.build.os === "windows",
  async fn() {
    // os.homedir() would still find root's home in this process, so ask a child with no HOME.
    const code = `import { defaultCacheDir } from ${
      JSON.stringify(new URL("../lib/cache_dir.ts", import.meta.url).href)
    };
try { console.log(defaultCacheDir()); } catch (e) { console.log(e.name, e.message, e.hint); }`;
    const dir = await Deno.makeTempDir({ prefix: "mlids-cachedir-" });
    try {
      await Deno.writeTextFile(`${dir}/probe.ts`, code);
      const out = await new Deno.Command(Deno.execPath(), {
        // No sys permission: os.homedir() is refused, as in a locked-down runtime.
        args: ["run", "--no-prompt", "--allow-read", "--allow-env", `${dir}/probe.ts`],
        env: { PATH: Deno.env.get("PATH") ?? "" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.match(text, /MachineError cannot find a cache directory.*XDG_CACHE_HOME/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    assert.ok(new MachineError("x") instanceof Error);
  },
});
