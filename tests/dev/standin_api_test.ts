import assert from "node:assert/strict";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { Emulator, IdsTopology } from "../../dev/emulator.ts";
import { type StandinApi, standinPrediction, startStandinApi } from "../../dev/standin_api.ts";
import { withIdsQueue } from "../support/ids_queue.ts";
import { withStandinApi } from "../support/standin.ts";

const SPLIT_TYPE = "application/json; format=pandas-split";

/**
 * The bodies of the messages on `topology`'s queue, received (and left hidden) until `count` came
 * or ten long polls of a second passed: delivery through SNS need not be instant.
 */
async function receiveBodies(
  emulator: Emulator,
  topology: IdsTopology,
  count: number,
): Promise<string[]> {
  const bodies: string[] = [];
  for (let poll = 0; poll < 10 && bodies.length < count; poll++) {
    const received = await emulator.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: topology.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const message of received.Messages ?? []) bodies.push(message.Body!);
  }
  return bodies;
}

/**
 * Runs `body` with an emulator holding the ML-IDS topology and a stand-in that publishes to its
 * topic, and stops both afterwards, whatever happens.
 */
function withPublishingStandin(
  body: (api: StandinApi, emulator: Emulator, topology: IdsTopology) => Promise<void>,
): Promise<void> {
  return withIdsQueue({}, (emulator, topology) =>
    withStandinApi(
      { sns: { client: emulator.sns, topicArn: topology.topicArn } },
      (api) => body(api, emulator, topology),
    ));
}

async function post(
  url: string,
  body: string,
  contentType?: string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    body,
    headers: contentType === undefined ? {} : { "Content-Type": contentType },
  });
  return { status: response.status, text: await response.text() };
}

const COLUMNS = ["dst_port", "protocol", "timestamp", "flow_pkts_s"];
/** dst_port, protocol, timestamp, flow_pkts_s: attacks at positions 0, 2 and 5. */
const ROWS = [
  [80, 6, "21/02/2018 10:15:06", 1500.5],
  [443, 6, "21/02/2018 10:15:07", 2000],
  [21, 6, "21/02/2018 10:15:08", 666666.6667],
  [21, 6, "21/02/2018 10:15:09", null],
  [80, 17, "21/02/2018 10:15:10", 0.5],
  [22, 6, "21/02/2018 10:15:11", 3.25],
  [53, 17, "21/02/2018 10:15:12", 10],
];
const BODY = JSON.stringify({ columns: COLUMNS, data: ROWS });

