import assert from "node:assert/strict";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type Emulator, withEmulator } from "../../dev/emulator.ts";
import { mlidsCommand, REPO_ROOT } from "../../dev/run_mlids.ts";
import { listFiles } from "../support/files.ts";
import { runDatasetSample } from "../../commands/dataset.ts";
import { stalledDownload, startProxy } from "../support/s3_proxy.ts";
import { waitUntil } from "../support/wait.ts";

const FIXTURES = join(REPO_ROOT, "tests", "fixtures");
const TABLE = join(FIXTURES, "table_zlib.h5");
const EXPECTED = JSON.parse(await Deno.readTextFile(join(FIXTURES, "table_zlib.expected.json")));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Files left in the run's cache directory. */
  cached: string[];
}

/** Runs mlids (baked permissions, no terminal) with a cache of its own. */
async function mlids(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-dataset-cmd-" });
  try {
    const out = await (await mlidsCommand(args, {
      env: { XDG_CACHE_HOME: cache, NO_COLOR: "1", COLUMNS: "100", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
      cached: await listFiles(cache),
    };
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/**
 * Runs `body` with an emulator whose S3 holds `objects` (s3:// URI to bytes; their buckets and
 * `buckets` created), and stops it afterwards, whatever happens.
 */
async function withS3(
  options: { objects?: Record<string, Uint8Array>; buckets?: string[] },
  body: (emulator: Emulator) => Promise<void>,
): Promise<void> {
  await withEmulator(async (emulator) => {
    const buckets = new Set(options.buckets);
    const puts = Object.entries(options.objects ?? {}).map(([uri, bytes]) => {
      const { host: bucket, pathname } = new URL(uri);
      buckets.add(bucket);
      return { Bucket: bucket, Key: pathname.slice(1), Body: bytes };
    });
    for (const bucket of buckets) {
      await emulator.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    for (const put of puts) await emulator.s3.send(new PutObjectCommand(put));
    await body(emulator);
  });
}

function assertBadInput(
  run: Run,
  mentions: RegExp,
  options: { datasetIsFine?: boolean } = {},
): void {
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.split("\n").filter((line) => line.trim() !== "");
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], mentions);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  assert.equal(run.stdout, "");
  if (options.datasetIsFine) {
    // The dataset itself was fine, so its index may be cached; nothing else may be.
    const cacheEntry = /\/index\/[0-9a-f]+\.(idx|rows\/(\d+\.rows|manifest\.json))$/;
    assert.ok(run.cached.every((file) => cacheEntry.test(file)), run.cached.join());
  } else {
    assert.deepEqual(run.cached, [], "nothing left in the cache");
  }
}

Deno.test("dataset info --output json: rows, columns with dtypes, labels in value_counts order", async () => {
  const run = await mlids(["dataset", "info", TABLE, "--output", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const alias = await mlids(["dataset", "info", TABLE, "--json"]);
  assert.equal(alias.stdout, run.stdout, "--json is the old spelling of --output json");
  const info = JSON.parse(run.stdout);
  assert.equal(info.format, "pandas-table");
  assert.equal(info.compression, "zlib+shuffle");
  assert.equal(info.key, "ids_data");
  assert.equal(info.rows, EXPECTED.data.length);
  assert.deepEqual(info.columns.map((c: { name: string }) => c.name), EXPECTED.columns);
  assert.deepEqual(
    Object.fromEntries(info.columns.map((c: { name: string; dtype: string }) => [c.name, c.dtype])),
    EXPECTED.dtypes,
  );
  const labelAt = EXPECTED.columns.indexOf("label");
  const counts = new Map<string, number>();
  for (const row of EXPECTED.data) counts.set(row[labelAt], (counts.get(row[labelAt]) ?? 0) + 1);
  assert.deepEqual(
    info.labels.map((l: { name: string; count: number }) => [l.name, l.count]),
    [...counts].sort((a, b) => b[1] - a[1]),
  );
  assert.equal(info.label_column, "label");
});

Deno.test("dataset info: the human view names format, rows and every category", async () => {
  const run = await mlids(["dataset", "info", TABLE]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /format\s+pandas HDF5, table format, key 'ids_data', compression zlib\+shuffle/,
  );
  assert.match(run.stdout, /rows\s+300/);
  assert.ok(run.stdout.includes("Angriff – Überlast ✓"));
  assert.ok(!run.stdout.includes("\x1b["), "no colour when not a terminal");
});

Deno.test("dataset sample: jsonl rows of the category with index, repeatable with a seed", async () => {
  const args = ["dataset", "sample", TABLE, "--category", "bot", "--count", "5", "--seed", "42"];
  const first = await mlids([...args, "--output", "jsonl"]);
  assert.equal(first.code, 0, first.stderr);
  const flows = first.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(flows.length, 5);
  const indexAt = new Map<number, number>(
    EXPECTED.index.map((value: number, i: number) => [value, i]),
  );
  for (const flow of flows) {
    assert.equal(flow.label, "Bot");
    const row = EXPECTED.data[indexAt.get(flow.index)!];
    assert.equal(flow.dst_port, row[0]);
    assert.equal(flow.timestamp, row[2]);
  }
  assert.equal(new Set(flows.map((f) => f.index)).size, 5, "without replacement");
  const again = await mlids([...args, "--format", "jsonl"]);
  assert.equal(again.stdout, first.stdout);
  assert.match(first.stderr, /wrote 5 flows of 'Bot' \(seed 42\)/);
});

Deno.test("dataset sample: split is the API's request body, label only with --with-label", async () => {
  const run = await mlids(["dataset", "sample", TABLE, "--random", "--count", "3", "--seed", "1"]);
  assert.equal(run.code, 0, run.stderr);
  const body = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(body), ["columns", "data"]);
  assert.deepEqual(body.columns, EXPECTED.columns.filter((c: string) => c !== "label"));
  assert.equal(body.data.length, 3);
  const labelled = await mlids(["dataset", "sample", TABLE, "--count", "3", "--with-label"]);
  assert.ok(JSON.parse(labelled.stdout).columns.includes("label"));
});

Deno.test("dataset sample: csv of every flow of a category with --count all (or --all)", async () => {
  const run = await mlids([
    "dataset",
    "sample",
    TABLE,
    "--category",
    "Bot",
    "--count",
    "all",
    "--output",
    "csv",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines[0], EXPECTED.columns.join(","));
  assert.equal(lines.length, 1 + 37);
  // The old spellings stay as aliases: --all and --format.
  const old = await mlids([
    "dataset",
    "sample",
    TABLE,
    "--category",
    "Bot",
    "--all",
    "--format",
    "csv",
  ]);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(old.stdout.trimEnd().split("\n").length, 1 + 37);
});

Deno.test("dataset sample: --count all keeps dataset order, of a category and of every flow", async () => {
  const labelAt = EXPECTED.columns.indexOf("label");
  const botRows = EXPECTED.data.flatMap((row: unknown[], i: number) =>
    row[labelAt] === "Bot" ? [i] : []
  );
  const args = ["dataset", "sample", TABLE, "--category", "Bot", "--all", "--output", "jsonl"];
  const bot = await mlids(args);
  assert.equal(bot.code, 0, bot.stderr);
  const flows = bot.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(flows.map((flow) => flow.index), botRows.map((i: number) => EXPECTED.index[i]));
  assert.match(bot.stderr, /wrote 37 flows of 'Bot' in dataset order/);
  // The same flows whatever the seed: nothing random about "all".
  const seeded = await mlids([...args, "--seed", "9"]);
  assert.equal(seeded.stdout, bot.stdout);

  const every = await mlids(["dataset", "sample", TABLE, "--count", "all", "--with-label"]);
  assert.equal(every.code, 0, every.stderr);
  const body = JSON.parse(every.stdout);
  assert.deepEqual(body.columns, EXPECTED.columns);
  assert.equal(body.data.length, EXPECTED.data.length);
  // In dataset order: the dst_port and label of each row as pd.read_hdf gives them.
  body.data.forEach((row: unknown[], i: number) => {
    assert.equal(row[0], EXPECTED.data[i][0], `dst_port of row ${i}`);
    assert.equal(row[labelAt], EXPECTED.data[i][labelAt], `label of row ${i}`);
  });
  const csv = await mlids(["dataset", "sample", TABLE, "--all", "--output", "csv"]);
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 1 + EXPECTED.data.length);
  assert.deepEqual(
    lines.slice(1).map((line) => Number(line.split(",")[0])),
    EXPECTED.data.map((
      row: unknown[],
    ) => row[0]),
  );
});

Deno.test("dataset sample: a CSV's numbers are written as pandas read them, shortest digits", async () => {
  const csv = join(FIXTURES, "csv_v3.csv");
  const expected = JSON.parse(
    await Deno.readTextFile(join(FIXTURES, "csv_v3.expected.json")),
    (_key, value, context?: { source?: string }) =>
      typeof value === "number" ? { raw: context?.source ?? String(value) } : value,
  );
  /** JSON with every number kept as its text. */
  const parseExact = (text: string) =>
    JSON.parse(
      text,
      (_key, value, context?: { source?: string }) =>
        typeof value === "number" ? { raw: context?.source ?? String(value) } : value,
    );
  /** Whether a written number (text) is the value pandas read (cell of the expected JSON). */
  const same = (written: { raw: string } | null, want: { raw: string } | string): boolean => {
    if (typeof want === "string") return written === null; // NaN and infinities are null in JSON
    if (written === null) return false;
    return /[.eE]/.test(want.raw) || /[.eE]/.test(written.raw)
      ? Object.is(Number(written.raw), Number(want.raw))
      : BigInt(written.raw) === BigInt(want.raw);
  };
  const headers: string[] = expected.columns;
  const { idsColumnName } = await import("../../lib/dataset/_column_names.ts");
  const jsonl = await mlids(["dataset", "sample", csv, "--all", "--output", "jsonl"]);
  assert.equal(jsonl.code, 0, jsonl.stderr);
  const flows = jsonl.stdout.trimEnd().split("\n").map(parseExact);
  assert.equal(flows.length, expected.data.length);
  flows.forEach((flow: Record<string, { raw: string } | string | null>, row: number) => {
    headers.forEach((header, at) => {
      const name = idsColumnName(header) as string;
      const want = expected.data[row][at];
      if (expected.dtypes[header] === "object") assert.equal(flow[name], want, name);
      else assert.ok(same(flow[name] as { raw: string } | null, want), `${name} of row ${row}`);
    });
  });
  // The values the issue names, digit for digit.
  assert.match(jsonl.stdout, /"flow_byts_s":509520\.62,/);
  assert.match(jsonl.stdout, /"flow_byts_s":1711121\.2,/);
  assert.match(jsonl.stdout, /"idle_max":18446744073709551615,/);

  const split = await mlids(["dataset", "sample", csv, "--all"]);
  const body = parseExact(split.stdout);
  assert.equal(body.data.length, expected.data.length);
  body.columns.forEach((name: string, c: number) => {
    const at = headers.findIndex((header) => idsColumnName(header) === name);
    const text = expected.dtypes[headers[at]] === "object";
    body.data.forEach((row: ({ raw: string } | string | null)[], i: number) => {
      const want = expected.data[i][at];
      const where = `${name} of row ${i} in the request body`;
      if (text) assert.equal(row[c], want, where);
      else assert.ok(same(row[c] as { raw: string } | null, want), where);
    });
  });
  const text = await mlids(["dataset", "sample", csv, "--all", "--output", "csv"]);
  const line5 = text.stdout.split("\n")[6].split(",");
  const header = text.stdout.split("\n")[0].split(",");
  assert.equal(line5[header.indexOf("flow_byts_s")], "509520.62");
});

Deno.test("dataset sample: --count takes decimal digits or 'all', nothing else", async () => {
  for (const count of ["0x10", "1e3", "2.5", "-1", "0"]) {
    const run = await mlids(["dataset", "sample", TABLE, "--count", count]);
    assertBadInput(run, new RegExp(`--count must be a whole number of 1 or more.*'${count}'`));
  }
  const both = await mlids(["dataset", "sample", TABLE, "--count", "3", "--all"]);
  assertBadInput(both, /--count and --all exclude each other/);
});

Deno.test("dataset sample: an unknown category is an error listing the known ones", async () => {
  const run = await mlids(["dataset", "sample", TABLE, "--category", "Nope"]);
  assertBadInput(run, /no category 'Nope'.*'Benign'.*'Bot'/, { datasetIsFine: true });
  const both = await mlids(["dataset", "sample", TABLE, "--category", "Bot", "--random"]);
  assertBadInput(both, /--category and --random/);
});

Deno.test("dataset: bad input gets one line, exit 2, nothing cached", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "mlids-bad-input-" });
  try {
    const truncated = join(work, "truncated.h5");
    await Deno.writeFile(truncated, (await Deno.readFile(TABLE)).subarray(0, 4000));
    const binary = join(work, "picture.png");
    await Deno.writeFile(binary, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3]));
    const csv = join(work, "flows.csv");
    await Deno.writeTextFile(csv, "Dst Port,Protocol,Label\n80,6,Benign\n");
    const cases: [string, string[], RegExp][] = [
      ["a missing file", [join(work, "missing.h5")], /missing\.h5.*does not exist/],
      ["a directory", [work], /is a directory/],
      ["a truncated HDF5 file", [truncated], /truncated\.h5/],
      [
        "a file that is not HDF5",
        [binary],
        /picture\.png.*neither a pandas HDF5 file, a Parquet file nor/,
      ],
      ["HDF5 without pandas data", [join(FIXTURES, "no_pandas.h5")], /no_pandas\.h5/],
      [
        "a file with no rows",
        [join(FIXTURES, "empty_table.h5")],
        /empty_table\.h5.*(no rows|empty)/,
      ],
      ["an unknown key", [TABLE, "--key", "nope"], /nope.*ids_data/],
      [
        "an unsupported filter",
        [join(FIXTURES, "compressors", "table_lzo.h5")],
        /lzo.*complib="blosc:lz4"/,
      ],
      [
        "a malicious pickle",
        [join(FIXTURES, "malicious_pickle.h5")],
        /malicious_pickle\.h5.*(system|may run code)/,
      ],
      ["a CSV without the expected columns", [csv], /flows\.csv.*(missing|lacks)/],
    ];
    for (const [what, args, mentions] of cases) {
      await t.step(what, async () => {
        assertBadInput(await mlids(["dataset", "info", ...args]), mentions);
      });
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("dataset: a truncated, corrupt or incomplete CSV gets one line, exit 2, nothing cached", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "mlids-bad-csv-" });
  try {
    const good = await Deno.readTextFile(join(FIXTURES, "csv_v3.csv"));
    const write = async (name: string, text: string): Promise<string> => {
      await Deno.writeTextFile(join(work, name), text);
      return join(work, name);
    };
    // Cut inside a quoted field: pandas says "EOF inside string".
    const quoteAt = good.indexOf('"flow, with a comma"');
    const truncated = await write("truncated.csv", good.slice(0, quoteAt + 8));
    const lines = good.split("\n");
    // Bytes gone bad past the first 8 KiB (which would make it a binary file): a NUL in a number.
    const bad = lines.slice();
    bad[180] = bad[180].replace(/,(\d+),/, ",4\u00002,");
    const corrupt = await write("corrupt.csv", bad.join("\n"));
    lines[150] = `${lines[150]},surplus,fields`;
    const ragged = await write("ragged.csv", lines.join("\n"));
    const header = lines[0].split(",");
    const missing = await write(
      "missing.csv",
      lines.map((line) => line.split(",").slice(0, header.indexOf("Idle Max")).join(",")).join(
        "\n",
      ),
    );
    const cases: [string, string, RegExp][] = [
      ["a CSV cut inside a quoted field", truncated, /truncated\.csv: line 3 opens a quoted/],
      ["a CSV with corrupt bytes in a number", corrupt, /corrupt\.csv: column .*, line 181: '4/],
      ["a CSV with a row of too many fields", ragged, /ragged\.csv: line 151 has 86 fields/],
      ["a CSV lacking feature columns", missing, /missing\.csv: lacks 2 of the 79 .*idle_max/],
    ];
    for (const [what, path, mentions] of cases) {
      await t.step(what, async () => {
        assertBadInput(await mlids(["dataset", "info", path]), mentions);
        assertBadInput(await mlids(["dataset", "sample", path, "--all"]), mentions);
      });
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("dataset: an S3 object that does not exist is exit 2 with nothing cached (fauxqs)", async () => {
  await withS3({ buckets: ["ml-ids-2018-full"] }, async (emulator) => {
    const run = await mlids(["dataset", "info", "s3://ml-ids-2018-full/testing/missing.h5"], {
      AWS_ENDPOINT_URL: emulator.endpoint,
    });
    assertBadInput(run, /s3:\/\/ml-ids-2018-full\/testing\/missing\.h5/);
  });
});

Deno.test("dataset: a download with stderr redirected writes a start and an end line, none with --quiet", async () => {
  const uri = "s3://ml-ids-2018-full/testing/test.h5";
  const demo = await Deno.readFile(join(REPO_ROOT, "dev", "demo_data", "ml-ids-demo.h5"));
  await withS3({ objects: { [uri]: demo } }, async (emulator) => {
    const env = { AWS_ENDPOINT_URL: emulator.endpoint };
    const run = await mlids(["dataset", "info", uri, "--output", "json"], env);
    assert.equal(run.code, 0, run.stderr);
    const progress = run.stderr.split("\n").filter((line) => line.startsWith("test.h5:"));
    assert.deepEqual(
      progress.map((line) => line.replace(/[\d.]+ KiB.*/, "N")),
      ["test.h5: started, N", "test.h5: N"],
      run.stderr,
    );
    assert.ok(!run.stderr.includes("\r") && !run.stderr.includes("\x1b"), run.stderr);
    const quiet = await mlids(["dataset", "info", uri, "--output", "json", "--quiet"], env);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, "");
    assert.equal(quiet.stdout, run.stdout);
  });
});

Deno.test("dataset info: a Parquet file (from S3, fauxqs) shows its row groups and codec", async () => {
  const parquet = join(FIXTURES, "parquet", "flows_zstd.parquet");
  const s3Uri = "s3://cse-cic-ids2018/cleaned/Friday-02-03-2018.parquet";
  await withS3({ objects: { [s3Uri]: await Deno.readFile(parquet) } }, async (emulator) => {
    for (const uri of [parquet, s3Uri]) {
      const run = await mlids(["dataset", "info", uri], { AWS_ENDPOINT_URL: emulator.endpoint });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /format\s+Parquet, 3 row groups, compression zstd/);
      assert.match(run.stdout, /rows\s+150/);
      const json = await mlids(["dataset", "info", uri, "--output", "json"], {
        AWS_ENDPOINT_URL: emulator.endpoint,
      });
      assert.equal(json.code, 0, json.stderr);
      const summary = JSON.parse(json.stdout);
      assert.equal(summary.format, "parquet");
      assert.equal(summary.row_groups, 3);
      assert.equal(summary.columns.length, 80);
    }
  });
});

Deno.test("mlids --version prints the version in deno.json; unknown flags are exit 2", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  const version = await mlids(["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), config.version);
  const unknown = await mlids(["dataset", "info", TABLE, "--bogus"]);
  assertBadInput(unknown, /unknown option '--bogus'.*mlids dataset info --help/);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name: `dataset: ${signal} during an S3 download exits 130 and leaves no .part file`,
    ignore: Deno.build.os === "windows",
    async fn() {
      const uri = "s3://ml-ids-2018-full/testing/test.h5";
      await withS3({ objects: { [uri]: new Uint8Array(100_000) } }, async (emulator) => {
        const proxy = startProxy(emulator.endpoint);
        const stalled = stalledDownload(50_000, 100_000);
        proxy.fault = stalled.fault;
        const cache = await Deno.makeTempDir({ prefix: "mlids-dataset-signal-" });
        let child: Deno.ChildProcess | undefined;
        try {
          child = (await mlidsCommand(["dataset", "info", uri], {
            env: { XDG_CACHE_HOME: cache, NO_COLOR: "1", AWS_ENDPOINT_URL: proxy.endpoint },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          })).spawn();
          // The download is under way once its .part file has the first half of the body.
          await waitUntil(async () => {
            const part = (await listFiles(cache)).find((path) => path.endsWith(".part"));
            return part !== undefined && (await Deno.stat(part)).size >= 50_000;
          }, "the download to be under way");
          child.kill(signal);
          const out = await child.output();
          const stderr = new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 130, stderr);
          assert.match(
            stderr,
            /^error: the download of s3:\/\/ml-ids-2018-full\/testing\/test\.h5 was interrupted; nothing was kept/m,
          );
          assert.deepEqual(await listFiles(cache), []);
        } finally {
          stalled.release();
          try {
            child?.kill("SIGKILL");
          } catch {
            // Already exited.
          }
          await proxy.stop();
          await Deno.remove(cache, { recursive: true });
        }
      });
    },
  });
}

Deno.test("dataset sample: asking more random flows than exist says how many the dataset has, in words", async () => {
  const notices: string[] = [];
  let written = "";
  const cache = await Deno.makeTempDir({ prefix: "mlids-dataset-more-" });
  const saved = Deno.env.get("XDG_CACHE_HOME");
  try {
    Deno.env.set("XDG_CACHE_HOME", cache);
    const io = {
      write: (text: string) => {
        written += text;
        return Promise.resolve(true);
      },
      notice: (line: string) => void notices.push(line),
    };
    await runDatasetSample(TABLE, { random: true, count: 1000, output: "csv" }, io);
    await runDatasetSample(TABLE, { category: "Bot", count: 1000, output: "csv" }, io);
  } finally {
    if (saved === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", saved);
    await Deno.remove(cache, { recursive: true });
  }
  assert.equal(written.trimEnd().split("\n").length > 300, true);
  assert.ok(notices.every((line) => !line.includes("null")), notices.join("\n"));
  assert.ok(notices.includes("only 300 flows in the dataset; writing 300"), notices.join("\n"));
  assert.ok(
    notices.some((line) => /^only \d+ flows of 'Bot' exist; writing \d+$/.test(line)),
    notices.join("\n"),
  );
});
