/**
 * `mlids consume`: shows the attack notifications ML-IDS publishes (SNS -> SQS), as the original
 * `ml_ids_attack_consumer` did, and is safe to leave running: every notification is written before
 * it is deleted, bad messages are warned about and kept, faults are retried, Ctrl-C stops cleanly.
 * @module
 */

import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { Message } from "@aws-sdk/client-sqs";
import { MlidsError, RemoteError, UsageError } from "../lib/errors.ts";
import type { PollEvent } from "../lib/notify/mod.ts";
import {
  colourEnabled,
  type Overflow,
  progressQuiet,
  stderrIsTerminal,
  stylesFor,
  terminalWidth,
} from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { choiceOption, countOption, wholeNumberArg } from "./_flags.ts";
import { withExamples } from "./_help.ts";
import { deleteMessagesOption, queueConnectionFrom, withAwsQueueOptions } from "./_aws_flags.ts";
import { alertLines, ecsLines, flowRecordLines, notificationTable } from "../lib/view/mod.ts";
import { watchInterrupts } from "./_interrupt.ts";
import { writeAll, writeAllSync } from "../lib/write_all.ts";

/** The views of notifications on stdout. */
const OUTPUT_FORMATS = ["lines", "table", "ecs", "json", "jsonl"] as const;

/** How notifications are written to stdout. */
type OutputFormat = typeof OUTPUT_FORMATS[number];

/** The "still in the queue" line about malformed messages is said at most this often. */
const STILL_THERE_INTERVAL_MS = 60_000;

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

/** `1 notification`, `2 notifications`. */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const encoder = new TextEncoder();

/** What `mlids consume` talks to: the process's streams and signals, or a test's. */
export interface ConsumeIo {
  /** Writes notifications to stdout; rejects with `Deno.errors.BrokenPipe` once the reader left. */
  write(text: string): Promise<void>;
  /** Writes status lines and warnings to stderr; never throws. */
  writeErr(text: string): void;
  /** Whether stderr is a terminal (then the status is one line redrawn in place). */
  stderrIsTTY: boolean;
  /** Colour on stdout. */
  colour: boolean;
  /** Columns to fit tables and the status line into, read when drawn. */
  width(): number;
  /** Environment lookup for the AWS settings; default the process's. */
  env?: (name: string) => string | undefined;
  /**
   * Calls `stop` on the first request to stop (Ctrl-C, SIGTERM) and `exit(130)` on the next;
   * returns the function that stops watching.
   */
  watchInterrupt(stop: () => void, exit: (code: number) => void): () => void;
  /** Told every poller event after the command handled it (tests wait on these, not on time). */
  onEvent?: (event: PollEvent) => void;
}

