/**
 * Writing command output: text chunks to stdout in large writes, quietly stopping when the reader
 * goes away (`mlids ... | head`), and notices to stderr.
 * @module
 */

import { writeAll } from "../lib/write_all.ts";

const encoder = new TextEncoder();

/** Where a command writes its data (stdout) and its notices (stderr). */
export interface CommandIo {
  /** Writes data; resolves false once the reader has gone away (a closed pipe). */
  write(text: string): Promise<boolean>;
  /** Writes one notice line to stderr. */
  notice(line: string): void;
  /** Aborted when the user asks the command to stop (Ctrl-C, SIGTERM). */
  signal?: AbortSignal;
}

/** The real stdout and stderr. */
export function processIo(): CommandIo {
  let closed = false;
  return {
    async write(text: string): Promise<boolean> {
      if (closed) return false;
      try {
        await writeAll(Deno.stdout, encoder.encode(text));
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) {
          closed = true;
          return false;
        }
        throw error;
      }
    },
    notice(line: string): void {
      try {
        Deno.stderr.writeSync(encoder.encode(`${line}\n`));
      } catch {
        // stderr gone: nothing left to tell.
      }
    },
  };
}

/** `chunks` joined into pieces of about 64 KiB, so many small chunks become few writes. */
export function* batchChunks(chunks: Iterable<string>): Generator<string> {
  let buffer = "";
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= 65536) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer !== "") yield buffer;
}

/** Writes `chunks` through `io` in large writes; false when the reader went away. */
export async function writeChunks(
  io: CommandIo,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<boolean> {
  if (Symbol.asyncIterator in chunks) {
    // Chunks made as a scan goes: written as they come, 64 KiB at a time; a gone reader stops it.
    let buffer = "";
    for await (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length < 65536) continue;
      if (!(await io.write(buffer))) return false;
      buffer = "";
    }
    return buffer === "" || await io.write(buffer);
  }
  for (const batch of batchChunks(chunks)) {
    if (!(await io.write(batch))) return false;
  }
  return true;
}
