/**
 * What an analyst reads first about a flow, found by the CICFlowMeter column names ML-IDS uses:
 * destination port, protocol, the flow's own timestamp, duration, packets and bytes each way.
 * Shared by the one-line alert and the ECS document.
 * @module
 */

/** A count or size as the message gave it: a number, or a bigint beyond 2^53. */
export type Quantity = number | bigint;

/** The facts of one flow; null where the message has no such column or not a usable value. */
export interface FlowFacts {
  readonly dstPort: Quantity | null;
  /** The IANA protocol number. */
  readonly protocol: Quantity | null;
  /** CICFlowMeter's own timestamp text, e.g. `21/02/2018 10:15:06` (local time of the capture). */
  readonly timestamp: string | null;
  /** CICFlowMeter's `flow_duration`, in microseconds. */
  readonly durationMicros: Quantity | null;
  readonly fwdPackets: Quantity | null;
  readonly bwdPackets: Quantity | null;
  readonly fwdBytes: Quantity | null;
  readonly bwdBytes: Quantity | null;
  /** The `prediction` column as the API wrote it (1, 0, or a raw score). */
  readonly prediction: unknown;
}

function quantity(value: unknown): Quantity | null {
  if (typeof value === "bigint") return value;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The facts of the flow whose `values` are in the order of `columns`. */
export function flowFacts(columns: readonly string[], values: readonly unknown[]): FlowFacts {
  const at = (name: string): unknown => {
    const i = columns.indexOf(name);
    return i < 0 ? undefined : values[i];
  };
  const timestamp = at("timestamp");
  return {
    dstPort: quantity(at("dst_port")),
    protocol: quantity(at("protocol")),
    timestamp: typeof timestamp === "string" ? timestamp : null,
    durationMicros: quantity(at("flow_duration")),
    fwdPackets: quantity(at("tot_fwd_pkts")),
    bwdPackets: quantity(at("tot_bwd_pkts")),
    fwdBytes: quantity(at("totlen_fwd_pkts")),
    bwdBytes: quantity(at("totlen_bwd_pkts")),
    prediction: at("prediction"),
  };
}

/**
 * IANA protocol keywords (https://www.iana.org/assignments/protocol-numbers) of the protocols
 * flow captures carry; CSE-CIC-IDS2018 has 0, 6 and 17.
 */
const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "HOPOPT"],
  [1, "ICMP"],
  [2, "IGMP"],
  [4, "IPv4"],
  [6, "TCP"],
  [17, "UDP"],
  [41, "IPv6"],
  [47, "GRE"],
  [50, "ESP"],
  [51, "AH"],
  [58, "IPv6-ICMP"],
  [132, "SCTP"],
]);

/** The IANA keyword of a protocol number (`6` -> `TCP`), or null when it is not a known one. */
export function protocolName(protocol: Quantity | null): string | null {
  if (protocol === null) return null;
  return PROTOCOL_NAMES.get(Number(protocol)) ?? null;
}

/** `value` with three significant digits at most (two decimals below 10), no trailing zeros. */
function short(value: number): string {
  const text = value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** Microseconds in human units: `850 µs`, `12.3 ms`, `4.56 s`, `1m59s`, `2h03m`. */
export function humanDuration(micros: Quantity): string {
  const us = Number(micros);
  if (us < 0) return `${us} µs`;
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 999_500) return `${short(us / 1000)} ms`;
  const seconds = us / 1e6;
  if (seconds < 59.5) return `${short(seconds)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  const hours = Math.floor(whole / 3600);
  return `${hours}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** Bytes in binary units: `935 B`, `1.17 KiB`, `12.1 MiB`. */
export function humanBytes(bytes: Quantity): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = Number(bytes);
  if (value < 1024) return `${bytes} B`;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
