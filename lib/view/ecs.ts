/**
 * Notifications as Elastic Common Schema documents (`consume --output ecs`), one JSON object a
 * line, which Filebeat, Elastic Agent, Logstash and Splunk ingest as they are. Field names and
 * types follow ECS {@linkcode ECS_VERSION} (elastic/ecs, generated/ecs/ecs_flat.yml); every flow
 * column goes under the custom `ml_ids.flow.*`, integers exact.
 * @module
 */

import { stringifyJsonExact } from "../json.ts";
import type { AttackNotification, NotifiedFlow } from "../notify/mod.ts";
import { flowFacts, protocolName, type Quantity } from "./_flow_facts.ts";

/** The ECS release the documents follow, written to `ecs.version`. */
export const ECS_VERSION = "9.4.0";

/** One ECS document: nested objects, as Elasticsearch stores them. */
export type EcsDocument = Record<string, unknown>;

/** `value` when it is a whole number of 0 or more (an ECS `long` count), else undefined. */
function count(value: Quantity | null): Quantity | undefined {
  if (value === null) return undefined;
  if (typeof value === "bigint") return value >= 0n ? value : undefined;
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** CICFlowMeter's microseconds as ECS's nanoseconds, exactly; undefined for no usable duration. */
function nanoseconds(micros: Quantity | null): Quantity | undefined {
  if (micros === null) return undefined;
  if (typeof micros === "bigint") return micros >= 0n ? micros * 1000n : undefined;
  if (!(micros >= 0)) return undefined;
  const ns = Math.round(micros * 1000);
  return Number.isSafeInteger(ns) ? ns : BigInt(Math.round(micros)) * 1000n;
}

/** Drops the undefined members, so absent facts leave no key behind. */
function defined(members: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(members).filter(([, value]) => value !== undefined);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** The SNS time when it is an ISO 8601 date (what SNS sends), else null. */
function isoDate(text: string | null): string | null {
  return text !== null && ISO_DATE.test(text) && !Number.isNaN(Date.parse(text)) ? text : null;
}

function summary(flow: NotifiedFlow, port: Quantity | null, protocol: string | null): string {
  const what = flow.prediction === "attack" ? "attack" : flow.prediction ?? "unclassified";
  return `ML-IDS ${what}: flow to port ${port ?? "?"}/${protocol ?? "?"}`;
}

/** The ECS documents of a notification, one per flow; `receivedAt` becomes `event.created`. */
export function ecsDocuments(notification: AttackNotification, receivedAt: Date): EcsDocument[] {
  const created = receivedAt.toISOString();
  const several = notification.flows.length > 1;
  return notification.flows.map((flow, i) => {
    const facts = flowFacts(notification.columns, flow.values);
    const protocol = protocolName(facts.protocol);
    const port = count(facts.dstPort);
    const iana = count(facts.protocol);
    const flowColumns: Record<string, unknown> = Object.fromEntries(
      notification.columns.map((column, c) => [column, flow.values[c] ?? null]),
    );
    const sent = isoDate(notification.sentAt);
    const document: EcsDocument = {
      // ECS: with no time of its own from the source, the time the pipeline received it.
      "@timestamp": sent ?? created,
      ecs: { version: ECS_VERSION },
      message: summary(flow, facts.dstPort, protocol),
      event: defined({
        kind: "alert",
        category: ["network", "intrusion_detection"],
        type: ["info"],
        created,
        // A message with several flows gives each document its own id.
        id: several ? `${notification.messageId}:${i}` : notification.messageId,
        module: "ml_ids",
        dataset: "ml_ids.alert",
        duration: nanoseconds(facts.durationMicros),
      }),
      source: defined({ packets: count(facts.fwdPackets), bytes: count(facts.fwdBytes) }),
      destination: defined({
        port,
        packets: count(facts.bwdPackets),
        bytes: count(facts.bwdBytes),
      }),
      network: defined({
        transport: protocol?.toLowerCase(),
        iana_number: iana === undefined ? undefined : String(iana),
      }),
      ml_ids: defined({
        prediction: flow.prediction ?? undefined,
        row: flow.index ?? undefined,
        sns_message_id: notification.snsMessageId,
        // An envelope time that is not a date is kept, but not as @timestamp.
        sns_timestamp: sent === null ? notification.sentAt ?? undefined : undefined,
        flow: flowColumns,
      }),
    };
    return Object.fromEntries(
      Object.entries(document).filter(([, value]) => value !== undefined),
    );
  });
}

/** The ECS documents of a notification as JSON lines (no newline), integers written exactly. */
export function ecsLines(notification: AttackNotification, receivedAt: Date): string[] {
  return ecsDocuments(notification, receivedAt).map((document) => stringifyJsonExact(document));
}
