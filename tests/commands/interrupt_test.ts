import assert from "node:assert/strict";
import process from "node:process";
import { interruptible, promptEndedBySigint, watchInterrupts } from "../../commands/_interrupt.ts";

/** Waits until `done()` holds; bounded, since a signal is delivered within moments. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), "the signal did not arrive");
}

Deno.test({
  name: "interrupts: the first SIGTERM asks to stop, the second exits 130",
  ignore: Deno.build.os === "windows",
  async fn() {
    const stops: string[] = [];
    const exits: number[] = [];
    const unwatch = watchInterrupts((signal) => stops.push(signal), {
      exit: (code) => exits.push(code),
    });
    try {
      Deno.kill(Deno.pid, "SIGTERM");
      await until(() => stops.length === 1);
      assert.deepEqual(exits, []);
      Deno.kill(Deno.pid, "SIGTERM");
      await until(() => exits.length === 1);
      assert.deepEqual(stops, ["SIGTERM"]);
      assert.deepEqual(exits, [130]);
    } finally {
      unwatch();
    }
  },
});

Deno.test({
  name: "interrupts: interruptible hands the work a signal that SIGTERM aborts",
  ignore: Deno.build.os === "windows",
  async fn() {
    const result = await interruptible(async (signal) => {
      assert.equal(signal.aborted, false);
      Deno.kill(Deno.pid, "SIGTERM");
      await until(() => signal.aborted);
      return signal.aborted;
    });
    assert.equal(result, true);
  },
});

Deno.test("interrupts: a prompt run through promptEndedBySigint is aborted by SIGINT on node:process, and the listener goes after", async () => {
  const before = process.listenerCount("SIGINT");
  const aborted = await promptEndedBySigint((signal) => {
    // signal-exit re-raises SIGINT only when its own listeners are all node:process has.
    assert.equal(process.listenerCount("SIGINT"), before + 1);
    assert.equal(signal.aborted, false);
    process.emit("SIGINT", "SIGINT");
    return Promise.resolve(signal.aborted);
  });
  assert.equal(aborted, true);
  assert.equal(process.listenerCount("SIGINT"), before);
  // A prompt that throws also leaves no listener behind.
  await assert.rejects(promptEndedBySigint(() => Promise.reject(new Error("closed"))), /closed/);
  assert.equal(process.listenerCount("SIGINT"), before);
});
