/**
 * Matching attack notifications to the flows that caused them. A notification carries the flow's
 * feature values (as the API re-encoded them), not an id, so flows are matched by fingerprint.
 * Identical rows are one multiset: k identical flows expect k alerts, and the (k+1)-th is a
 * duplicate. A notification may arrive before the flow's answer (the API publishes before it
 * answers), so it is matched provisionally and judged when the answer comes.
 * @module
 */

import { LatencyHistogram } from "../measure/mod.ts";
import {
  type FingerprintLayout,
  type FlowPrint,
  notifiedPrint,
  printIdentity,
  printsMatch,
} from "./fingerprint.ts";

/** What a notification is, as far as matching needs: its columns and rows, and when SNS sent it. */
export interface NotifiedAlert {
  readonly columns: readonly string[];
  readonly flows: readonly {
    readonly values: readonly unknown[];
    readonly prediction: "attack" | "benign" | null;
  }[];
  /** ISO 8601, or null when unknown. */
  readonly sentAt: string | null;
}

/**
 * What one notified flow turned out to be: an alert for a flow answered (or about to be answered)
 * as attack; for a flow answered benign or not answered; a second alert for a flow; for no flow
 * sent; sent before the run started (left alone); or not an attack notification at all.
 */
export type AlertVerdict =
  | "matched"
  | "provisional"
  | "benign"
  | "unanswered"
  | "duplicate"
  | "unknown"
  | "stale"
  | "not-attack";

/** Counts of the matching so far. */
export interface AlertCounts {
  /** Flows the API answered as attack: the alerts expected. */
  readonly expected: number;
  /** Expected alerts received. */
  readonly matched: number;
  /** Expected alerts not (yet) received. */
  readonly missing: number;
  /** Alerts for no flow sent, for a flow answered benign, or for a flow without an answer. */
  readonly unexpected: number;
  readonly unexpectedUnknown: number;
  readonly unexpectedBenign: number;
  readonly unexpectedUnanswered: number;
  /** A second (third, ...) alert for the same flow. */
  readonly duplicates: number;
  /** Notifications SNS sent before the run started: not ours, left in the queue. */
  readonly stale: number;
  /** Notifications of benign predictions (a queue without the attack filter): ignored. */
  readonly notAttack: number;
}

const PENDING = 0;
const ATTACK = 1;
const BENIGN = 2;
const FAILED = 3;

interface Entry {
  readonly id: number;
  readonly scheduledAt: number;
  readonly group: Group;
  state: number;
  /** When its alert was received (performance.now ms), NaN before. */
  alertedAt: number;
  removed: boolean;
}

interface Group {
  readonly print: FlowPrint;
  readonly identity: string;
  entries: Entry[];
  live: number;
}

/** Options of an {@linkcode AlertMatcher}. */
export interface AlertMatcherOptions {
  /** After this long, a flow answered benign (or a matched flow) is forgotten. */
  alertTimeoutMs: number;
  /** Wall-clock time the run started (epoch ms): notifications sent well before are stale. */
  startedAt: number;
  /** Clock skew allowed between this machine and SNS, ms (default 2000). */
  skewMs?: number;
}

/** Matches notifications to sent flows (see the module doc). Times are `performance.now()` ms. */
export class AlertMatcher {
  readonly #layout: FingerprintLayout;
  readonly #options: AlertMatcherOptions;
  readonly #entries = new Map<number, Entry>();
  readonly #byKey = new Map<string, Group[]>();
  readonly #byIdentity = new Map<string, Group>();
  /** Entries to forget, in the order their time comes. */
  #expiry: { at: number; entry: Entry }[] = [];
  #expiryHead = 0;
  #expected = 0;
  #matched = 0;
  #unknown = 0;
  #benign = 0;
  #unanswered = 0;
  /** Alerts matched to flows still waiting for their answer. */
  #provisional = 0;
  #duplicates = 0;
  #stale = 0;
  #notAttack = 0;
  /** From each flow's scheduled send to its alert's receipt, ms. */
  readonly timeToAlert: LatencyHistogram = new LatencyHistogram();

  constructor(layout: FingerprintLayout, options: AlertMatcherOptions) {
    this.#layout = layout;
    this.#options = options;
  }

  /** Registers sent flow `id` with its print and scheduled time. */
  addFlow(id: number, print: FlowPrint, scheduledAt: number): void {
    const identity = printIdentity(print);
    let group = this.#byIdentity.get(identity);
    if (group === undefined) {
      group = { print, identity, entries: [], live: 0 };
      this.#byIdentity.set(identity, group);
      const groups = this.#byKey.get(print.key);
      if (groups) groups.push(group);
      else this.#byKey.set(print.key, [group]);
    }
    const entry: Entry = { id, scheduledAt, group, state: PENDING, alertedAt: NaN, removed: false };
    group.entries.push(entry);
    group.live++;
    this.#entries.set(id, entry);
  }

