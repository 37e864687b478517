import assert from "node:assert/strict";
import { RemoteError, UsageError } from "../../lib/errors.ts";
import { isRetryable, PredictionApi } from "../../lib/predict/api.ts";
import type { ConnectionSwitch } from "../../lib/predict/api.ts";
import { pythonAvailable, startPythonStandin } from "../../dev/python_standin.ts";
import { startStandinApi } from "../../dev/standin_api.ts";

const noPython = !pythonAvailable();
const encoder = new TextEncoder();

/** A one-flow body the stand-ins answer 1 (attack) for when `attack`, else 0. */
function body(attack: boolean): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify({
    columns: ["dst_port", "flow_pkts_s", "timestamp"],
    data: [[attack ? 80 : 443, 12.5, "21/02/2018 10:15:06"]],
  }));
}

Deno.test("PredictionApi: bad options are UsageErrors", () => {
  assert.throws(() => new PredictionApi({ apiUrl: "ftp://x/" }), UsageError);
  assert.throws(() => new PredictionApi({ apiUrl: "http://x/", timeoutMs: 0 }), UsageError);
  assert.throws(
    () => new PredictionApi({ apiUrl: "http://x/", connection: "sometimes" as "auto" }),
    UsageError,
  );
});

Deno.test("PredictionApi: answers, refusals and failures", async () => {
  const api = await startStandinApi({ failFirst: 1 });
  const client = new PredictionApi({ apiUrl: api.url });
  try {
    const failed = await client.predict(body(true), 1).catch((error) => error);
    assert.ok(failed instanceof RemoteError && failed.status === 500 && isRetryable(failed));
    assert.deepEqual([...await client.predict(body(true), 1)], [1]);
    assert.deepEqual([...await client.predict(body(false), 1)], [0]);
    const short = await client.predict(body(true), 2).catch((error) => error);
    assert.ok(short instanceof RemoteError && !isRetryable(short));
    assert.match(short.message, /1 predictions for 2 flows/);
  } finally {
    client.close();
    await api.close();
  }
});

/** Sends `n` one-flow requests one after another and returns the connection switches seen. */
async function sendSequentially(url: string, n: number): Promise<ConnectionSwitch[]> {
  const switches: ConnectionSwitch[] = [];
  const api = new PredictionApi({ apiUrl: url, onConnectionSwitch: (s) => switches.push(s) });
  try {
    for (let i = 0; i < n; i++) {
      const predictions = await api.predict(body(i % 2 === 0), 1);
      assert.equal(predictions[0], i % 2 === 0 ? 1 : 0);
    }
  } finally {
    api.close();
  }
  return switches;
}

Deno.test({
  name:
    "PredictionApi against Python's http.server without TCP_NODELAY: the stall is found and every later request goes on a connection of its own",
  ignore: noPython,
  async fn() {
    const server = await startPythonStandin();
    try {
      // A probe that a busy machine spoils is tried again 50 requests later.
      const switches = await sendSequentially(server.url, 150);
      assert.equal(switches.length, 1, "one switch to fresh connections");
      const { afterRequests, reuseMs, freshMs } = switches[0];
      assert.ok(afterRequests <= 130, `switched after ${afterRequests} requests`);
      assert.ok(freshMs * 2 <= reuseMs);
      const { request_connections: used } = await server.stats();
      assert.equal(used.length, 150);
      const later = used.slice(afterRequests);
      // Each request after the switch had a connection no other request used.
      assert.equal(new Set(later).size, later.length);
      for (const connection of later) {
        assert.equal(used.filter((c) => c === connection).length, 1);
      }
      // Before it, the kept-alive requests shared one connection (the probe's fresh ones did not).
      const counts = new Map<number, number>();
      for (const connection of used.slice(0, afterRequests)) {
        counts.set(connection, (counts.get(connection) ?? 0) + 1);
      }
      assert.ok(Math.max(...counts.values()) >= afterRequests / 2);
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name:
    "PredictionApi against the same server with TCP_NODELAY: no stall, every request on one kept-alive connection",
  ignore: noPython,
  async fn() {
    const server = await startPythonStandin({ nodelay: true });
    try {
      const switches = await sendSequentially(server.url, 40);
      assert.deepEqual(switches, []);
      const { request_connections: used } = await server.stats();
      assert.equal(used.length, 40);
      assert.equal(new Set(used).size, 1);
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "PredictionApi: connection 'fresh' opens a connection per request, 'reuse' keeps one",
  ignore: noPython,
  async fn() {
    const server = await startPythonStandin({ nodelay: true });
    try {
      for (const connection of ["fresh", "reuse"] as const) {
        const api = new PredictionApi({ apiUrl: server.url, connection });
        try {
          for (let i = 0; i < 6; i++) await api.predict(body(true), 1);
        } finally {
          api.close();
        }
      }
      const { request_connections: used } = await server.stats();
      assert.equal(new Set(used.slice(0, 6)).size, 6);
      assert.equal(new Set(used.slice(6)).size, 1);
    } finally {
      await server.close();
    }
  },
});
