/**
 * Which TCP connection a prediction request goes on: a kept-alive one (the default) or a fresh one
 * closed after its answer, chosen by measuring both.
 *
 * Why: a server that writes an answer's headers and body in two send() calls without TCP_NODELAY
 * (Python's `http.server`, many small model servers) stalls every answer on a reused connection:
 * Nagle's algorithm holds the body until the headers are acknowledged, and the client, having
 * nothing to send, delays that ACK (40 ms on Linux, up to 200 ms elsewhere). A fresh connection
 * starts in quick-ACK mode, so there the answer is not held. Against such a server one request per
 * flow on one kept-alive connection runs at about 23 flows/s, where a new connection per request
 * (what Python's `requests.post` does) runs at about 150 flows/s; against servers that set
 * TCP_NODELAY (gunicorn, Deno, most frameworks) keep-alive is 2x to 5x faster than new connections.
 * We cannot see the server's socket options, so we measure: while answers on reused connections
 * are quick (median under {@linkcode STALL_FLOOR_MS}) nothing else happens; when they are slow, the
 * next requests alternate between a reused and a fresh connection, and if nearly every fresh
 * answer (8 of 10) came in half the reused ones' median or less, every later request of the run
 * goes on a fresh connection. A slow model
 * is slow on both and keeps its kept-alive connection; an overloaded server, slow and noisy on both,
 * does not pass the test by chance often, and each probe that finds nothing doubles the wait before
 * the next.
 * @module
 */

/** How a request's connection is chosen: measured (`auto`), always kept alive, always new. */
export type ConnectionPolicy = "auto" | "reuse" | "fresh";

/** The connection one request goes on. */
export type ConnectionMode = "reuse" | "fresh";

/** What made the chooser switch to fresh connections: the median answer times it compared. */
export interface ConnectionSwitch {
  readonly mode: ConnectionMode;
  /** Median answer time on reused connections, ms. */
  readonly reuseMs: number;
  /** Median answer time on fresh connections, ms. */
  readonly freshMs: number;
  /** Requests chosen before the switch. */
  readonly afterRequests: number;
}

/** Answers compared per connection mode before deciding. */
export const PROBE_ANSWERS = 10;
/**
 * Fresh answers of a probe that must take half the reused ones' median or less. Two may be slow
 * for reasons of their own; an overloaded server, noisy on both, passes this about once in 10,000
 * probes (8 of 10 answers in the quickest fifth).
 */
const QUICK_FRESH_ANSWERS = 8;
/**
 * Below this median answer time on reused connections there is no stall to find: the shortest
 * delayed ACK is 40 ms (Linux), and a probe costs a few new connections.
 */
const STALL_FLOOR_MS = 25;
/** Requests on reused connections before probing again, after a first probe found no stall. */
export const PROBE_HOLD_OFF = 50;
/** The longest hold-off: it doubles after each probe that found no stall. */
const MAX_HOLD_OFF = 100_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Chooses each request's connection and learns from the answer times it is told. */
export class ConnectionChooser {
  readonly #policy: ConnectionPolicy;
  readonly #onSwitch?: (change: ConnectionSwitch) => void;
  #switched = false;
  #chosen = 0;
  /** Latest answer times on reused connections while watching. */
  #watch: number[] = [];
  #holdOff = 0;
  #nextHoldOff = PROBE_HOLD_OFF;
  /** Set while a probe alternates the two modes. */
  #probe: { reuse: number[]; fresh: number[]; nextFresh: boolean } | null = null;

  constructor(policy: ConnectionPolicy, onSwitch?: (change: ConnectionSwitch) => void) {
    this.#policy = policy;
    this.#onSwitch = onSwitch;
  }

  /** The mode later requests use unless a probe is running. */
  get mode(): ConnectionMode {
    if (this.#policy !== "auto") return this.#policy;
    return this.#switched ? "fresh" : "reuse";
  }

  /** The connection mode of the next request. */
  choose(): ConnectionMode {
    this.#chosen++;
    if (this.#policy !== "auto") return this.#policy;
    if (this.#switched) return "fresh";
    const probe = this.#probe;
    if (probe === null) return "reuse";
    // Alternating keeps both modes under the same server load, so a load spike is not a stall.
    const fresh = probe.nextFresh;
    probe.nextFresh = !fresh;
    return fresh ? "fresh" : "reuse";
  }

  /** Tells the chooser how long an answered request on `mode` took (failed requests are not told). */
  record(mode: ConnectionMode, ms: number): void {
    if (this.#policy !== "auto" || this.#switched) return;
    const probe = this.#probe;
    if (probe !== null) {
      probe[mode].push(ms);
      if (probe.reuse.length < PROBE_ANSWERS || probe.fresh.length < PROBE_ANSWERS) return;
      this.#probe = null;
      const reuseMs = median(probe.reuse);
      // A busy machine slows the odd answer either way: nearly every fresh answer must be quick.
      const quickFresh = probe.fresh.filter((ms) => ms * 2 <= reuseMs).length;
      if (reuseMs >= STALL_FLOOR_MS && quickFresh >= QUICK_FRESH_ANSWERS) {
        this.#switched = true;
        this.#onSwitch?.({
          mode: "fresh",
          reuseMs,
          freshMs: median(probe.fresh),
          afterRequests: this.#chosen,
        });
      } else {
        this.#holdOff = this.#nextHoldOff;
        this.#nextHoldOff = Math.min(MAX_HOLD_OFF, this.#nextHoldOff * 2);
      }
      return;
    }
    if (mode !== "reuse") return;
    this.#watch.push(ms);
    if (this.#watch.length > PROBE_ANSWERS) this.#watch.shift();
    if (this.#holdOff > 0) {
      this.#holdOff--;
      return;
    }
    if (this.#watch.length === PROBE_ANSWERS && median(this.#watch) >= STALL_FLOOR_MS) {
      this.#watch = [];
      this.#probe = { reuse: [], fresh: [], nextFresh: true };
    }
  }
}
