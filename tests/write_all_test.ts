import assert from "node:assert/strict";
import { writeAll, writeAllSync } from "../lib/write_all.ts";

/** A writer that takes at most `step` bytes a call (0: none), keeping what it took. */
function trickle(step: number): { taken: number[]; writeSync(b: Uint8Array): number } {
  const taken: number[] = [];
  return {
    taken,
    writeSync(bytes: Uint8Array): number {
      const n = Math.min(step, bytes.length);
      taken.push(...bytes.subarray(0, n));
      return n;
    },
  };
}

Deno.test("writeAll: every byte arrives, in order, however few each write takes", async () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  const sync = trickle(3);
  writeAllSync(sync, bytes);
  assert.deepEqual(sync.taken, [...bytes]);
  const async = trickle(7);
  await writeAll({ write: (b) => Promise.resolve(async.writeSync(b)) }, bytes);
  assert.deepEqual(async.taken, [...bytes]);
  await writeAll({ write: () => Promise.reject(new Error("never called")) }, new Uint8Array(0));
});

Deno.test("writeAll: a write that takes nothing is an error, not an endless loop", async () => {
  assert.throws(() => writeAllSync(trickle(0), new Uint8Array(5)), /took no bytes/);
  await assert.rejects(
    writeAll({ write: () => Promise.resolve(0) }, new Uint8Array(5)),
    /took no bytes/,
  );
});
