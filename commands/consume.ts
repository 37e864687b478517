/**
 * `mlids consume`: shows the attack notifications ML-IDS publishes (SNS -> SQS), as the original
 * `ml_ids_attack_consumer` did, and is safe to leave running: every notification is written before
 * it is deleted, bad messages are warned about and kept, faults are retried, Ctrl-C stops cleanly.
 * @module
 */

import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { Message } from "@aws-sdk/client-sqs";
import { MlidsError, UsageError } from "../lib/errors.ts";
import { formatCell } from "../lib/frame/mod.ts";
import type { AttackNotification, PollEvent } from "../lib/notify/mod.ts";
import {
  colourEnabled,
  type Overflow,
  renderTable,
  stderrIsTerminal,
  stylesFor,
  terminalWidth,
} from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { choiceOption, countOption, wholeNumberArg } from "./_flags.ts";

/** How notifications are written to stdout. */
type OutputFormat = "table" | "json" | "jsonl";

function secondsOption(name: string) {
  return (value: string): number => {
    const number = Number(value.trim());
    if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
      throw new InvalidArgumentError(
        `${name} must be a number of seconds above 0, not '${value}'.`,
      );
    }
    return number;
  };
}

/** Reads `--delete-messages True|False` (any case, also yes/no/1/0); the bare flag means true. */
function booleanOption(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (["true", "yes", "1", "on"].includes(lower)) return true;
  if (["false", "no", "0", "off"].includes(lower)) return false;
  throw new InvalidArgumentError(`expected True or False, not '${value}'.`);
}

const OUTPUTS = ["table", "json", "jsonl"] as const;

const encoder = new TextEncoder();

function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  try {
    while (offset < bytes.length) {
      const written = Deno.stderr.writeSync(bytes.subarray(offset));
      if (written <= 0) break;
      offset += written;
    }
  } catch {
    // A closed stderr must not stop consuming.
  }
}

async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += await Deno.stdout.write(bytes.subarray(offset));
}

function secondsText(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * The consumer's status on stderr: on a terminal one line redrawn in place (counts and the time since
 * the last message, plus any retry in progress); elsewhere only retry and recovery lines.
 */
class ConsumerStatus {
  polls = 0;
  shown = 0;
  deleted = 0;
  malformed = 0;
  lastMessageAt: number | undefined;
  #note = "";
  #drawn = false;
  #lastDraw = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #live: boolean;
  readonly #started = Date.now();

  constructor(live: boolean) {
    this.#live = live;
    if (live) this.#timer = setInterval(() => this.draw(true), 1000);
  }

  line(): string {
    const since = this.lastMessageAt === undefined
      ? `no message for ${secondsText(Date.now() - this.#started)}`
      : `last message ${secondsText(Date.now() - this.lastMessageAt)} ago`;
    const counts =
      `polls ${this.polls} · shown ${this.shown} · deleted ${this.deleted} · malformed ${this.malformed} · ${since}`;
    return this.#note ? `${counts} · ${this.#note}` : counts;
  }

