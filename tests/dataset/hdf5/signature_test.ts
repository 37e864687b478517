import assert from "node:assert/strict";
import {
  HDF5_SIGNATURE_BYTES,
  isHdf5Signature,
  superblockOffsets,
} from "../../../lib/dataset/hdf5/signature.ts";

Deno.test("hdf5 signature: the superblock is looked for at 0, then at powers of two from 512", () => {
  assert.deepEqual([...superblockOffsets(4000)], [0, 512, 1024, 2048]);
  assert.deepEqual([...superblockOffsets(4096 + HDF5_SIGNATURE_BYTES)], [0, 512, 1024, 2048, 4096]);
  assert.deepEqual([...superblockOffsets(7)], []);
});

Deno.test("hdf5 signature: \\x89HDF\\r\\n\\x1a\\n, at any offset of a buffer, and nothing shorter", () => {
  const bytes = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a);
  assert.equal(isHdf5Signature(bytes), true);
  const shifted = new Uint8Array(20);
  shifted.set(bytes, 12);
  assert.equal(isHdf5Signature(shifted, 12), true);
  assert.equal(isHdf5Signature(shifted, 11), false);
  assert.equal(isHdf5Signature(bytes.subarray(0, 7)), false);
  assert.equal(isHdf5Signature(new TextEncoder().encode("PAR1....")), false);
});
