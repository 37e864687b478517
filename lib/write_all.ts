/**
 * Writing every byte: a stream's `write` may take fewer bytes than it was given, so each caller
 * would loop; this is that loop, once, for files, stdout and stderr alike.
 * @module
 */

/** Something written to a chunk at a time, as Deno's files and standard streams are. */
export interface ByteWriter {
  write(bytes: Uint8Array): Promise<number>;
}

/** Something written to synchronously a chunk at a time. */
export interface ByteWriterSync {
  writeSync(bytes: Uint8Array): number;
}

/** Writes all of `bytes` to `writer`; throws the writer's error, or when a write takes nothing. */
export async function writeAll(writer: ByteWriter, bytes: Uint8Array): Promise<void> {
  // Each write moves at least one byte forward or throws, so this ends.
  for (let offset = 0; offset < bytes.length;) {
    const written = await writer.write(bytes.subarray(offset));
    if (written <= 0) throw new Error("a write took no bytes");
    offset += written;
  }
}

/** Writes all of `bytes` to `writer` synchronously; throws as {@linkcode writeAll} does. */
export function writeAllSync(writer: ByteWriterSync, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length;) {
    const written = writer.writeSync(bytes.subarray(offset));
    if (written <= 0) throw new Error("a write took no bytes");
    offset += written;
  }
}