Deno.test("stand-in: GET / answers ML-IDS API; unknown paths 404", async () => {
  await withStandinApi({}, async (api) => {
    const root = await fetch(api.url);
    assert.equal(root.status, 200);
    assert.equal(await root.text(), "ML-IDS API");
    const missing = await fetch(`${api.url}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const get = await fetch(`${api.url}/api/predictions`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
  });
});

Deno.test("stand-in: predicts by the documented rule and answers floats", async () => {
  await withStandinApi({}, async (api) => {
    const answer = await post(`${api.url}/api/predictions`, BODY, ` ${SPLIT_TYPE.toUpperCase()} `);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, "[1.0,0.0,1.0,0.0,0.0,1.0,0.0]");
    const expected = ROWS.map((row) =>
      standinPrediction(Object.fromEntries(COLUMNS.map((name, c) => [name, row[c]])))
    );
    assert.deepEqual(JSON.parse(answer.text), expected);
    assert.equal(api.requests[0].contentType, SPLIT_TYPE.toUpperCase());
    assert.equal(api.requests[0].body, BODY);
  });
});

Deno.test("stand-in: 415 for a wrong or missing content type, naming it", async () => {
  await withStandinApi({}, async (api) => {
    const wrong = await post(`${api.url}/api/predictions`, BODY, "application/json");
    assert.equal(wrong.status, 415);
    assert.match(
      JSON.parse(wrong.text).error,
      /^Content-Type: 'application\/json' is not supported\./,
    );
    const missing = await post(`${api.url}/api/predictions`, BODY);
    assert.equal(missing.status, 415);
    assert.match(JSON.parse(missing.text).error, /^Content-Type: '.*' is not supported\./);
    const invocations = await post(`${api.url}/invocations`, BODY, "text/csv");
    assert.equal(invocations.status, 415);
  });
});

Deno.test("stand-in: 400 for an empty or unreadable body, with the cause", async () => {
  await withStandinApi({}, async (api) => {
    const url = `${api.url}/api/predictions`;
    const empty = await post(url, "", SPLIT_TYPE);
    assert.equal(empty.status, 400);
    assert.match(JSON.parse(empty.text).error, /^No request body supplied\./);
    const cases: [string, RegExp][] = [
      ["{not json", /Cause: .*JSON/],
      ['{"columns": ["a"]}', /Cause: 'data' is not a list of rows/],
      ['{"columns": ["a", "b"], "data": [[1, 2], [3]]}', /Cause: row 1 has 1 values for 2 columns/],
      ["[1, 2]", /Cause: the body is not a JSON object/],
    ];
    for (const [body, cause] of cases) {
      const answer = await post(url, body, SPLIT_TYPE);
      assert.equal(answer.status, 400, body);
      const error = JSON.parse(answer.text).error;
      assert.match(error, /^Invalid request body supplied\./);
      assert.match(error, cause);
    }
  });
});

Deno.test("stand-in: /invocations takes dataframe_split and answers {predictions}; mlflow2 shape at /api/predictions", async () => {
  await withStandinApi({ answer: "mlflow2" }, async (api) => {
    const mlflow = await post(
      `${api.url}/invocations`,
      `{"dataframe_split":${BODY}}`,
      "application/json",
    );
    assert.equal(mlflow.status, 200);
    assert.deepEqual(JSON.parse(mlflow.text), { predictions: [1, 0, 1, 0, 0, 1, 0] });
    const bare = await post(`${api.url}/invocations`, BODY, "application/json");
    assert.equal(bare.status, 400);
    const split = await post(`${api.url}/api/predictions`, BODY, SPLIT_TYPE);
    assert.equal(split.text, '{"predictions":[1.0,0.0,1.0,0.0,0.0,1.0,0.0]}');
  });
});

Deno.test("stand-in: failFirst and failEvery answer 500; a custom predictor is used", async () => {
  await withStandinApi({ failFirst: 1, failEvery: 3, predictor: () => 0.25 }, async (api) => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await post(`${api.url}/api/predictions`, BODY, SPLIT_TYPE);
      statuses.push(answer.status);
      if (answer.status === 500) assert.match(JSON.parse(answer.text).error, /injected failure/);
      else assert.equal(answer.text, "[0.25,0.25,0.25,0.25,0.25,0.25,0.25]");
    }
    assert.deepEqual(statuses, [500, 200, 500, 200, 200, 500]);
  });
});

Deno.test("stand-in: close() is safe to call twice", async () => {
  const api = await startStandinApi({ resetEvery: 5 });
  await api.close();
  await api.close();
  const other = await startStandinApi();
  await Promise.all([other.close(), other.close()]);
});

Deno.test("stand-in: one SNS message per flow; only attacks pass the queue's filter policy", async () => {
  await withPublishingStandin(async (api, emulator, topology) => {
    const answer = await post(`${api.url}/api/predictions`, BODY, SPLIT_TYPE);
    assert.equal(answer.status, 200);
    assert.equal(api.published, ROWS.length);
    const bodies = await receiveBodies(emulator, topology, 3);
    const extra = await emulator.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: topology.queueUrl, MaxNumberOfMessages: 10 }),
    );
    assert.equal(extra.Messages?.length ?? 0, 0);
    assert.equal(bodies.length, 3);
    const notes = bodies.map((body) => JSON.parse(body)).sort((a, b) =>
      JSON.parse(a.Message).index[0] - JSON.parse(b.Message).index[0]
    );
    const attackRows = [0, 2, 5];
    for (const [n, note] of notes.entries()) {
      assert.equal(note.Type, "Notification");
      assert.equal(note.TopicArn, topology.topicArn);
      assert.deepEqual(note.MessageAttributes.prediction, { Type: "String", Value: "attack" });
      const row = attackRows[n];
      assert.deepEqual(JSON.parse(note.Message), {
        columns: [...COLUMNS, "prediction"],
        index: [row],
        data: [[...ROWS[row], 1]],
      });
      assert.ok(note.Message.endsWith(",1]]}"));
    }
  });
});

Deno.test("stand-in: the request's own index is used in notifications; SNS failure answers 500", async () => {
  await withPublishingStandin(async (api, emulator, topology) => {
    const body = JSON.stringify({ columns: COLUMNS, index: [41], data: [ROWS[0]] });
    assert.equal((await post(`${api.url}/api/predictions`, body, SPLIT_TYPE)).status, 200);
    const received = await receiveBodies(emulator, topology, 1);
    assert.equal(received.length, 1);
    assert.deepEqual(JSON.parse(JSON.parse(received[0]).Message).index, [41]);
    await withStandinApi(
      { sns: { client: emulator.sns, topicArn: `${topology.topicArn}-missing` } },
      async (broken) => {
        const answer = await post(`${broken.url}/api/predictions`, BODY, SPLIT_TYPE);
        assert.equal(answer.status, 500);
        assert.match(JSON.parse(answer.text).error, /^Publishing the predictions failed/);
      },
    );
  });
});

Deno.test("stand-in: int64 beyond 2^53 comes back in the notification to the last digit", async () => {
  await withPublishingStandin(async (api, emulator, topology) => {
    const body =
      '{"columns":["dst_port","flow_pkts_s","tot_bytes"],"data":[[80,1500.5,1199710477670935696]]}';
    assert.equal((await post(`${api.url}/api/predictions`, body, SPLIT_TYPE)).status, 200);
    const received = await receiveBodies(emulator, topology, 1);
    assert.equal(
      JSON.parse(received[0]).Message,
      '{"columns":["dst_port","flow_pkts_s","tot_bytes","prediction"],"index":[0],"data":[[80,1500.5,1199710477670935696,1]]}',
    );
  });
});
