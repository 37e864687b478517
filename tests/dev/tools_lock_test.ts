import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../../dev/run_mlids.ts";

Deno.test("the pinned Deno's lockfile lists every platform's package, as npm writes it", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, ".tools", "package.json")));
  const lock = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, ".tools", "package-lock.json")));
  const version = manifest.devDependencies.deno;
  const deno = lock.packages["node_modules/deno"];
  assert.equal(deno.version, version);
  // npm records every optional platform package; a lockfile without some of them is rewritten by
  // the first `npm install`, which leaves the checkout modified.
  const platforms = Object.keys(deno.optionalDependencies);
  assert.ok(platforms.length >= 6, platforms.join());
  for (const name of platforms) {
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `${name} is in the lockfile`);
    assert.equal(entry.version, version, name);
    assert.match(entry.integrity, /^sha512-/, name);
  }
});
