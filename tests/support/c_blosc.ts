/**
 * c-blosc itself (Debian's libblosc1, the library PyTables reads blosc with), called through
 * Python's ctypes: the reference the blosc decoder's tests compare with. It writes frames with
 * every codec, shuffle and split mode, and says how it decodes each frame, with its return code
 * (which the wasm build mlids used before dropped).
 * @module
 */

const PYTHON = "/usr/bin/python3";

const SCRIPT = `
import ctypes, struct, sys
lib = ctypes.CDLL("libblosc.so.1")
lib.blosc_init()
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
at = 0
mode = data[0]
at = 1
while at < len(data):
    if mode == 0:  # decompress: [expected u32][length u32][frame]
        expected, length = struct.unpack_from("<II", data, at)
        at += 8
        frame = data[at:at + length]
        at += length
        dest = ctypes.create_string_buffer(expected + 1)
        rc = lib.blosc_decompress_ctx(frame, dest, ctypes.c_size_t(expected), 1)
        body = dest.raw[:rc] if rc > 0 else b""
        out.write(struct.pack("<iI", rc, len(body)) + body)
    else:  # compress: [clevel u8][shuffle u8][typesize u8][codec u8][splitmode u8][blocksize u32][length u32][data]
        clevel, shuffle, typesize, codec, split, blocksize, length = struct.unpack_from("<BBBBBII", data, at)
        at += 13
        src = data[at:at + length]
        at += length
        lib.blosc_set_splitmode(split)
        dest = ctypes.create_string_buffer(length + 16)
        names = [b"blosclz", b"lz4", b"lz4hc", b"snappy", b"zlib", b"zstd"]
        rc = lib.blosc_compress_ctx(clevel, shuffle, ctypes.c_size_t(typesize), ctypes.c_size_t(length),
                                    src, dest, ctypes.c_size_t(length + 16), names[codec],
                                    ctypes.c_size_t(blocksize), 1)
        body = dest.raw[:rc] if rc > 0 else b""
        out.write(struct.pack("<iI", rc, len(body)) + body)
`;

/** Whether c-blosc can be called here (CI installs libblosc1; tests that need it are ignored otherwise). */
export const cBloscPresent: boolean = await (async () => {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", 'import ctypes; ctypes.CDLL("libblosc.so.1")'],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.code === 0;
  } catch {
    return false;
  }
})();

/** The codecs, as c-blosc's compressor names them, in the order `CompressJob.codec` counts them. */
export const C_BLOSC_CODECS = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"] as const;

/** One buffer for c-blosc to compress, and how. */
export interface CompressJob {
  readonly data: Uint8Array;
  /** An index into {@linkcode C_BLOSC_CODECS}. */
  readonly codec: number;
  /** 0 none, 1 byte shuffle, 2 bitshuffle. */
  readonly shuffle: number;
  readonly typesize: number;
  readonly clevel: number;
  /** c-blosc's split mode: 1 always, 2 never, 4 its default (forward compatible). */
  readonly splitMode: number;
  /** 0 lets c-blosc choose. */
  readonly blocksize: number;
}

/** How c-blosc decoded a frame: its return code and the bytes it wrote (none for an error). */
export interface CBloscResult {
  readonly code: number;
  readonly bytes: Uint8Array;
}

async function run(mode: number, records: Uint8Array[]): Promise<CBloscResult[]> {
  const input = new Uint8Array(1 + records.reduce((sum, r) => sum + r.length, 0));
  input[0] = mode;
  let at = 1;
  for (const record of records) {
    input.set(record, at);
    at += record.length;
  }
  const child = new Deno.Command(PYTHON, {
    args: ["-c", SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const [, out] = await Promise.all([
    writer.write(input).then(() => writer.close()),
    child.output(),
  ]);
  if (out.code !== 0) {
    throw new Error(`c-blosc (python) failed: ${new TextDecoder().decode(out.stderr).slice(-400)}`);
  }
  const results: CBloscResult[] = [];
  const view = new DataView(out.stdout.buffer, out.stdout.byteOffset, out.stdout.byteLength);
  for (let p = 0; p < out.stdout.length;) {
    const code = view.getInt32(p, true);
    const length = view.getUint32(p + 4, true);
    results.push({ code, bytes: out.stdout.slice(p + 8, p + 8 + length) });
    p += 8 + length;
  }
  if (results.length !== records.length) throw new Error("c-blosc answered the wrong count");
  return results;
}

/** The frames c-blosc writes for `jobs` (its destination has room for a stored frame). */
export async function cBloscCompress(jobs: readonly CompressJob[]): Promise<Uint8Array[]> {
  const records = jobs.map((job) => {
    const record = new Uint8Array(13 + job.data.length);
    const view = new DataView(record.buffer);
    record.set([job.clevel, job.shuffle, job.typesize, job.codec, job.splitMode]);
    view.setUint32(5, job.blocksize, true);
    view.setUint32(9, job.data.length, true);
    record.set(job.data, 13);
    return record;
  });
  const results = await run(1, records);
  return results.map((result, i) => {
    if (result.code <= 0) throw new Error(`c-blosc could not compress job ${i}: ${result.code}`);
    return result.bytes;
  });
}

/** c-blosc's `blosc_decompress_ctx` of each frame into a buffer of `expected` bytes. */
export function cBloscDecompress(
  frames: readonly { frame: Uint8Array; expected: number }[],
): Promise<CBloscResult[]> {
  return run(
    0,
    frames.map(({ frame, expected }) => {
      const record = new Uint8Array(8 + frame.length);
      const view = new DataView(record.buffer);
      view.setUint32(0, expected, true);
      view.setUint32(4, frame.length, true);
      record.set(frame, 8);
      return record;
    }),
  );
}
