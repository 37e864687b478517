import assert from "node:assert/strict";
import { backoffDelay, networkErrorCode, sleep } from "../lib/retry.ts";

Deno.test("retry: backoff doubles from the base up to the cap, keeping a random half or more", () => {
  for (let i = 0; i < 200; i++) {
    const first = backoffDelay(1, { baseMs: 200, capMs: 5000 });
    assert.ok(first >= 100 && first <= 200, `${first}`);
    const third = backoffDelay(3, { baseMs: 200, capMs: 5000 });
    assert.ok(third >= 400 && third <= 800, `${third}`);
    const late = backoffDelay(20, { baseMs: 200, capMs: 5000 });
    assert.ok(late >= 2500 && late <= 5000, `${late}`);
  }
});

Deno.test("retry: a sleep ends at once when its signal is aborted", async () => {
  const controller = new AbortController();
  const started = performance.now();
  const sleeping = sleep(60_000, controller.signal);
  controller.abort();
  await sleeping;
  assert.ok(performance.now() - started < 10_000);
  await sleep(60_000, controller.signal);
});

Deno.test("retry: network error codes are found on the error or a cause it wraps", () => {
  const refused = Object.assign(new Error("connect failed"), { code: "ECONNREFUSED" });
  assert.equal(networkErrorCode(refused), "ECONNREFUSED");
  const wrapped = new Error("fetch failed", { cause: new Error("x", { cause: refused }) });
  assert.equal(networkErrorCode(wrapped), "ECONNREFUSED");
  assert.equal(networkErrorCode(Object.assign(new Error("no"), { code: "EACCES" })), undefined);
  assert.equal(networkErrorCode("a string"), undefined);
  assert.equal(networkErrorCode(null), undefined);
});
