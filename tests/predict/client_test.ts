import assert from "node:assert/strict";
import { RemoteError, UsageError } from "../../lib/errors.ts";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import { PredictionClient, resolveEndpoint } from "../../lib/predict/client.ts";
import { encodeSplitJson } from "../../lib/frame/split_json.ts";
import { standinPrediction, startStandinApi } from "../../dev/standin_api.ts";
import { frameOf } from "../support/synthetic_flows.ts";

const FEATURES = ["dst_port", "protocol", "timestamp", "flow_pkts_s", "init_fwd_win_byts"];

/** `n` flows cycling through attack-like and benign-like rows, with NaN and infinity among them. */
function flows(n: number): FlowFrame {
  const ports = [80, 443, 21, 53, 22, 8080, 80];
  const rates = [1500.5, 3.25, NaN, 2e6, Infinity, 0.5, 81.125];
  return frameOf(n, [
    { name: "dst_port", dtype: "uint16", value: (i) => ports[i % 7] },
    { name: "protocol", dtype: "uint8", value: (i) => i % 3 ? 6 : 17 },
    {
      name: "timestamp",
      dtype: "object",
      value: (i) => `21/02/2018 10:15:${String(i % 60).padStart(2, "0")}`,
    },
    { name: "flow_pkts_s", dtype: "float64", value: (i) => rates[i % 7] },
    { name: "init_fwd_win_byts", dtype: "int32", value: (i) => i % 2 ? -1 : 8192 },
    { name: "label", dtype: "object", value: (i) => i % 2 ? "Benign" : "Bot" },
  ], { firstIndex: 100 });
}

/** What the stand-in's rule says for row `i` of {@linkcode flows}, computed independently. */
function expectedPrediction(i: number): number {
  const port = [80, 443, 21, 53, 22, 8080, 80][i % 7];
  const rate = [1500.5, 3.25, NaN, 2e6, Infinity, 0.5, 81.125][i % 7];
  return [21, 22, 80, 8080].includes(port) && Number.isFinite(rate) && rate > 1 ? 1 : 0;
}

function rowsOfBody(body: string): unknown[][] {
  return JSON.parse(body).data;
}

Deno.test("resolveEndpoint: no path gets /api/predictions, a path is kept, /invocations takes dataframe-split", () => {
  assert.equal(resolveEndpoint("http://api:5000").url.href, "http://api:5000/api/predictions");
  assert.equal(resolveEndpoint("http://api:5000/").url.href, "http://api:5000/api/predictions");
  assert.equal(resolveEndpoint("http://api:5000").payloadFormat, "pandas-split");
  const kept = resolveEndpoint("https://example.org/ids/v1/predict?key=1");
  assert.equal(kept.url.href, "https://example.org/ids/v1/predict?key=1");
  assert.equal(kept.payloadFormat, "pandas-split");
  const mlflow = resolveEndpoint("http://model:8080/invocations");
  assert.equal(mlflow.url.pathname, "/invocations");
  assert.equal(mlflow.payloadFormat, "dataframe-split");
  assert.throws(() => resolveEndpoint("ftp://api/"), UsageError);
  assert.throws(() => resolveEndpoint("not a url"), UsageError);
});

Deno.test("PredictionClient: bad options are UsageErrors", () => {
  const base = { apiUrl: "http://127.0.0.1:9", featureColumns: FEATURES };
  assert.throws(() => new PredictionClient({ ...base, batchSize: 0 }), UsageError);
  assert.throws(() => new PredictionClient({ ...base, concurrency: 1.5 }), UsageError);
  assert.throws(() => new PredictionClient({ ...base, delayMs: -1 }), UsageError);
  assert.throws(() => new PredictionClient({ ...base, apiUrl: "ftp://x" }), UsageError);
  assert.throws(() => new PredictionClient({ ...base, featureColumns: [] }), UsageError);
});

