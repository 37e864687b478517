import assert from "node:assert/strict";
import {
  formatBytes,
  formatCount,
  formatCountOf,
  formatSeconds,
  ProgressBar,
  progressQuiet,
  setProgressQuiet,
  type WritableLike,
} from "../../lib/term/progress.ts";

/** A stream that keeps what is written to it, and a clock the test moves by hand. */
function capture(): { stream: WritableLike; text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    stream: {
      writeSync(bytes: Uint8Array): number {
        chunks.push(bytes.slice());
        return bytes.length;
      },
    },
    text: () => chunks.map((chunk) => new TextDecoder().decode(chunk)).join(""),
  };
}

function clock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

Deno.test("progress: formats bytes, counts and durations", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(205 * 1024 * 1024), "205.0 MiB");
  assert.equal(formatBytes(1.5 * 1024 ** 3), "1.50 GiB");
  assert.equal(formatCount(1612345), "1,612,345");
  assert.equal(formatCount(999), "999");
  assert.equal(formatCountOf(1, "flow"), "1 flow");
  assert.equal(formatCountOf(0, "flow"), "0 flows");
  assert.equal(formatCountOf(1200, "flow"), "1,200 flows");
  assert.equal(formatCountOf(2, "batch", "batches"), "2 batches");
  assert.equal(formatSeconds(5), "0:05");
  assert.equal(formatSeconds(754), "12:34");
  assert.equal(formatSeconds(3_725), "1:02:05");
  assert.equal(formatSeconds(Infinity), "--:--");
});

Deno.test("progress: a line shows done/total, percent, rate and ETA from the injected clock", () => {
  const out = capture();
  const time = clock();
  const bar = new ProgressBar("test.h5", 100 * 1024 * 1024, {
    unit: "bytes",
    stream: out.stream,
    isTerminal: false,
    now: time.now,
  });
  time.advance(10_000);
  bar.update(25 * 1024 * 1024);
  // 25 MiB in 10 s is 2.5 MiB/s; the 75 MiB left take 30 s.
  assert.equal(bar.line(), "test.h5: 25.0 MiB / 100.0 MiB 25% 2.50 MiB/s ETA 0:30");
  assert.equal(out.text(), "test.h5: started, 100.0 MiB in all\n");
  time.advance(30_000);
  bar.update(100 * 1024 * 1024);
  bar.finish();
  assert.match(out.text(), /test\.h5: 100\.0 MiB in 0:40 \(2\.50 MiB\/s\)\n$/);
});

Deno.test("progress: items are counted with separators, unknown rate shows --:--", () => {
  const time = clock();
  const bar = new ProgressBar("rows", 1_600_000, {
    stream: capture().stream,
    isTerminal: false,
    now: time.now,
  });
  assert.equal(bar.line(), "rows: 0 / 1,600,000 0% --/s ETA --:--");
  time.advance(2_000);
  bar.update(400_000);
  assert.equal(bar.line(), "rows: 400,000 / 1,600,000 25% 200,000/s ETA 0:06");
});

Deno.test("progress: off a terminal, 100,000 updates print one line at the start and one at the end", () => {
  const out = capture();
  const time = clock();
  const bar = new ProgressBar("download", 100_000, {
    unit: "bytes",
    stream: out.stream,
    isTerminal: false,
    now: time.now,
  });
  for (let i = 1; i <= 100_000; i++) {
    time.advance(1);
    bar.tick();
  }
  bar.finish();
  const lines = out.text().trimEnd().split("\n");
  assert.deepEqual(lines, [
    "download: started, 97.7 KiB in all",
    "download: 97.7 KiB in 1:40 (1000 B/s)",
  ]);
});

Deno.test("progress: quiet writes nothing, on a terminal or not; setProgressQuiet sets the default", () => {
  for (const isTerminal of [true, false]) {
    const out = capture();
    const bar = new ProgressBar("x", 10, { stream: out.stream, isTerminal, quiet: true });
    bar.update(5);
    bar.finish();
    assert.equal(out.text(), "", `isTerminal ${isTerminal}`);
  }
  assert.equal(progressQuiet(), false);
  setProgressQuiet(true);
  try {
    assert.equal(progressQuiet(), true);
    const out = capture();
    const bar = new ProgressBar("x", 10, { stream: out.stream, isTerminal: false });
    bar.tick(10);
    bar.finish();
    assert.equal(out.text(), "");
    assert.equal(bar.done, 10, "counts on while silent");
  } finally {
    setProgressQuiet(false);
  }
});

Deno.test("progress: on a terminal it redraws in place at most every 100 ms", () => {
  const out = capture();
  const time = clock();
  const bar = new ProgressBar("send", 1_000, {
    stream: out.stream,
    isTerminal: true,
    now: time.now,
    columns: 200,
  });
  for (let i = 1; i <= 1_000; i++) {
    time.advance(1); // 1 s in all: about 10 redraws, plus the last one at 100 %
    bar.tick();
  }
  bar.finish("sent 1,000 rows");
  const text = out.text();
  const redraws = text.split("\r\x1b[2K").length - 1;
  assert.ok(redraws >= 10 && redraws <= 12, `redraws: ${redraws}`);
  assert.ok(text.includes("[########################] 1,000 / 1,000 100%"));
  assert.ok(text.endsWith("\r\x1b[2Ksend: sent 1,000 rows\n"));
  assert.equal(text.split("\n").length, 2, "one newline only, at the end");
});

Deno.test("progress: clear() erases the terminal line and later calls write nothing", () => {
  const out = capture();
  const time = clock();
  const bar = new ProgressBar("x", 10, { stream: out.stream, isTerminal: true, now: time.now });
  bar.update(5);
  bar.clear();
  const before = out.text();
  assert.ok(before.endsWith("\r\x1b[2K"));
  bar.update(10);
  bar.finish();
  assert.equal(out.text(), before);
});

Deno.test("progress: labels cannot inject terminal escapes", () => {
  const out = capture();
  const bar = new ProgressBar("evil\x1b]0;title\x07", 1, { stream: out.stream, isTerminal: false });
  bar.finish("done");
  assert.ok(!out.text().includes("\x1b"));
  assert.ok(out.text().endsWith("evil\\x1b]0;title\\x07: done\n"));
});
