/**
 * Starts the fauxqs SNS/SQS/S3 emulator in-process on 127.0.0.1 and a free port, with clients
 * pointed at it, and sets up the ML-IDS topology (predictions topic, attack queue with the
 * `{"prediction": ["attack"]}` filter policy) on request.
 * @module
 */

import { buildApp } from "fauxqs";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { S3Client } from "@aws-sdk/client-s3";

/** A running emulator and SDK clients that talk to it. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly s3: S3Client;
  /** Stops the server and closes the clients. */
  stop(): Promise<void>;
}

/** The ML-IDS SNS -> SQS wiring inside an emulator. */
export interface IdsTopology {
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly queueArn: string;
}

/** Test credentials; fauxqs accepts any. */
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** Marks the requests of an emulator's own clients while its `setup` runs. */
const SETUP_HEADER = "x-mlids-emulator-setup";

/** Options of {@linkcode startEmulator}. */
export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default eu-west-1. */
  region?: string;
  /**
   * Runs with the emulator's own clients before anyone else is answered: other requests wait
   * until it has finished. A restart on the same port loses every queue, and a client retrying
   * there would otherwise meet "the queue does not exist" before they are made again.
   */
  setup?: (emulator: Emulator) => Promise<void>;
}

/** Starts fauxqs on 127.0.0.1 (port 0 picks a free one). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const region = options.region ?? "eu-west-1";
  const app = buildApp({ logger: false, defaultRegion: region });
  let setupDone: Promise<void> | undefined;
  let endSetup = (): void => {};
  if (options.setup) {
    setupDone = new Promise((resolve) => (endSetup = resolve));
    app.addHook("onRequest", async (request) => {
      if (request.headers[SETUP_HEADER] === undefined) await setupDone;
    });
  }
  const address = await app.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  const port = Number(new URL(address).port);
  const endpoint = `http://127.0.0.1:${port}`;
  const config = { region, endpoint, credentials: TEST_CREDENTIALS };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  if (options.setup) {
    for (const client of [sqs, sns, s3]) {
      // deno-lint-ignore no-explicit-any -- the three clients' stacks differ only in their types
      (client.middlewareStack as any).add(
        // deno-lint-ignore no-explicit-any
        (next: any) => (args: any) => {
          args.request.headers[SETUP_HEADER] = "1";
          return next(args);
        },
        { step: "build" },
      );
    }
  }
  let stopped = false;
  const emulator: Emulator = {
    endpoint,
    port,
    region,
    sqs,
    sns,
    s3,
    async stop() {
      if (stopped) return;
      stopped = true;
      sqs.destroy();
      sns.destroy();
      s3.destroy();
      await app.close();
    },
  };
  if (options.setup) {
    try {
      await options.setup(emulator);
    } catch (error) {
      await emulator.stop();
      throw error;
    } finally {
      endSetup();
    }
  }
  return emulator;
}

/** How a client reaches `queueUrl` on the emulator: its endpoint, region and test keys. */
export function emulatorQueue(emulator: Emulator, queueUrl: string): {
  queueUrl: string;
  endpointUrl: string;
  region: string;
  accessKey: string;
  secretKey: string;
} {
  return {
    queueUrl,
    endpointUrl: emulator.endpoint,
    region: emulator.region,
    accessKey: TEST_CREDENTIALS.accessKeyId,
    secretKey: TEST_CREDENTIALS.secretAccessKey,
  };
}

/** Runs `body` with an emulator started for it, and stops the emulator afterwards, whatever happens. */
export async function withEmulator(body: (emulator: Emulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator();
  try {
    await body(emulator);
  } finally {
    await emulator.stop();
  }
}

/** Creates the predictions topic, the attack queue and the filtered subscription, as ML-IDS deploys them. */
export async function createIdsTopology(
  emulator: Emulator,
  options: {
    queueName?: string;
    topicName?: string;
    rawDelivery?: boolean;
    visibilityTimeout?: number;
  } = {},
): Promise<IdsTopology> {
  const queue = await emulator.sqs.send(
    new CreateQueueCommand({
      QueueName: options.queueName ?? "ml-ids-attacks",
      Attributes: options.visibilityTimeout === undefined
        ? undefined
        : { VisibilityTimeout: String(options.visibilityTimeout) },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  const attributes = await emulator.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const queueArn = attributes.Attributes!.QueueArn!;
  const topic = await emulator.sns.send(
    new CreateTopicCommand({ Name: options.topicName ?? "ml-ids-predictions" }),
  );
  const topicArn = topic.TopicArn!;
  await emulator.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: queueArn,
      Attributes: {
        FilterPolicy: JSON.stringify({ prediction: ["attack"] }),
        ...(options.rawDelivery ? { RawMessageDelivery: "true" } : {}),
      },
    }),
  );
  return { topicArn, queueUrl, queueArn };
}

/** How many messages `queueUrl` holds: visible ones and ones received but not yet deleted. */
export async function queueCounts(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}
