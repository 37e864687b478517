import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { MutantJob, MutantOutcome, MutationKind } from "../support/corruption_worker.ts";
import { V3_HEADERS } from "../../lib/dataset/_column_names.ts";

// Every reader against damaged files: bit flips, truncation, zeroed runs and copied blocks, seeded,
// a few hundred mutants in all. Each read must end, within a bound, in a value or in one typed
// one-line error (what the commands print without a stack trace), and a failed open caches nothing.

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const KINDS: MutationKind[] = ["bitflip", "truncate", "zero", "copy"];
/** Mutants of each kind per file. */
const PER_KIND = 8;
/** The longest one damaged file may take to read (they are a few kB; reads take milliseconds). */
const BOUND_MS = 20_000;
/** The longest the worker may take to load its modules (h5wasm among them) on a busy machine. */
const STARTUP_MS = 120_000;

/** A CICFlowMeter-V3 CSV of the Parquet fixtures' flows, for the CSV reader's mutants. */
async function csvFixture(dir: string): Promise<string> {
  const frame = JSON.parse(await Deno.readTextFile(`${FIXTURES}parquet/flows.expected.json`));
  const header = [...V3_HEADERS, "Label"].join(",");
  const lines = frame.data.slice(0, 60).map((row: unknown[]) => row.join(","));
  const path = join(dir, "flows.csv");
  await Deno.writeTextFile(path, [header, ...lines].join("\n") + "\n");
  return path;
}

const SOURCES = [
  "compressors/table_zlib.h5",
  "compressors/table_blosc_lz4.h5",
  "compressors/table_blosc_zstd_bitshuffle.h5",
  "compressors/table_blosc_zstd.h5",
  "compressors/fixed_blosc_zlib.h5",
  "compressors/table_bzip2.h5",
  "compressors/table_lzf.h5",
  "compressors/fixed_blosc_lz4.h5",
  "compressors/table_blosc_blosclz.h5",
  "compressors/fixed_blosc_snappy.h5",
  "compressors/table_blosc_lz4hc_bitshuffle.h5",
  "compressors/fixed_lzf.h5",
  "parquet/flows_snappy.parquet",
  "parquet/flows_zstd.parquet",
  "parquet/flows_gzip.parquet",
];

/** Runs `jobs` in a worker, ending it (and failing) when one read outlasts the bound. */
function runJobs(jobs: MutantJob[]): Promise<MutantOutcome[]> {
  const worker = new Worker(new URL("../support/corruption_worker.ts", import.meta.url), {
    type: "module",
  });
  const outcomes: MutantOutcome[] = [];
  return new Promise<MutantOutcome[]>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current = -1;
    const arm = (bound: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        worker.terminate();
        const job = jobs.find((j) => j.id === current);
        reject(
          new Error(
            job === undefined
              ? `the worker did not start within ${bound} ms`
              : `reading mutant ${JSON.stringify(job)} took over ${bound} ms`,
          ),
        );
      }, bound);
    };
    worker.onmessage = (event) => {
      const message = event.data;
      if ("started" in message) {
        current = message.started;
        arm(BOUND_MS);
      } else if ("done" in message) {
        clearTimeout(timer);
        worker.terminate();
        resolve(outcomes);
      } else outcomes.push(message as MutantOutcome);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`the worker failed: ${event.message}`));
    };
    arm(STARTUP_MS);
    worker.postMessage(jobs);
  });
}

Deno.test("every reader ends each damaged file in a value or a one-line typed error, in time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlids-corruption-" });
  try {
    const sources = [...SOURCES.map((name) => FIXTURES + name), await csvFixture(dir)];
    const jobs: MutantJob[] = [];
    sources.forEach((source, s) => {
      const name = source.split("/").pop() as string;
      for (const kind of KINDS) {
        for (let k = 0; k < PER_KIND; k++) {
          jobs.push({
            id: jobs.length,
            source,
            kind,
            seed: 1000 * s + 37 * k + KINDS.indexOf(kind),
            name,
          });
        }
      }
    });
    assert.ok(jobs.length >= 300, `${jobs.length} mutants`);
    const outcomes = await runJobs(jobs);
    assert.equal(outcomes.length, jobs.length);
    const bad: string[] = [];
    const counts = { value: 0, error: 0 };
    for (const outcome of outcomes) {
      counts[outcome.ended]++;
      const job = jobs[outcome.id];
      const what = `${job.name} ${job.kind} seed ${job.seed}`;
      if (outcome.ended === "value") continue;
      if (outcome.errorClass === "untyped") bad.push(`${what}: untyped error: ${outcome.message}`);
      else if (/\n/.test(outcome.message ?? "")) {
        bad.push(`${what}: several lines: ${outcome.message}`);
      }
      if (outcome.cachedAfterFailedOpen) bad.push(`${what}: cached after a failed open`);
    }
    assert.deepEqual(bad, []);
    // Damage must be noticed at least sometimes (the mutants are not all harmless).
    assert.ok(counts.error > jobs.length / 4, JSON.stringify(counts));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
