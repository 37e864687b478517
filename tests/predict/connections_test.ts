import assert from "node:assert/strict";
import {
  ConnectionChooser,
  type ConnectionMode,
  type ConnectionSwitch,
  PROBE_ANSWERS,
  PROBE_HOLD_OFF,
} from "../../lib/predict/_connections.ts";

/** Runs `requests` sequential requests whose answer time depends only on the mode chosen. */
function drive(
  chooser: ConnectionChooser,
  requests: number,
  answerMs: (mode: ConnectionMode, request: number) => number,
): ConnectionMode[] {
  const modes: ConnectionMode[] = [];
  for (let i = 0; i < requests; i++) {
    const mode = chooser.choose();
    modes.push(mode);
    chooser.record(mode, answerMs(mode, i));
  }
  return modes;
}

Deno.test("ConnectionChooser: quick answers on reused connections never try a fresh one", () => {
  const chooser = new ConnectionChooser("auto");
  const modes = drive(chooser, 1000, () => 0.4);
  assert.ok(modes.every((mode) => mode === "reuse"));
  assert.equal(chooser.mode, "reuse");
});

Deno.test("ConnectionChooser: a delayed-ACK stall on reuse moves every later request to fresh connections", () => {
  const switches: ConnectionSwitch[] = [];
  const chooser = new ConnectionChooser("auto", (change) => switches.push(change));
  // The first request opens the connection (no stall), the rest stall 40 ms; fresh ones take 1 ms.
  const modes = drive(chooser, 100, (mode, i) => mode === "fresh" ? 1 : i === 0 ? 1 : 40);
  assert.equal(switches.length, 1);
  const { afterRequests, reuseMs, freshMs } = switches[0];
  assert.equal(reuseMs, 40);
  assert.equal(freshMs, 1);
  // Watching (PROBE_ANSWERS on reuse), then alternating PROBE_ANSWERS of each, then fresh only.
  assert.equal(afterRequests, PROBE_ANSWERS * 3);
  assert.deepEqual(modes.slice(0, PROBE_ANSWERS), Array(PROBE_ANSWERS).fill("reuse"));
  const probe = modes.slice(PROBE_ANSWERS, PROBE_ANSWERS * 3);
  assert.deepEqual(probe, probe.map((_, i) => i % 2 === 0 ? "fresh" : "reuse"));
  assert.ok(modes.slice(afterRequests).every((mode) => mode === "fresh"));
  assert.equal(chooser.mode, "fresh");
});

Deno.test("ConnectionChooser: a slow server, slow on fresh connections too, keeps its connection and probes again only after a hold-off", () => {
  const switches: ConnectionSwitch[] = [];
  const chooser = new ConnectionChooser("auto", (change) => switches.push(change));
  const modes = drive(chooser, 2 * PROBE_HOLD_OFF, (mode) => mode === "fresh" ? 52 : 50);
  assert.equal(switches.length, 0);
  const fresh = modes.flatMap((mode, i) => mode === "fresh" ? [i] : []);
  // Two probes of PROBE_ANSWERS fresh requests each, the second after the hold-off.
  assert.equal(fresh.length, 2 * PROBE_ANSWERS);
  assert.ok(fresh[PROBE_ANSWERS] - fresh[PROBE_ANSWERS - 1] > PROBE_HOLD_OFF);
  assert.equal(chooser.mode, "reuse");
});

Deno.test("ConnectionChooser: a load spike that slows both modes alike is not taken for a stall", () => {
  const switches: ConnectionSwitch[] = [];
  const chooser = new ConnectionChooser("auto", (change) => switches.push(change));
  drive(chooser, 300, (_mode, i) => i < 40 ? 45 : 0.5);
  assert.equal(switches.length, 0);
  assert.equal(chooser.mode, "reuse");
});

Deno.test("ConnectionChooser: fixed policies are kept whatever the answer times", () => {
  const reuse = new ConnectionChooser("reuse");
  assert.ok(drive(reuse, 50, () => 40).every((mode) => mode === "reuse"));
  const fresh = new ConnectionChooser("fresh");
  assert.ok(drive(fresh, 50, () => 0.1).every((mode) => mode === "fresh"));
});

Deno.test("ConnectionChooser: an overloaded server, slow and noisy on both, is not taken for a stall, and probes grow rare", () => {
  const switches: ConnectionSwitch[] = [];
  const chooser = new ConnectionChooser("auto", (change) => switches.push(change));
  // Answers between 20 and 300 ms whatever the connection (a seeded generator, so it repeats).
  let state = 7;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const modes = drive(chooser, 40_000, (mode) => (mode === "fresh" ? 20 : 25) + random() * 280);
  assert.equal(switches.length, 0);
  const probes = modes.filter((mode) => mode === "fresh").length / PROBE_ANSWERS;
  assert.ok(probes <= 10, `${probes} probes`);
});