Deno.test("PredictionClient: one request with the pandas-split header and exactly encodeSplitJson's body", async () => {
  const api = await startStandinApi();
  try {
    const frame = flows(20);
    const client = new PredictionClient({ apiUrl: api.url, featureColumns: FEATURES });
    const outcome = await client.predict(frame);
    assert.equal(outcome.requests, 1);
    assert.deepEqual(outcome.failures, []);
    assert.equal(api.requests.length, 1);
    const [request] = api.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/api/predictions");
    assert.equal(request.contentType, "application/json; format=pandas-split");
    assert.equal(request.body, encodeSplitJson(frame, { columns: FEATURES }));
    assert.ok(!request.body.includes('"index"'));
    assert.ok(!request.body.includes("label"));
    const expected = Array.from({ length: 20 }, (_, i) => expectedPrediction(i));
    assert.deepEqual(Array.from(outcome.predictions), expected);
    assert.ok(expected.includes(1) && expected.includes(0));
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: rows picks and orders flows; other flows stay NaN", async () => {
  const api = await startStandinApi();
  try {
    const frame = flows(10);
    const client = new PredictionClient({ apiUrl: api.url, featureColumns: FEATURES });
    const outcome = await client.predict(frame, { rows: [6, 0, 2] });
    assert.equal(
      api.requests[0].body,
      encodeSplitJson(frame, { columns: FEATURES, rows: [6, 0, 2] }),
    );
    assert.equal(outcome.predictions[6], expectedPrediction(6));
    assert.equal(outcome.predictions[0], expectedPrediction(0));
    assert.equal(outcome.predictions[2], expectedPrediction(2));
    assert.ok(Number.isNaN(outcome.predictions[1]));
    await assert.rejects(() => client.predict(frame, { rows: [10] }), UsageError);
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: delayMs sends one request per flow, sequentially, at least delayMs apart", async () => {
  const api = await startStandinApi();
  try {
    const delayMs = 40;
    const starts: number[] = [];
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      delayMs,
      batchSize: 100,
      onRequestStart: ({ request, requests, rows }) =>
        starts.push(request * 1000 + requests * 10 + rows.length),
    });
    const outcome = await client.predict(flows(4));
    assert.equal(outcome.requests, 4);
    assert.equal(api.requests.length, 4);
    assert.deepEqual(starts, [41, 1041, 2041, 3041]);
    assert.equal(api.maxInFlight, 1);
    for (const [i, request] of api.requests.entries()) {
      assert.equal(rowsOfBody(request.body).length, 1);
      if (i > 0) {
        assert.ok(request.receivedAt - api.requests[i - 1].receivedAt >= delayMs - 1);
      }
    }
    assert.deepEqual(Array.from(outcome.predictions), [0, 1, 2, 3].map(expectedPrediction));
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: batchSize splits the flows into requests of that many, in order", async () => {
  const api = await startStandinApi();
  try {
    const frame = flows(10);
    const done: boolean[] = [];
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      batchSize: 4,
      onRequestDone: ({ ok }) => done.push(ok),
    });
    const outcome = await client.predict(frame);
    assert.equal(outcome.requests, 3);
    assert.deepEqual(api.requests.map((r) => rowsOfBody(r.body).length), [4, 4, 2]);
    assert.equal(api.requests[2].body, encodeSplitJson(frame, { columns: FEATURES, rows: [8, 9] }));
    assert.deepEqual(done, [true, true, true]);
    assert.deepEqual(
      Array.from(outcome.predictions),
      Array.from({ length: 10 }, (_, i) => expectedPrediction(i)),
    );
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: concurrency bounds the requests in flight", async () => {
  const api = await startStandinApi({ delayMs: 60 });
  try {
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      batchSize: 1,
      concurrency: 3,
    });
    const outcome = await client.predict(flows(9));
    assert.equal(api.requests.length, 9);
    assert.ok(api.maxInFlight <= 3, `max in flight ${api.maxInFlight}`);
    assert.ok(api.maxInFlight > 1, `max in flight ${api.maxInFlight}`);
    assert.deepEqual(outcome.failures, []);
    assert.deepEqual(
      Array.from(outcome.predictions),
      Array.from({ length: 9 }, (_, i) => expectedPrediction(i)),
    );
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: 500s are retried with backoff and then succeed", async () => {
  const api = await startStandinApi({ failFirst: 2 });
  try {
    const retries: { attempt: number; status?: number; waitMs: number }[] = [];
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      retries: 2,
      retryBaseMs: 2,
      onRetry: ({ attempt, error, waitMs }) =>
        retries.push({ attempt, status: (error as RemoteError).status, waitMs }),
    });
    const outcome = await client.predict(flows(5));
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.attempts, 3);
    assert.equal(api.requests.length, 3);
    assert.deepEqual(retries.map((r) => [r.attempt, r.status]), [[1, 500], [2, 500]]);
    assert.ok(retries[0].waitMs >= 1 && retries[0].waitMs <= 2);
    assert.ok(retries[1].waitMs >= 2 && retries[1].waitMs <= 4);
    assert.deepEqual(
      Array.from(outcome.predictions),
      Array.from({ length: 5 }, (_, i) => expectedPrediction(i)),
    );
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: retries exhausted -> that batch's rows fail, other batches are predicted", async () => {
  const api = await startStandinApi({ failFirst: 3 });
  try {
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      batchSize: 3,
      retries: 2,
      retryBaseMs: 1,
    });
    const outcome = await client.predict(flows(8));
    assert.equal(outcome.requests, 3);
    assert.equal(outcome.attempts, 5);
    assert.equal(outcome.failures.length, 1);
    const [failure] = outcome.failures;
    assert.deepEqual(failure.rows, [0, 1, 2]);
    assert.ok(failure.error instanceof RemoteError);
    assert.equal(failure.error.status, 500);
    assert.match(failure.error.message, /HTTP 500.*injected failure of request 3/);
    for (let i = 0; i < 8; i++) {
      if (i < 3) assert.ok(Number.isNaN(outcome.predictions[i]));
      else assert.equal(outcome.predictions[i], expectedPrediction(i));
    }
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: 415 and 400 carry the server's message and are not retried", async () => {
  const api = await startStandinApi();
  try {
    // dataframe-split sends plain application/json, which /api/predictions refuses.
    const wrongType = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      payloadFormat: "dataframe-split",
      retryBaseMs: 1,
    });
    const refused = await wrongType.predict(flows(3));
    assert.equal(api.requests.length, 1);
    assert.equal(refused.attempts, 1);
    const error415 = refused.failures[0].error as RemoteError;
    assert.equal(error415.status, 415);
    assert.match(error415.message, /Content-Type: 'application\/json' is not supported/);

    // pandas-split at /invocations has no "dataframe_split": the body is invalid there.
    const wrongBody = new PredictionClient({
      apiUrl: `${api.url}/invocations`,
      featureColumns: FEATURES,
      payloadFormat: "pandas-split",
      retryBaseMs: 1,
    });
    const invalid = await wrongBody.predict(flows(3));
    assert.equal(api.requests.length, 2);
    const error400 = invalid.failures[0].error as RemoteError;
    assert.equal(error400.status, 400);
    assert.match(
      error400.message,
      /Invalid request body supplied.*Cause: the body has no 'dataframe_split'/,
    );
    assert.deepEqual(invalid.failures[0].rows, [0, 1, 2]);
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: an answer of the wrong length or not JSON is a RemoteError with status and excerpt", async () => {
  const answers = ["[1.0]", "<html>" + "x".repeat(300) + "</html>", '{"predictions": [1, "a", 0]}'];
  let n = 0;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (request) => {
      await request.text();
      return new Response(answers[n++], { status: 200 });
    },
  );
  try {
    const client = new PredictionClient({
      apiUrl: `http://127.0.0.1:${server.addr.port}`,
      featureColumns: FEATURES,
      batchSize: 3,
      retryBaseMs: 1,
    });
    const outcome = await client.predict(flows(9));
    assert.equal(n, 3);
    const [short, html, strings] = outcome.failures.map((f) => f.error as RemoteError);
    assert.equal(short.status, 200);
    assert.match(short.message, /HTTP 200 with 1 predictions for 3 flows: \[1\.0\]/);
    assert.match(html.message, /not JSON: <html>x+\.\.\./);
    assert.ok(!html.message.includes("</html>"));
    assert.match(strings.message, /not a number \(item 1\)/);
    assert.ok(outcome.predictions.every(Number.isNaN));
  } finally {
    await server.shutdown();
  }
});

