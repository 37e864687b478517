/**
 * CICFlowMeter flow timestamps, read as a time on one clock: only the gaps between flows matter
 * to a replay, so the wall-clock time zone is irrelevant and every timestamp is read as UTC.
 * @module
 */

/** A flow's start time and the resolution its timestamp was written with. */
export interface FlowTime {
  /** Milliseconds since 1970-01-01 (read as UTC). */
  readonly ms: number;
  /** What one step of the timestamp's last field is worth: 1000 for whole seconds, 60000 for minutes. */
  readonly resolutionMs: number;
}

/** Many flows' times, column-wise: flow k started at `ms[k]`, written to `resolutionMs[k]`. */
export interface FlowTimes {
  readonly ms: Float64Array;
  readonly resolutionMs: Float64Array;
}

// CSE-CIC-IDS2018 and CICFlowMeter-V3 write `14/02/2018 08:31:01` (day first); CIC-IDS2017's CSVs
// drop seconds and leading zeros (`3/7/2017 8:55`) and some add AM/PM.
const DAY_FIRST =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([AaPp])[Mm])?$/;
// The Python cicflowmeter and ISO style: `2026-11-23 18:35:44` or `2026-11-23T18:35:44.123456`.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T\s](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$/;

function timeOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: string | undefined,
  fraction: string | undefined,
): FlowTime | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const seconds = second === undefined ? 0 : Number(second);
  if (seconds > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, seconds);
  // Date.UTC rolls 31 February over into March: refuse dates that do not exist.
  if (new Date(ms).getUTCDate() !== day) return null;
  if (fraction !== undefined) {
    return { ms: ms + Number(`0.${fraction}`) * 1000, resolutionMs: 10 ** (3 - fraction.length) };
  }
  return { ms, resolutionMs: second === undefined ? 60_000 : 1000 };
}

/**
 * Reads a CICFlowMeter timestamp (`14/02/2018 08:31:01`, `3/7/2017 8:55`, `7/7/2017 3:30:58 PM`,
 * `2026-11-23 18:35:44.123`), or returns null for text in no known form.
 */
export function parseFlowTimestamp(text: string): FlowTime | null {
  const trimmed = text.trim();
  const dayFirst = DAY_FIRST.exec(trimmed);
  if (dayFirst) {
    const [, day, month, year, hour, minute, second, fraction, half] = dayFirst;
    let hours = Number(hour);
    if (half !== undefined) {
      if (hours < 1 || hours > 12) return null;
      hours = (hours % 12) + (half.toLowerCase() === "p" ? 12 : 0);
    }
    return timeOf(
      Number(year),
      Number(month),
      Number(day),
      hours,
      Number(minute),
      second,
      fraction,
    );
  }
  const iso = ISO.exec(trimmed);
  if (iso) {
    const [, year, month, day, hour, minute, second, fraction] = iso;
    return timeOf(
      Number(year),
      Number(month),
      Number(day),
      Number(hour),
      Number(minute),
      second,
      fraction,
    );
  }
  return null;
}