  /** Redraws the live line (at most 10 times a second unless `force`). */
  draw(force = false): void {
    if (!this.#live) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const columns = terminalWidth();
    const text = this.line();
    writeStderr(`\r\x1b[2K${text.length >= columns ? text.slice(0, columns - 1) : text}`);
    this.#drawn = true;
  }

  /** Removes the live line so other output can be written. */
  clear(): void {
    if (this.#live && this.#drawn) writeStderr("\r\x1b[2K");
    this.#drawn = false;
  }

  /** Writes a permanent stderr line above the live line. */
  print(text: string): void {
    this.clear();
    writeStderr(`${text}\n`);
    this.draw(true);
  }

  /** A transient note in the live line; on a non-terminal it is printed once. */
  note(text: string): void {
    if (this.#live) {
      this.#note = text;
      this.draw(true);
    } else if (text) {
      writeStderr(`${text}\n`);
    }
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}

function headingOf(notification: AttackNotification): string {
  const id = escapeControl(notification.messageId);
  if (notification.flows.some((flow) => flow.prediction === "attack")) {
    return `Attack detected [${id}]`;
  }
  const said = notification.flows[0]?.prediction;
  return `Notification [${id}] (prediction: ${said ?? "none"})`;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "string" || typeof value === "bigint") {
    return formatCell(value);
  }
  if (typeof value === "boolean") return formatCell(value);
  return escapeControl(JSON.stringify(value));
}

/** A notification as the original showed it: heading, SNS timestamp, the flow as a table. */
function renderNotification(
  notification: AttackNotification,
  options: { overflow: Overflow; width: number; colour: boolean },
): string {
  const styles = stylesFor("stdout");
  const heading = options.colour
    ? styles.bold(styles.red(headingOf(notification)))
    : headingOf(notification);
  const sent = notification.sentAt === null ? "(no timestamp)" : escapeControl(notification.sentAt);
  const indexes = notification.flows.map((flow) => flow.index).filter((index) => index !== null);
  const rowNote = indexes.length > 0
    ? ` · row ${indexes.map((index) => escapeControl(String(index))).join(", ")}`
    : "";
  const table = renderTable(
    notification.columns,
    notification.flows.map((flow) => flow.values.map(cellText)),
    { overflow: options.overflow, width: options.width, colour: options.colour },
  );
  return `${heading}\n${sent}${rowNote}\n${table}\n\n`;
}

function describeEvent(event: PollEvent): string | undefined {
  if (event.type === "retry") {
    const what = event.operation === "ReceiveMessage" ? "receiving" : "deleting";
    return `SQS ${what} failed (${escapeControl(event.reason)}); retrying in ${
      (event.delayMs / 1000).toFixed(1)
    }s (attempt ${event.attempt})`;
  }
  return undefined;
}

/** `mlids consume`: show attack notifications from an SQS queue. */
export function consumeCommand(): Command {
  return new Command("consume")
    .description(
      "show ML-IDS attack notifications from an SQS queue, deleting each only after it was written",
    )
    .requiredOption("--queue-url <url>", "URL of the SQS queue subscribed to the predictions topic")
    .option("--region <region>", "AWS region (default AWS_REGION, the profile's, the queue URL's)")
    .option(
      "--access-key <key>",
      "AWS access key id (prefer AWS_ACCESS_KEY_ID or --profile: flags show in process listings)",
    )
    .option("--secret-key <secret>", "AWS secret access key (prefer AWS_SECRET_ACCESS_KEY)")
    .option("--profile <name>", "profile of the shared AWS config and credentials files")
    .option(
      "--endpoint-url <url>",
      "SQS endpoint, e.g. an emulator (default AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL)",
    )
    .option(
      "--delete-messages [bool]",
      "delete each message after it was written (True/False; bare flag = True)",
      booleanOption,
      false,
    )
    .option(
      "--delete-malformed",
      "also delete messages that cannot be decoded (needs --delete-messages)",
    )
    .option(
      "--num-messages <n>",
      "messages per receive, 1-10",
      wholeNumberArg("--num-messages", {
        min: 1,
        max: 10,
        why: " (SQS returns at most 10 per call)",
      }),
      10,
    )
    .option(
      "--wait-time <seconds>",
      "long-poll wait, 0-20 s",
      wholeNumberArg("--wait-time", {
        min: 0,
        max: 20,
        why: " (SQS allows a long-poll wait of 0 to 20 seconds)",
      }),
      10,
    )
    .option(
      "--visibility-timeout <seconds>",
      "how long a received message stays hidden from other consumers",
      wholeNumberArg("--visibility-timeout", {
        min: 0,
        max: 43200,
        why: " (SQS allows 0 to 43200 seconds)",
      }),
      60,
    )
    .addOption(
      choiceOption(
        "--display-overflow <mode>",
        "wide tables: wrap or nowrap",
        [
          "wrap",
          "nowrap",
        ] as const,
      ).default("wrap" as const),
    )
    .addOption(countOption("stop after this many notifications", "all"))
    .addOption(
      new Option("--max-messages <n>", "the same as --count N")
        .argParser(wholeNumberArg("--max-messages", { min: 1 }))
        .hideHelp(),
    )
    .option(
      "--idle-exit <seconds>",
      "stop after this long without a message",
      secondsOption("--idle-exit"),
    )
    .addOption(
      choiceOption(
        "--output <format>",
        "table, json (one array) or jsonl (one object a line)",
        OUTPUTS,
      ).default("table" as const),
    )
    .option(
      "--concurrency <n>",
      "receive requests in flight while messages flow, 1-16",
      wholeNumberArg("--concurrency", { min: 1, max: 16 }),
      4,
    )
    .action(async ({ count, ...options }) => {
      await runConsume({
        ...options,
        maxMessages: count === "all" ? undefined : count ?? options.maxMessages,
        deleteMessages: options.deleteMessages === true,
        deleteMalformed: options.deleteMalformed === true,
      });
    });
}

interface ConsumeOptions {
  queueUrl: string;
  region?: string;
  accessKey?: string;
  secretKey?: string;
  profile?: string;
  endpointUrl?: string;
  deleteMessages: boolean;
  deleteMalformed: boolean;
  numMessages: number;
  waitTime: number;
  visibilityTimeout: number;
  displayOverflow: Overflow;
  maxMessages?: number;
  idleExit?: number;
  output: OutputFormat;
  concurrency: number;
}

async function runConsume(options: ConsumeOptions): Promise<void> {
  if (options.deleteMalformed && !options.deleteMessages) {
    throw new UsageError("--delete-malformed needs --delete-messages", {
      hint: "Add --delete-messages, or leave malformed messages in the queue for inspection.",
    });
  }
  // The AWS SDK is loaded only when a command talks to AWS: it costs every other command startup time.
  const {
    createSqsClient,
    decodeNotification,
    flowRecords,
    pollQueue,
    redactSecrets,
    resolveSqsConnection,
  } = await import("../lib/notify/mod.ts");
  const connection = resolveSqsConnection({
    queueUrl: options.queueUrl,
    region: options.region,
    profile: options.profile,
    endpointUrl: options.endpointUrl,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
  });
  const secrets = connection.secrets;
  const warnStyles = stylesFor("stderr");
  const status = new ConsumerStatus(stderrIsTerminal());
  if (connection.keysFromFlags) {
    status.print(
      `${
        warnStyles.yellow("note:")
      } keys given on the command line show in process listings; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use --profile instead.`,
    );
  }
  const client = createSqsClient(connection);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      status.print(
        `stopping: finishing what was received, waiting up to ${options.waitTime}s for receives in flight (Ctrl-C again quits now; what is not deleted comes back after the visibility timeout)`,
      );
      controller.abort();
    } else {
      status.close();
      Deno.exit(130);
    }
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);