Deno.test("PredictionClient: an unreachable server is a connection failure after retries", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let retried = 0;
  const client = new PredictionClient({
    apiUrl: `http://127.0.0.1:${port}`,
    featureColumns: FEATURES,
    retries: 1,
    retryBaseMs: 1,
    onRetry: () => retried++,
  });
  const outcome = await client.predict(flows(2));
  assert.equal(retried, 1);
  assert.equal(outcome.attempts, 2);
  assert.equal(outcome.failures.length, 1);
  assert.deepEqual(outcome.failures[0].rows, [0, 1]);
  assert.ok(outcome.failures[0].error instanceof RemoteError);
  assert.match(
    outcome.failures[0].error.message,
    /cannot reach the ML-IDS API at http:\/\/127\.0\.0\.1/,
  );
});

Deno.test("PredictionClient: a dropped connection is retried", async () => {
  const api = await startStandinApi({ resetEvery: 2 });
  try {
    const errors: string[] = [];
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      batchSize: 2,
      retryBaseMs: 1,
      onRetry: ({ error }) => errors.push(error.message),
    });
    const outcome = await client.predict(flows(4));
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.attempts, 3);
    assert.deepEqual(api.requests.map((r) => r.status), [200, 0, 200]);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /cannot reach/);
    assert.deepEqual(Array.from(outcome.predictions), [0, 1, 2, 3].map(expectedPrediction));
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: a slow answer times out", async () => {
  const api = await startStandinApi({ delayMs: 300 });
  try {
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      timeoutMs: 30,
      retries: 0,
    });
    const outcome = await client.predict(flows(2));
    assert.match(outcome.failures[0].error.message, /did not answer within 30 ms/);
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: MLflow 2 answers and /invocations with dataframe_split bodies", async () => {
  const api = await startStandinApi({ answer: "mlflow2" });
  try {
    const frame = flows(7);
    const split = await new PredictionClient({ apiUrl: api.url, featureColumns: FEATURES })
      .predict(frame);
    assert.deepEqual(
      Array.from(split.predictions),
      Array.from({ length: 7 }, (_, i) => expectedPrediction(i)),
    );

    const mlflow = new PredictionClient({
      apiUrl: `${api.url}/invocations`,
      featureColumns: FEATURES,
    });
    const outcome = await mlflow.predict(frame);
    assert.deepEqual(outcome.failures, []);
    const request = api.requests[1];
    assert.equal(request.path, "/invocations");
    assert.equal(request.contentType, "application/json");
    assert.equal(
      request.body,
      `{"dataframe_split":${encodeSplitJson(frame, { columns: FEATURES })}}`,
    );
    assert.deepEqual(Array.from(outcome.predictions), Array.from(split.predictions));
  } finally {
    await api.close();
  }
});

Deno.test("PredictionClient: an aborted signal sends nothing and reports every row", async () => {
  const api = await startStandinApi();
  try {
    const controller = new AbortController();
    controller.abort();
    const client = new PredictionClient({
      apiUrl: api.url,
      featureColumns: FEATURES,
      batchSize: 2,
      signal: controller.signal,
    });
    const outcome = await client.predict(flows(5));
    assert.equal(api.requests.length, 0);
    assert.equal(outcome.aborted, true);
    assert.deepEqual(outcome.failures.map((f) => f.rows), [[0, 1], [2, 3], [4]]);
  } finally {
    await api.close();
  }
});

Deno.test("standinPrediction is the rule the client tests expect", () => {
  assert.equal(standinPrediction({ dst_port: 80, flow_pkts_s: 2 }), 1);
  assert.equal(standinPrediction({ dst_port: 443, flow_pkts_s: 2 }), 0);
  assert.equal(standinPrediction({ dst_port: 21, flow_pkts_s: null }), 0);
});
