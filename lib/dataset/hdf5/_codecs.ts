/**
 * Decoders of the HDF5 compression filters that pandas (PyTables) and h5py write beyond zlib:
 * blosc with every codec and shuffle (`_blosc.ts`: checked as c-blosc checks it), bzip2
 * (`seek-bzip`, loaded only when a file needs it) and lzf. lzo is refused by name: no maintained
 * JavaScript decoder of it is known.
 * @module
 */

import { decodeBlosc } from "./_blosc.ts";

/** HDF5 filter ids of the compressors decoded here. */
const FILTER_BZIP2 = 307;
const FILTER_LZF = 32000;
export const FILTER_BLOSC = 32001;
export const FILTER_LZO = 305;

/** Filter ids decoded by {@linkcode loadFilterCodecs}. */
export const CODEC_FILTERS: ReadonlySet<number> = new Set([FILTER_BZIP2, FILTER_LZF, FILTER_BLOSC]);

/** blosc's compressor codes (the 7th value of PyTables' blosc filter, and the header's flags). */
const BLOSC_CODECS = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"];

/** Decodes one filter's output back to its input; throws a plain Error completing "the chunk ...". */
export type FilterDecoder = (data: Uint8Array, expected: number) => Promise<Uint8Array>;

/** The decoders of the codec filters among `ids` (bzip2's is loaded once per process). */
export async function loadFilterCodecs(
  ids: readonly number[],
): Promise<ReadonlyMap<number, FilterDecoder>> {
  const codecs = new Map<number, FilterDecoder>();
  for (const id of new Set(ids)) {
    if (id === FILTER_BLOSC) {
      codecs.set(id, (data, expected) => Promise.resolve(decodeBlosc(data, expected)));
    } else if (id === FILTER_BZIP2) codecs.set(id, await bzip2Decoder());
    else if (id === FILTER_LZF) {
      codecs.set(id, (data, expected) => Promise.resolve(lzf(data, expected)));
    }
  }
  return codecs;
}

/** "blosc:lz4" from a PyTables blosc filter's client data, or "blosc" when it does not say. */
export function bloscName(clientData: readonly number[]): string {
  const codec = BLOSC_CODECS[clientData[6] ?? -1];
  return codec === undefined ? "blosc" : `blosc:${codec}`;
}

/** blosc's shuffle in a PyTables blosc filter's client data: "shuffle", "bitshuffle" or null. */
export function bloscShuffle(clientData: readonly number[]): string | null {
  const shuffle = clientData[5];
  return shuffle === 1 ? "shuffle" : shuffle === 2 ? "bitshuffle" : null;
}

interface Bunzip {
  decode(input: Uint8Array, output: Uint8Array): Uint8Array;
}

let bunzip: Promise<Bunzip> | undefined;

async function bzip2Decoder(): Promise<FilterDecoder> {
  bunzip ??= import("seek-bzip").then((module) =>
    ((module as { default?: unknown }).default ?? module) as Bunzip
  );
  const decoder = await bunzip;
  return (data, expected) => {
    // A fixed output of the expected size: seek-bzip then refuses more or fewer bytes.
    const out = new Uint8Array(expected);
    try {
      decoder.decode(data, out);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return Promise.reject(new Error(`does not decompress as bzip2 (${text})`));
    }
    return Promise.resolve(out);
  };
}

/**
 * liblzf's decompressor (lzf_d.c), as h5py's lzf filter calls it. Hand-written: the one npm port
 * (lzfjs, unmaintained) builds a JavaScript array and returns a deprecated `Buffer`; this writes
 * into the chunk-sized output and checks every reference against both buffers.
 */
function lzf(data: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let ip = 0;
  let op = 0;
  const end = data.length;
  while (ip < end) {
    let ctrl = data[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > end) throw new Error("is lzf data cut short (a literal run overruns it)");
      if (op + run > expected) throw new Error(`decompresses (lzf) to more than ${expected} bytes`);
      out.set(data.subarray(ip, ip + run), op);
      ip += run;
      op += run;
    } else {
      let length = ctrl >> 5;
      if (ip >= end) throw new Error("is lzf data cut short (a back reference overruns it)");
      if (length === 7) {
        length += data[ip++];
        if (ip >= end) throw new Error("is lzf data cut short (a back reference overruns it)");
      }
      ctrl = ((ctrl & 0x1f) << 8) + data[ip++];
      let ref = op - ctrl - 1;
      length += 2;
      if (ref < 0) throw new Error("is damaged lzf data (a reference before the start)");
      if (op + length > expected) {
        throw new Error(`decompresses (lzf) to more than ${expected} bytes`);
      }
      // Overlapping copies repeat bytes: byte by byte, as liblzf does.
      for (let k = 0; k < length; k++) out[op++] = out[ref++];
    }
  }
  if (op !== expected) throw new Error(`decompresses (lzf) to ${op} bytes, not ${expected}`);
  return out;
}
