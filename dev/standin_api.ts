/**
 * A stand-in for the ML-IDS prediction API, honouring its contract (status codes, error bodies,
 * SNS notifications), with a simple documented rule in place of the model and knobs to inject
 * failures, dropped connections and slow answers. For tests, the demo and benchmarks.
 * @module
 */

import http from "node:http";
import type { SNSClient } from "@aws-sdk/client-sns";
import { parseJsonExact } from "../lib/json.ts";
import { publishPrediction } from "./publish_notifications.ts";

/** Options of {@linkcode startStandinApi}. */
export interface StandinApiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  hostname?: string;
  /** When given: one SNS publish per predicted flow, as the real API does. */
  sns?: { client: SNSClient; topicArn: string };
  /** Every k-th prediction request answers 500. */
  failEvery?: number;
  /** The first n prediction requests answer 500 (for retry tests). */
  failFirst?: number;
  /** Every k-th prediction request: the connection is dropped without an answer (and no connection is kept alive). */
  resetEvery?: number;
  /** Wait this long before answering a prediction request. */
  delayMs?: number;
  /**
   * Stall once, as a server does in a long GC pause: when prediction request `atRequest` (1-based)
   * arrives, it and every prediction request arriving in the next `ms` are answered only then.
   */
  stall?: { atRequest: number; ms: number };
  /** Response shape at /api/predictions: a bare array (default) or MLflow 2's `{"predictions": [...]}`. */
  answer?: "array" | "mlflow2";
  /** Default: {@linkcode standinPrediction}. */
  predictor?: (row: Record<string, unknown>) => number;
  /** Keep request bodies in `requests` (default true; benchmarks turn it off to save memory). */
  recordBodies?: boolean;
  /** Every k-th attack's notification is not published (a lossy notification path). */
  loseAttackEvery?: number;
  /** Most SNS publishes in flight at once (default 16). */
  publishConcurrency?: number;
}

/** One request the stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The Content-Type header as sent, or null. */
  contentType: string | null;
  /** The body text ("" when `recordBodies` is false). */
  body: string;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** Requests being handled when this one arrived, itself included. */
  inFlight: number;
  /** The status answered; 0 when the connection was dropped. */
  status: number;
}

/** A running stand-in. */
export interface StandinApi {
  /** `http://127.0.0.1:<port>` (no path). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The most requests handled at once so far. */
  readonly maxInFlight: number;
  /** SNS messages published so far. */
  readonly published: number;
  /** Flows answered with a prediction so far. */
  readonly flowsPredicted: number;
  /** Flows predicted as attacks (1) so far: the notifications an attack queue should receive. */
  readonly predictedAttacks: number;
  /** Attack notifications not published because of `loseAttackEvery`. */
  readonly notificationsLost: number;
  /** Stops the server and waits until it has; safe to call twice. */
  close(): Promise<void>;
}

/** Ports the CSE-CIC-IDS2018 attacks aim at: FTP, SSH, HTTP, HTTP alternate. */
const TARGETED_PORTS: ReadonlySet<number> = new Set([21, 22, 80, 8080]);

/**
 * The stand-in's prediction rule: attack (1) when `dst_port` is 21, 22, 80 or 8080 AND
 * `flow_pkts_s` is a finite number above 1 packet/s; benign (0) otherwise, including when either
 * is missing, null (NaN and infinities travel as null) or not a number. On the 1000-flow
 * CSE-CIC-IDS2018 sample it gives 93% accuracy: 91% of attacks found (slow GoldenEye and some
 * web brute force missed), 5% of benign flows flagged (busy web and SSH traffic).
 */
export function standinPrediction(row: Record<string, unknown>): number {
  return ruleOf(row.dst_port, row.flow_pkts_s);
}

function ruleOf(port: unknown, packetRate: unknown): number {
  return typeof port === "number" && TARGETED_PORTS.has(port) &&
      typeof packetRate === "number" && Number.isFinite(packetRate) && packetRate > 1
    ? 1
    : 0;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

interface Split {
  columns: string[];
  index?: unknown[];
  data: unknown[][];
}

const PANDAS_SPLIT_TYPE = "application/json; format=pandas-split";

function jsonAnswer(status: number, value: unknown): Answer {
  return { status, contentType: "application/json", body: JSON.stringify(value) };
}

function splitOf(value: unknown): Split {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("the body is not a JSON object with 'columns' and 'data'");
  }
  const { columns, index, data } = value as Record<string, unknown>;
  if (!Array.isArray(columns) || !columns.every((name) => typeof name === "string")) {
    throw new Error("'columns' is not a list of names");
  }
  if (!Array.isArray(data)) throw new Error("'data' is not a list of rows");
  for (let i = 0; i < data.length; i++) {
    const row = data[i];
    if (!Array.isArray(row)) throw new Error(`row ${i} is not a list`);
    if (row.length !== columns.length) {
      throw new Error(`row ${i} has ${row.length} values for ${columns.length} columns`);
    }
  }
  if (index !== undefined && (!Array.isArray(index) || index.length !== data.length)) {
    throw new Error("'index' does not match the rows");
  }
  return { columns: columns as string[], index: index as unknown[] | undefined, data };
}