/** The process's stdout, stderr, terminal and signals. */
function processConsumeIo(): ConsumeIo {
  return {
    write: (text) => writeAll(Deno.stdout, encoder.encode(text)),
    writeErr(text) {
      try {
        writeAllSync(Deno.stderr, encoder.encode(text));
      } catch {
        // A closed stderr must not stop consuming.
      }
    },
    stderrIsTTY: stderrIsTerminal(),
    colour: colourEnabled("stdout"),
    width: terminalWidth,
    watchInterrupt: (stop, exit) => watchInterrupts(stop, { exit }),
  };
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
  readonly #io: ConsumeIo;

  constructor(io: ConsumeIo, live: boolean) {
    this.#io = io;
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
    const columns = this.#io.width();
    const text = this.line();
    this.#io.writeErr(`\r\x1b[2K${text.length >= columns ? text.slice(0, columns - 1) : text}`);
    this.#drawn = true;
  }

  /** Removes the live line so other output can be written. */
  clear(): void {
    if (this.#live && this.#drawn) this.#io.writeErr("\r\x1b[2K");
    this.#drawn = false;
  }

  /** Writes a permanent stderr line above the live line. */
  print(text: string): void {
    this.clear();
    this.#io.writeErr(`${text}\n`);
    this.draw(true);
  }

  /** A transient note in the live line; on a non-terminal it is printed once. */
  note(text: string): void {
    if (this.#live) {
      this.#note = text;
      this.draw(true);
    } else if (text) {
      this.#io.writeErr(`${text}\n`);
    }
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
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

/**
 * `mlids consume`: show attack notifications from an SQS queue, writing through `io` (default
 * the process's streams and signals).
 */
export function consumeCommand(io: () => ConsumeIo = processConsumeIo): Command {
  const command = withAwsQueueOptions(
    new Command("consume")
      .description(
        "show ML-IDS attack notifications from an SQS queue, deleting each only after it was written",
      )
      .requiredOption(
        "--queue-url <url>",
        "URL of the SQS queue subscribed to the predictions topic",
      ),
  )
    .addOption(
      deleteMessagesOption("delete each message after it was written").default(false),
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
        "lines (one line per alert), table (every column), ecs (Elastic Common Schema, one document a line), json (one array) or jsonl (one object a line)",
        OUTPUT_FORMATS,
      ).default("lines" as const),
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
      }, io());
    });
  return withExamples(command as unknown as Command, [
    {
      what: "the attack notifications, each deleted once shown",
      line:
        "mlids consume --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/ml-ids-attacks --delete-messages True",
    },
    {
      what: "100 notifications as JSON lines, credentials from a profile",
      line:
        "AWS_PROFILE=ml-ids mlids consume --queue-url URL --output jsonl --count 100 > attacks.jsonl",
    },
  ]);
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