  /** Flow `id` was answered: `prediction` (>= 0.5 is attack), or null when its request failed. */
  answered(id: number, prediction: number | null, now: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.state !== PENDING) return;
    entry.state = prediction === null ? FAILED : prediction >= 0.5 ? ATTACK : BENIGN;
    const alerted = !Number.isNaN(entry.alertedAt);
    if (alerted) this.#provisional--;
    if (entry.state === ATTACK) {
      this.#expected++;
      if (alerted) {
        this.#matched++;
        this.timeToAlert.record(Math.max(0, entry.alertedAt - entry.scheduledAt));
        this.#forgetLater(entry, now);
      }
    } else {
      if (alerted) {
        if (entry.state === BENIGN) this.#benign++;
        else this.#unanswered++;
      }
      this.#forgetLater(entry, now);
    }
  }

  /** Judges every flow of a received notification; `receivedAt` is when SQS handed it over. */
  receive(alert: NotifiedAlert, receivedAt: number): AlertVerdict[] {
    const sent = alert.sentAt === null ? NaN : Date.parse(alert.sentAt);
    const stale = sent < this.#options.startedAt - (this.#options.skewMs ?? 2000);
    return alert.flows.map((flow): AlertVerdict => {
      if (flow.prediction === "benign") {
        this.#notAttack++;
        return "not-attack";
      }
      if (stale) {
        this.#stale++;
        return "stale";
      }
      const print = notifiedPrint(this.#layout, alert.columns, flow.values);
      return this.#match(print, receivedAt);
    });
  }

  /** Forgets flows whose time to alert has passed (answered benign, or matched). */
  prune(now: number): void {
    while (this.#expiryHead < this.#expiry.length && this.#expiry[this.#expiryHead].at <= now) {
      this.#remove(this.#expiry[this.#expiryHead].entry);
      this.#expiryHead++;
    }
    if (this.#expiryHead > 4096 && this.#expiryHead * 2 > this.#expiry.length) {
      this.#expiry = this.#expiry.slice(this.#expiryHead);
      this.#expiryHead = 0;
    }
  }

  /** The counts so far; `final` counts alerts of flows still without an answer as unanswered. */
  counts(final = false): AlertCounts {
    const unanswered = this.#unanswered + (final ? this.#provisional : 0);
    const unexpected = this.#unknown + this.#benign + unanswered;
    return {
      expected: this.#expected,
      matched: this.#matched,
      missing: this.#expected - this.#matched,
      unexpected,
      unexpectedUnknown: this.#unknown,
      unexpectedBenign: this.#benign,
      unexpectedUnanswered: unanswered,
      duplicates: this.#duplicates,
      stale: this.#stale,
      notAttack: this.#notAttack,
    };
  }

  /** Whether every flow answered as attack has its alert and no flow awaits an answer. */
  get settled(): boolean {
    return this.#matched === this.#expected && this.#provisional === 0;
  }

  #match(print: FlowPrint, receivedAt: number): AlertVerdict {
    const groups = (this.#byKey.get(print.key) ?? []).filter((group) =>
      printsMatch(this.#layout, group.print, print)
    );
    if (groups.length === 0) {
      this.#unknown++;
      return "unknown";
    }
    // Identical flows are interchangeable: the earliest one of the best kind takes the alert.
    let best: Entry | undefined;
    let bestRank = 4;
    for (const group of groups) {
      for (const entry of group.entries) {
        if (entry.removed || !Number.isNaN(entry.alertedAt)) continue;
        const rank = entry.state === ATTACK ? 0 : entry.state === PENDING ? 1 : 2;
        if (rank < bestRank || (rank === bestRank && entry.scheduledAt < best!.scheduledAt)) {
          best = entry;
          bestRank = rank;
        }
      }
    }
    if (best === undefined) {
      this.#duplicates++;
      return "duplicate";
    }
    best.alertedAt = receivedAt;
    if (best.state === ATTACK) {
      this.#matched++;
      this.timeToAlert.record(Math.max(0, receivedAt - best.scheduledAt));
      this.#forgetLater(best, receivedAt);
      return "matched";
    }
    if (best.state === PENDING) {
      this.#provisional++;
      return "provisional";
    }
    if (best.state === BENIGN) {
      this.#benign++;
      return "benign";
    }
    this.#unanswered++;
    return "unanswered";
  }

  #forgetLater(entry: Entry, now: number): void {
    this.#expiry.push({ at: now + this.#options.alertTimeoutMs, entry });
  }

  #remove(entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    this.#entries.delete(entry.id);
    const group = entry.group;
    group.live--;
    if (group.live === 0) {
      this.#byIdentity.delete(group.identity);
      const groups = this.#byKey.get(group.print.key);
      const left = groups?.filter((other) => other !== group) ?? [];
      if (left.length === 0) this.#byKey.delete(group.print.key);
      else this.#byKey.set(group.print.key, left);
    } else if (group.entries.length > 2 * group.live) {
      group.entries = group.entries.filter((other) => !other.removed);
    }
  }
}
