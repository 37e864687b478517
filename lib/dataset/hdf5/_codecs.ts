/**
 * Decoders of the HDF5 compression filters that pandas (PyTables) and h5py write beyond zlib:
 * blosc with every codec and shuffle (c-blosc itself, compiled to wasm, from `numcodecs`), bzip2
 * (`seek-bzip`) and lzf. Each is loaded only when a file needs it. lzo is refused by name: no
 * maintained JavaScript decoder of it is known.
 * @module
 */

/** HDF5 filter ids of the compressors decoded here. */
export const FILTER_BZIP2 = 307;
export const FILTER_LZF = 32000;
export const FILTER_BLOSC = 32001;
export const FILTER_LZO = 305;

/** Filter ids decoded by {@linkcode loadFilterCodecs}. */
export const CODEC_FILTERS: ReadonlySet<number> = new Set([FILTER_BZIP2, FILTER_LZF, FILTER_BLOSC]);

/** blosc's compressor codes (the 7th value of PyTables' blosc filter, and the header's flags). */
const BLOSC_CODECS = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"];

/** Decodes one filter's output back to its input; throws a plain Error completing "the chunk ...". */
export type FilterDecoder = (data: Uint8Array, expected: number) => Promise<Uint8Array>;

/** The decoders of the codec filters among `ids`, loaded (wasm compiled) once per process. */
export async function loadFilterCodecs(
  ids: readonly number[],
): Promise<ReadonlyMap<number, FilterDecoder>> {
  const codecs = new Map<number, FilterDecoder>();
  for (const id of new Set(ids)) {
    if (id === FILTER_BLOSC) codecs.set(id, await bloscDecoder());
    else if (id === FILTER_BZIP2) codecs.set(id, await bzip2Decoder());
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

interface BloscCodec {
  decode(data: Uint8Array): Promise<Uint8Array>;
}

let blosc: Promise<BloscCodec> | undefined;

async function bloscDecoder(): Promise<FilterDecoder> {
  blosc ??= import("numcodecs/blosc").then(({ default: Blosc }) =>
    Blosc.fromConfig({ id: "blosc" }) as unknown as BloscCodec
  );
  const codec = await blosc;
  return async (data, expected) => {
    checkBloscHeader(data, expected);
    let out: Uint8Array;
    try {
      out = await codec.decode(data);
    } catch (error) {
      throw new Error(`does not decode as blosc (${(error as Error).message})`);
    }
    return out;
  };
}

/**
 * Checks a blosc frame's 16-byte header against what the chunk must be before c-blosc sees it:
 * numcodecs' binding allocates what the header says and drops c-blosc's error code, so a damaged
 * header must not reach it.
 */
function checkBloscHeader(data: Uint8Array, expected: number): void {
  if (data.length < 16) throw new Error("is too short for a blosc header");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[0];
  const nbytes = view.getUint32(4, true);
  const blocksize = view.getUint32(8, true);
  const cbytes = view.getUint32(12, true);
  const flags = data[2];
  if (version === 0 || version > 4) throw new Error(`has blosc format version ${version}`);
  // The header names a codec format: blosclz, lz4 (and lz4hc), snappy, zlib, zstd.
  if ((flags >> 5) > 4 && (flags & 0x02) === 0) {
    throw new Error(`names blosc codec format ${flags >> 5}, which does not exist`);
  }
  if (nbytes !== expected) {
    throw new Error(`holds ${nbytes} blosc bytes, not ${expected}`);
  }
  if (cbytes !== data.length) {
    throw new Error(`says it is ${cbytes} bytes long but is ${data.length}`);
  }
  if (nbytes > 0 && (blocksize === 0 || blocksize > nbytes + 16 * 1024 * 1024)) {
    throw new Error(`has a blosc block size of ${blocksize}`);
  }
  if ((flags & 0x02) !== 0 && cbytes !== nbytes + 16) {
    throw new Error("is a stored blosc frame of the wrong length");
  }
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