function predictAll(split: Split, predictor?: (row: Record<string, unknown>) => number): number[] {
  const { columns, data } = split;
  const out = new Array<number>(data.length);
  if (!predictor) {
    const port = columns.indexOf("dst_port");
    const rate = columns.indexOf("flow_pkts_s");
    for (let i = 0; i < data.length; i++) {
      out[i] = ruleOf(port < 0 ? null : data[i][port], rate < 0 ? null : data[i][rate]);
    }
    return out;
  }
  for (let i = 0; i < data.length; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]] = data[i][c];
    out[i] = predictor(row);
  }
  return out;
}

function floatText(value: number): string {
  if (!Number.isFinite(value)) return "null";
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

async function publishAll(
  sns: { client: SNSClient; topicArn: string },
  split: Split,
  predictions: number[],
  concurrency: number,
  lose: (i: number) => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < predictions.length) {
      const i = next++;
      if (lose(i)) continue;
      const given = split.index?.[i];
      await publishPrediction(sns.client, sns.topicArn, {
        columns: split.columns,
        // pandas reads a request without an index with a RangeIndex: the row's position.
        index: typeof given === "number" || typeof given === "string" ? given : i,
        row: split.data[i],
        prediction: predictions[i] >= 0.5 ? 1 : 0,
      });
    }
  };
  const workers = Math.max(1, Math.min(concurrency, predictions.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

/** Starts the stand-in ML-IDS API on loopback (by default) and a free port (by default). */
export async function startStandinApi(options: StandinApiOptions = {}): Promise<StandinApi> {
  const hostname = options.hostname ?? "127.0.0.1";
  const recordBodies = options.recordBodies ?? true;
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let predictionRequests = 0;
  let published = 0;
  let flowsPredicted = 0;
  let predictedAttacks = 0;
  let stalledUntil = 0;
  let attacksToPublish = 0;
  let notificationsLost = 0;

  async function predictionAnswer(
    path: string,
    contentType: string | null,
    body: string,
  ): Promise<Answer> {
    const mlflow2 = path === "/invocations";
    const ct = (contentType ?? "").trim().toLowerCase();
    const accepted = mlflow2
      ? ct.split(";")[0].trim() === "application/json"
      : ct === PANDAS_SPLIT_TYPE;
    if (!accepted) {
      const wanted = mlflow2 ? "application/json" : PANDAS_SPLIT_TYPE;
      return jsonAnswer(415, {
        error: `Content-Type: '${contentType ?? ""}' is not supported. Use '${wanted}'.`,
      });
    }
    if (body.trim() === "") {
      return jsonAnswer(400, {
        error: "No request body supplied. Send the flows as pandas split JSON.",
      });
    }
    let split: Split;
    try {
      // pandas reads int64 exactly and writes it back so: integers beyond 2^53 stay bigints where
      // rows are echoed (notifications) or handed to a custom predictor. The rule alone reads two
      // columns that never come near 2^53, and the exact parse costs about 15 times JSON.parse on
      // bodies whose floats have 16 digits (most real ones), so it is skipped there.
      const parsed = (options.sns || options.predictor ? parseJsonExact(body) : JSON.parse(body)) as
        | Record<string, unknown>
        | null;
      if (mlflow2) {
        if (typeof parsed !== "object" || parsed === null || !("dataframe_split" in parsed)) {
          throw new Error("the body has no 'dataframe_split'");
        }
        split = splitOf(parsed.dataframe_split);
      } else {
        split = splitOf(parsed);
      }
    } catch (error) {
      return jsonAnswer(400, {
        error: `Invalid request body supplied. Send the flows as pandas split JSON. Cause: ${
          (error as Error).message
        }`,
      });
    }
    const n = predictionRequests;
    if (
      n <= (options.failFirst ?? 0) ||
      (options.failEvery !== undefined && n % options.failEvery === 0)
    ) {
      return jsonAnswer(500, { error: `Prediction failed: injected failure of request ${n}.` });
    }
    const predictions = predictAll(split, options.predictor);
    if (options.sns) {
      try {
        let lost = 0;
        const lose = options.loseAttackEvery === undefined ? undefined : (i: number): boolean => {
          if (predictions[i] < 0.5 || ++attacksToPublish % options.loseAttackEvery! !== 0) {
            return false;
          }
          lost++;
          return true;
        };
        await publishAll(options.sns, split, predictions, options.publishConcurrency ?? 16, lose);
        published += predictions.length - lost;
        notificationsLost += lost;
      } catch (error) {
        return jsonAnswer(500, {
          error: `Publishing the predictions failed: ${(error as Error).message}`,
        });
      }
    }
    flowsPredicted += predictions.length;
    for (const prediction of predictions) if (prediction === 1) predictedAttacks++;
    const list = `[${predictions.map(floatText).join(",")}]`;
    const text = mlflow2 || options.answer === "mlflow2" ? `{"predictions":${list}}` : list;
    return { status: 200, contentType: "application/json", body: text };
  }

  /** The answer to one request, or null to drop the connection. */
  async function handle(
    method: string,
    path: string,
    contentType: string | null,
    readBody: () => Promise<string>,
  ): Promise<Answer | null> {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const record: RecordedRequest = {
      method,
      path,
      contentType,
      body: "",
      receivedAt: performance.now(),
      inFlight,
      status: 0,
    };
    requests.push(record);
    try {
      const body = await readBody();
      if (recordBodies) record.body = body;
      let answer: Answer;
      if (path === "/api/predictions" || path === "/invocations") {
        if (method !== "POST") {
          answer = jsonAnswer(405, { error: `Method ${method} is not allowed; use POST.` });
        } else {
          const n = ++predictionRequests;
          if (options.resetEvery !== undefined && n % options.resetEvery === 0) return null;
          if (options.stall?.atRequest === n) stalledUntil = performance.now() + options.stall.ms;
          const stalled = stalledUntil - performance.now();
          if (stalled > 0) await new Promise((r) => setTimeout(r, stalled));
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          answer = await predictionAnswer(path, contentType, body);
        }
      } else if (path === "/" && (method === "GET" || method === "HEAD")) {
        answer = { status: 200, contentType: "text/html; charset=utf-8", body: "ML-IDS API" };
      } else {
        answer = jsonAnswer(404, { error: `Not found: ${method} ${path}` });
      }
      record.status = answer.status;
      return answer;
    } finally {
      inFlight--;
    }
  }

  const urlOf = (port: number) =>
    `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  const { port, stop } = options.resetEvery === undefined
    ? serveWithDeno(hostname, options.port ?? 0, handle)
    : await serveWithNode(hostname, options.port ?? 0, handle);
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(port),
    port,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get flowsPredicted() {
      return flowsPredicted;
    },
    get predictedAttacks() {
      return predictedAttacks;
    },
    get published() {
      return published;
    },
    get notificationsLost() {
      return notificationsLost;
    },
    close() {
      closing ??= stop();
      return closing;
    },
  };
}

type Handler = (
  method: string,
  path: string,
  contentType: string | null,
  readBody: () => Promise<string>,
) => Promise<Answer | null>;

interface Served {
  port: number;
  stop(): Promise<void>;
}

function serveWithDeno(hostname: string, port: number, handle: Handler): Served {
  const server = Deno.serve({ port, hostname, onListen() {} }, async (request) => {
    const answer = await handle(
      request.method,
      new URL(request.url).pathname,
      request.headers.get("content-type"),
      () => request.text(),
    );
    // Only the node:http transport is asked to drop connections.
    const { status, contentType, body } = answer!;
    return new Response(body, { status, headers: { "content-type": contentType } });
  });
  return {
    port: server.addr.port,
    stop: () => server.shutdown().then(() => server.finished),
  };
}

/** Deno.serve cannot drop a connection without answering, so resets need node:http. */
async function serveWithNode(hostname: string, port: number, handle: Handler): Promise<Served> {
  const server = http.createServer((req, res) => {
    const readBody = () =>
      new Promise<string>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        req.on("data", (chunk: Uint8Array) => chunks.push(chunk));
        req.on("end", () => resolve(new TextDecoder().decode(concat(chunks))));
        req.on("error", reject);
      });
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    handle(req.method ?? "GET", path, req.headers["content-type"] ?? null, readBody).then(
      (answer) => {
        if (!answer) {
          req.socket.destroy();
          return;
        }
        // No keep-alive: fetch silently resends a request whose reused connection was dropped,
        // so only drops on fresh connections reach the client as failures.
        res.writeHead(answer.status, { "content-type": answer.contentType, connection: "close" });
        res.end(answer.body);
      },
      () => req.socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
