/**
 * Positioned reads of a local file for the readers that fetch parts of it (HDF5 chunks, Parquet
 * pages).
 * @module
 */

/**
 * Reads `length` bytes at `position` of `file` into `into` (default a new buffer), synchronously,
 * so that a seek and its read cannot interleave with another's; returns the bytes and how many
 * were filled (fewer at the end of the file).
 */
export function readSyncAt(
  file: Deno.FsFile,
  position: number,
  length: number,
  into: ArrayBuffer = new ArrayBuffer(length),
): { bytes: Uint8Array<ArrayBuffer>; filled: number } {
  const bytes = new Uint8Array(into, 0, length);
  file.seekSync(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const read = file.readSync(bytes.subarray(filled));
    if (read === null || read === 0) break;
    filled += read;
  }
  return { bytes, filled };
}
