import assert from "node:assert/strict";
import { join } from "node:path";
import { openDataset } from "../../lib/dataset/open.ts";
import { encodeSplitJson } from "../../lib/frame/split_json.ts";
import { parseJsonExact, stringifyJsonExact } from "../../lib/json.ts";
import { ECS_VERSION, ecsDocuments, ecsLines } from "../../lib/view/ecs.ts";
import { ecsProblems, loadEcsReference } from "../support/ecs_reference.ts";
import { SHARED_DATASETS, sharedDatasetsPresent } from "../support/shared_datasets.ts";
import { CIC_COLUMNS, cicNotification, notificationOf } from "../support/notifications.ts";

const reference = await loadEcsReference();
const RECEIVED = new Date(Date.UTC(2026, 10, 23, 18, 35, 45, 12));

function parsedLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => parseJsonExact(line) as Record<string, unknown>);
}

Deno.test("ecsLines: the documented fields, with the ECS reference's types", () => {
  assert.equal(ECS_VERSION, reference.ecs_version);
  const lines = ecsLines(cicNotification(), RECEIVED);
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes("\n"));
  const [document] = parsedLines(lines);
  assert.deepEqual(ecsProblems(document, reference, { customRoot: "ml_ids" }), []);
  assert.deepEqual(document["@timestamp"], "2026-11-23T18:35:44.789Z");
  assert.deepEqual(document.ecs, { version: ECS_VERSION });
  assert.deepEqual(document.event, {
    kind: "alert",
    category: ["network", "intrusion_detection"],
    type: ["info"],
    created: "2026-11-23T18:35:45.012Z",
    id: "9f86d081-88e4-4f1c-9a3c-1b0ad5c0e7a2",
    module: "ml_ids",
    dataset: "ml_ids.alert",
    duration: 119759145000,
  });
  assert.deepEqual(document.source, { packets: 4, bytes: 1200 });
  assert.deepEqual(document.destination, { port: 80, packets: 3, bytes: 935 });
  assert.deepEqual(document.network, { transport: "tcp", iana_number: "6" });
  const custom = document.ml_ids as Record<string, unknown>;
  assert.equal(custom.prediction, "attack");
  assert.equal(custom.row, 17);
  assert.equal(custom.sns_message_id, "sns-0f1e2d3c");
  assert.deepEqual(Object.keys(custom.flow as object), CIC_COLUMNS);
  assert.equal((custom.flow as Record<string, unknown>).timestamp, "21/02/2018 10:15:06");
});

Deno.test("the ECS checker catches what Elasticsearch would map wrongly", () => {
  // The checker itself must be able to fail, or the test above proves nothing.
  const [good] = parsedLines(ecsLines(cicNotification(), RECEIVED));
  const broken = structuredClone(good) as Record<string, Record<string, unknown>>;
  broken.network.iana_number = 6;
  broken.event.category = "network";
  broken.event.type = ["alert"];
  broken.event.duration = 1.5;
  broken.event.created = "yesterday";
  broken.source.port = "80";
  broken.ecs.version = "1.0.0";
  const problems = ecsProblems(broken, reference, { customRoot: "ml_ids" });
  for (
    const expected of [
      /network\.iana_number is a keyword/,
      /event\.category must be an array/,
      /event\.type may not be "alert"/,
      /event\.duration is a long/,
      /event\.created is a date/,
      /source\.port is not an ECS field this reference knows/,
      /ecs\.version is not 9\./,
    ]
  ) {
    assert.ok(problems.some((problem) => expected.test(problem)), `${expected}: ${problems}`);
  }
  assert.ok(ecsProblems(good, reference, { customRoot: "event" }).length > 0);
});

Deno.test("ecsLines: int64 beyond 2^53 stays exact, in ml_ids.flow and in event.duration", () => {
  const [line] = ecsLines(
    cicNotification({ totlen_fwd_pkts: "1199710477670935696", flow_duration: "9007199254740993" }),
    RECEIVED,
  );
  assert.match(line, /"totlen_fwd_pkts":1199710477670935696[,}]/);
  assert.match(line, /"bytes":1199710477670935696[,}]/);
  assert.match(line, /"duration":9007199254740993000[,}]/);
  const document = parseJsonExact(line) as Record<string, unknown>;
  assert.deepEqual(ecsProblems(document, reference, { customRoot: "ml_ids" }), []);
});

Deno.test("ecsLines: facts a flow lacks or that are not counts leave their fields out", () => {
  const [document] = parsedLines(
    ecsLines(
      cicNotification({ flow_duration: "-3", protocol: "253", tot_bwd_pkts: "null" }),
      RECEIVED,
    ),
  );
  assert.deepEqual(ecsProblems(document, reference, { customRoot: "ml_ids" }), []);
  const event = document.event as Record<string, unknown>;
  assert.ok(!("duration" in event));
  assert.deepEqual(document.network, { iana_number: "253" });
  assert.deepEqual(document.destination, { port: 80, bytes: 935 });
  const [bare] = parsedLines(
    ecsLines(
      notificationOf('{"columns":["a"],"data":[[1]]}', { timestamp: "not a time" }),
      RECEIVED,
    ),
  );
  // No SNS time that ECS can take: @timestamp falls back to when it was received.
  assert.ok(!("source" in bare) && !("destination" in bare) && !("network" in bare));
  assert.deepEqual(ecsProblems(bare, reference, { customRoot: "ml_ids" }), []);
});

Deno.test({
  name:
    "ecsDocuments: every flow of the CSE-CIC-IDS2018 sample, as the API publishes it, validates",
  ignore: !sharedDatasetsPresent,
  async fn() {
    const dataset = await openDataset(join(SHARED_DATASETS, "cse-cic-ids2018-sample.h5"), {
      cacheDir: await Deno.makeTempDir({ prefix: "mlids-ecs-" }),
    });
    try {
      const rows = Uint32Array.from({ length: dataset.info.rows }, (_, i) => i);
      const frame = await dataset.readRows(rows);
      const columns = frame.columns.map((column) => column.name).filter((name) => name !== "label");
      let checked = 0;
      for (let row = 0; row < frame.length; row++) {
        // The API's message: the row as split JSON with its index and a prediction column.
        const split = parseJsonExact(
          encodeSplitJson(frame, { columns, withIndex: true, rows: [row] }),
        ) as { columns: string[]; data: unknown[][] };
        split.columns.push("prediction");
        split.data[0].push(1);
        const [document] = ecsDocuments(notificationOf(stringifyJsonExact(split)), RECEIVED);
        const line = stringifyJsonExact(document);
        const problems = ecsProblems(
          parseJsonExact(line) as Record<string, unknown>,
          reference,
          { customRoot: "ml_ids" },
        );
        assert.deepEqual(problems, [], `row ${row}: ${line.slice(0, 400)}`);
        checked++;
      }
      assert.equal(checked, 1000);
    } finally {
      dataset.close();
    }
  },
});
