/**
 * The one-line alert, `consume`'s default view: one line per notified flow, its fields aligned
 * like Suricata's fast.log, so hundreds of alerts read as a list:
 *
 * ```text
 * 2026-11-23T18:35:44.789Z 9f86d081 ATTACK 80/TCP        21/02/2018 10:15:06 1m59s    fwd 4 pkts 1.17 KiB    bwd 3 pkts 935 B
 * ```
 *
 * SNS time, the message id's first 8 characters, the verdict, destination port/protocol, the
 * flow's own timestamp, its duration, packets and bytes each way, and the raw prediction when it
 * is neither 0 nor 1. Every field has a cap, so a line stays under 160 characters whatever a
 * message holds; text from messages is escaped.
 * @module
 */

import type { AttackNotification, NotifiedFlow } from "../notify/mod.ts";
import { stylesWith } from "../term/mod.ts";
import { charWidth, displayWidth, escapeControl } from "../text.ts";
import {
  flowFacts,
  humanBytes,
  humanDuration,
  protocolName,
  type Quantity,
} from "./_flow_facts.ts";

/** The longest an alert line gets, in characters (colour codes aside). */
export const ALERT_LINE_MAX_CHARS = 159;

/** Options of {@linkcode alertLines}. */
export interface AlertLineOptions {
  /** Colour the verdict, time and destination (default false). */
  colour?: boolean;
}

/** `text` cut to `max` terminal columns, the cut marked with `…`. */
function fit(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let kept = "";
  let used = 0;
  for (const char of text) {
    const width = charWidth(char.codePointAt(0)!);
    if (used + width > max - 1) break;
    kept += char;
    used += width;
  }
  return `${kept}…`;
}

function pad(text: string, width: number): string {
  const length = displayWidth(text);
  return length >= width ? text : text + " ".repeat(width - length);
}

function verdictOf(flow: NotifiedFlow): string {
  return flow.prediction === "attack" ? "ATTACK" : flow.prediction === "benign" ? "benign" : "?";
}

function destination(port: Quantity | null, protocol: Quantity | null): string {
  const name = protocolName(protocol) ?? (protocol === null ? "?" : `proto ${protocol}`);
  return `${port ?? "?"}/${name}`;
}

function direction(label: string, packets: Quantity | null, bytes: Quantity | null): string {
  const count = packets === null ? "? pkts" : `${packets} pkt${Number(packets) === 1 ? "" : "s"}`;
  return `${label} ${count} ${bytes === null ? "? B" : humanBytes(bytes)}`;
}

/** The raw prediction, when the API answered something other than 0 or 1; else empty. */
function rawPrediction(value: unknown): string {
  if (typeof value === "number") return value === 0 || value === 1 ? "" : `raw ${value}`;
  if (typeof value === "bigint") return value === 0n || value === 1n ? "" : `raw ${value}`;
  if (typeof value === "string" && !["0", "1", "0.0", "1.0"].includes(value.trim())) {
    return `raw ${escapeControl(value)}`;
  }
  return "";
}

/** One line per flow of `notification` (usually one), without newlines. */
export function alertLines(
  notification: AttackNotification,
  options: AlertLineOptions = {},
): string[] {
  const styles = stylesWith(options.colour ?? false);
  const time = pad(fit(escapeControl(notification.sentAt ?? "(no SNS time)"), 24), 24);
  const id = pad([...escapeControl(notification.messageId)].slice(0, 8).join(""), 8);
  return notification.flows.map((flow) => {
    const facts = flowFacts(notification.columns, flow.values);
    const verdict = pad(verdictOf(flow), 6);
    const where = pad(fit(destination(facts.dstPort, facts.protocol), 13), 13);
    const flowTime = pad(fit(escapeControl(facts.timestamp ?? "-"), 20), 19);
    const duration = pad(
      fit(facts.durationMicros === null ? "-" : humanDuration(facts.durationMicros), 9),
      8,
    );
    const fwd = pad(direction("fwd", facts.fwdPackets, facts.fwdBytes), 22);
    const bwd = pad(direction("bwd", facts.bwdPackets, facts.bwdBytes), 22);
    // The fields before are capped (86 characters with their spaces): the uncoloured rest gets
    // what is left of the line.
    const rest = fit([fwd, bwd, rawPrediction(facts.prediction)].join(" ").trimEnd(), 72);
    const coloured = flow.prediction === "attack"
      ? styles.bold(styles.red(verdict))
      : flow.prediction === "benign"
      ? styles.green(verdict)
      : verdict;
    return [
      styles.dim(time),
      styles.dim(id),
      coloured,
      styles.cyan(where),
      flowTime,
      duration,
      rest,
    ].join(" ");
  });
}
