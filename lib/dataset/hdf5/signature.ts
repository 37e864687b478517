/**
 * Where an HDF5 file says it is one: the 8-byte signature that starts its superblock, at offset 0
 * or, after a user block, at 512, 1024, 2048, ... One copy for format detection, the h5wasm layer
 * and the native chunk reader.
 * @module
 */

/** The HDF5 format signature: `\x89HDF\r\n\x1a\n`. */
const SIGNATURE: readonly number[] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Bytes of the signature. */
export const HDF5_SIGNATURE_BYTES = SIGNATURE.length;

/** Whether `bytes` (from offset `at`) start with the HDF5 signature. */
export function isHdf5Signature(bytes: Uint8Array, at = 0): boolean {
  if (at + SIGNATURE.length > bytes.length) return false;
  for (let i = 0; i < SIGNATURE.length; i++) if (bytes[at + i] !== SIGNATURE[i]) return false;
  return true;
}

/** The offsets a superblock may start at in a file of `size` bytes: 0, 512, 1024, 2048, ... */
export function* superblockOffsets(size: number): Generator<number> {
  for (
    let offset = 0;
    offset + SIGNATURE.length <= size;
    offset = offset === 0 ? 512 : offset * 2
  ) {
    yield offset;
  }
}