  const colour = colourEnabled("stdout");
  const width = terminalWidth();
  let jsonStarted = false;
  let stdoutBroken = false;

  async function emitOut(text: string): Promise<void> {
    if (text === "") return;
    status.clear();
    try {
      await writeStdout(text);
    } finally {
      status.draw(true);
    }
  }

  const handler = async (messages: Message[], receivedAt: Date) => {
    const toDelete: Message[] = [];
    const toRelease: Message[] = [];
    let text = "";
    for (const message of messages) {
      if (options.maxMessages !== undefined && status.shown >= options.maxMessages) {
        toRelease.push(message);
        continue;
      }
      const decoded = decodeNotification(message);
      if (!decoded.ok) {
        status.malformed++;
        const { messageId, reason } = decoded.malformed;
        const fate = options.deleteMalformed ? "deleted (--delete-malformed)" : "left in the queue";
        status.print(
          `${warnStyles.yellow("warning:")} message ${escapeControl(messageId)} is malformed: ${
            escapeControl(redactSecrets(reason, secrets))
          }; ${fate}`,
        );
        if (options.deleteMalformed) toDelete.push(message);
        continue;
      }
      const notification = decoded.notification;
      if (options.output === "table") {
        text += renderNotification(notification, {
          overflow: options.displayOverflow,
          width,
          colour,
        });
      } else {
        for (const record of flowRecords(notification, receivedAt)) {
          const line = JSON.stringify(record);
          if (options.output === "jsonl") {
            text += `${line}\n`;
          } else {
            text += `${jsonStarted ? ",\n" : "[\n"}${line}`;
            jsonStarted = true;
          }
        }
      }
      status.shown++;
      status.lastMessageAt = Date.now();
      toDelete.push(message);
    }
    try {
      await emitOut(text);
    } catch (error) {
      if (error instanceof Deno.errors.BrokenPipe) {
        stdoutBroken = true;
        controller.abort();
        // Nothing of this batch is deleted: it was not (fully) written.
        return { release: messages };
      }
      throw error;
    }
    if (options.maxMessages !== undefined && status.shown >= options.maxMessages) {
      controller.abort();
    }
    return { delete: options.deleteMessages ? toDelete : [], release: toRelease };
  };

  const onEvent = (event: PollEvent): void => {
    switch (event.type) {
      case "poll":
        status.polls++;
        if (event.messages > 0) status.lastMessageAt = Date.now();
        status.draw();
        break;
      case "deleted":
        status.deleted += event.count;
        status.draw();
        break;
      case "delete-failed":
        for (const failure of event.failures) {
          status.print(
            `${warnStyles.yellow("warning:")} could not delete message ${
              escapeControl(failure.messageId)
            }: ${
              escapeControl(failure.reason)
            }; it will be delivered again after its visibility timeout`,
          );
        }
        break;
      case "retry":
        status.note(describeEvent(event) ?? "");
        break;
      case "recovered":
        status.note("");
        if (!stderrIsTerminal()) writeStderr(`SQS ${event.operation} works again\n`);
        break;
      default:
        break;
    }
  };

  try {
    const summary = await pollQueue(client, handler, {
      queueUrl: options.queueUrl,
      batchSize: options.numMessages,
      waitTimeSeconds: options.waitTime,
      visibilityTimeout: options.visibilityTimeout,
      concurrency: options.concurrency,
      signal: controller.signal,
      idleExitMs: options.idleExit === undefined ? undefined : options.idleExit * 1000,
      deleteMessages: true,
      onEvent,
      secrets,
    });
    if (options.output === "json" && !stdoutBroken) {
      await emitOut(jsonStarted ? "\n]\n" : "[]\n").catch(() => {});
    }
    status.close();
    const why = summary.reason === "idle"
      ? `no message for ${options.idleExit}s`
      : options.maxMessages !== undefined && status.shown >= options.maxMessages
      ? `${options.maxMessages} notifications shown`
      : stdoutBroken
      ? "output closed"
      : "stopped";
    writeStderr(
      `${why}: ${status.shown} shown, ${status.deleted} deleted, ${status.malformed} malformed, ${status.polls} polls\n`,
    );
  } catch (error) {
    if (options.output === "json" && jsonStarted && !stdoutBroken) {
      await emitOut("\n]\n").catch(() => {});
    }
    status.close();
    if (!(error instanceof MlidsError) && error instanceof Error) {
      error.message = redactSecrets(error.message, secrets);
    }
    throw error;
  } finally {
    status.close();
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
    client.destroy();
  }
}