async function runConsume(options: ConsumeOptions, io: ConsumeIo): Promise<void> {
  if (options.deleteMalformed && !options.deleteMessages) {
    throw new UsageError("--delete-malformed needs --delete-messages", {
      hint: "Add --delete-messages, or leave malformed messages in the queue for inspection.",
    });
  }
  // The AWS SDK is loaded only when a command talks to AWS: it costs every other command startup time.
  const {
    createSqsClient,
    decodeNotification,
    pollQueue,
    redactSecrets,
    resolveSqsConnection,
  } = await import("../lib/notify/mod.ts");
  const connection = await resolveSqsConnection({
    ...queueConnectionFrom(options.queueUrl, options),
    ...(io.env ? { env: io.env } : {}),
  });
  const secrets = connection.secrets;
  const warnStyles = stylesFor("stderr");
  const status = new ConsumerStatus(io, io.stderrIsTTY && !progressQuiet());
  if (connection.keysFromFlags) {
    status.print(
      `${
        warnStyles.yellow("note:")
      } keys given on the command line show in process listings; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use --profile instead.`,
    );
  }
  const endpoint = connection.endpoint ?? `https://sqs.${connection.region}.amazonaws.com`;
  const deletes = !options.deleteMessages
    ? "deleting nothing (messages come back after the visibility timeout)"
    : options.deleteMalformed
    ? "deleting each notification once written, and malformed messages"
    : "deleting each notification once written";
  status.print(
    `consuming ${escapeControl(options.queueUrl)} (region ${
      escapeControl(connection.region)
    }); ${deletes}`,
  );
  const client = createSqsClient(connection);
  const controller = new AbortController();
  // The first Ctrl-C/SIGTERM stops cleanly (exit 0, as asked); a second one quits at once (130).
  const unwatch = io.watchInterrupt(() => {
    status.print(
      `stopping: finishing what was received, waiting up to ${options.waitTime}s for receives in flight (Ctrl-C again quits now; what is not deleted comes back after the visibility timeout)`,
    );
    controller.abort();
  }, (code) => {
    status.close();
    Deno.exit(code);
  });

  const colour = io.colour;
  const width = io.width();
  let jsonStarted = false;
  let stdoutBroken = false;
  // Malformed messages come back after every visibility timeout: each is warned about and
  // counted once; its returns get one short line at most every STILL_THERE_INTERVAL_MS.
  const malformedSeen = new Set<string>();
  let stillThereSaidAt = -Infinity;

  async function emitOut(text: string): Promise<void> {
    if (text === "") return;
    status.clear();
    try {
      await io.write(text);
    } finally {
      status.draw(true);
    }
  }

  const handler = async (messages: Message[], receivedAt: Date) => {
    const toDelete: Message[] = [];
    const toRelease: Message[] = [];
    let text = "";
    let news = false;
    for (const message of messages) {
      if (options.maxMessages !== undefined && status.shown >= options.maxMessages) {
        toRelease.push(message);
        continue;
      }
      const decoded = decodeNotification(message);
      if (!decoded.ok) {
        const { messageId, reason } = decoded.malformed;
        if (options.deleteMalformed) toDelete.push(message);
        if (malformedSeen.has(messageId)) {
          if (Date.now() - stillThereSaidAt >= STILL_THERE_INTERVAL_MS) {
            stillThereSaidAt = Date.now();
            const times = Number(message.Attributes?.ApproximateReceiveCount);
            status.print(
              `malformed message ${escapeControl(messageId)} is still in the queue${
                Number.isInteger(times) && times > 1 ? ` (received ${times} times)` : ""
              }; a dead-letter queue would move it aside (see the README)`,
            );
          }
          continue;
        }
        malformedSeen.add(messageId);
        news = true;
        status.malformed++;
        status.lastMessageAt = Date.now();
        const fate = options.deleteMalformed ? "deleted (--delete-malformed)" : "left in the queue";
        status.print(
          `${warnStyles.yellow("warning:")} message ${escapeControl(messageId)} is malformed: ${
            escapeControl(redactSecrets(reason, secrets))
          }; ${fate}`,
        );
        continue;
      }
      const notification = decoded.notification;
      if (options.output === "lines") {
        for (const line of alertLines(notification, { colour })) text += `${line}\n`;
      } else if (options.output === "table") {
        text += notificationTable(notification, {
          overflow: options.displayOverflow,
          width,
          colour,
        });
      } else {
        const lines = options.output === "ecs"
          ? ecsLines(notification, receivedAt)
          : flowRecordLines(notification, receivedAt);
        for (const line of lines) {
          if (options.output === "json") {
            text += `${jsonStarted ? ",\n" : "[\n"}${line}`;
            jsonStarted = true;
          } else {
            text += `${line}\n`;
          }
        }
      }
      news = true;
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
    return {
      delete: options.deleteMessages ? toDelete : [],
      release: toRelease,
      activity: news,
    };
  };

  const onEvent = (event: PollEvent): void => {
    switch (event.type) {
      case "poll":
        status.polls++;
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
        if (!io.stderrIsTTY) io.writeErr(`SQS ${event.operation} works again\n`);
        break;
      default:
        break;
    }
    io.onEvent?.(event);
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
    if (summary.reason === "idle" && summary.answered === 0) {
      // Not one receive got through: an outage, which a cron job must not take for a quiet queue.
      throw new RemoteError(
        `no receive from SQS at ${endpoint} succeeded in ${options.idleExit}s: ${
          escapeControl(summary.lastReceiveError ?? "no answer")
        }`,
        {
          hint:
            "Check --endpoint-url, --region and the network (a proxy, DNS, a firewall), then run again",
        },
      );
    }
    const why = summary.reason === "idle"
      ? `no message for ${options.idleExit}s`
      : options.maxMessages !== undefined && status.shown >= options.maxMessages
      ? `reached --count ${options.maxMessages}`
      : stdoutBroken
      ? "output closed"
      : "stopped";
    io.writeErr(
      `${why}: ${
        counted(status.shown, "notification")
      } shown, ${status.deleted} deleted, ${status.malformed} malformed, ${
        counted(status.polls, "poll")
      }\n`,
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
    unwatch();
    client.destroy();
  }
}
