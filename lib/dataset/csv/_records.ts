/**
 * Records of a CSV file as field boundaries in a byte buffer (RFC 4180: quoted fields with `""`,
 * CRLF or LF), without a string per field: the reader decodes only the fields it keeps.
 * @module
 */

export const COMMA = 0x2c;
export const QUOTE = 0x22;
export const CR = 0x0d;
export const LF = 0x0a;

/** Field boundaries of the record last tokenized. */
export class FieldSpans {
  starts = new Int32Array(128);
  ends = new Int32Array(128);
  /** 1: the field was quoted; 2: it holds escaped quotes (`""`). */
  flags = new Uint8Array(128);
  count = 0;
  /** The record's last quoted field runs to the end of the file without its closing quote. */
  unterminated = false;

  grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const flags = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    flags.set(this.flags);
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
  }

  /** Whether the record is an empty line (pandas skips those). */
  blank(): boolean {
    return this.count === 1 && this.starts[0] === this.ends[0] && this.flags[0] === 0;
  }
}

/**
 * Splits the record starting at `pos` into fields. Returns where the next record starts, or -1
 * when the buffer ends mid-record before end of file.
 */
export function tokenize(
  buf: Uint8Array,
  pos: number,
  end: number,
  eof: boolean,
  rec: FieldSpans,
): number {
  let n = 0;
  let i = pos;
  rec.unterminated = false;
  for (;;) {
    if (n === rec.starts.length) rec.grow();
    if (i < end && buf[i] === QUOTE) {
      const start = ++i;
      let flag = 1;
      for (;;) {
        if (i >= end) {
          if (!eof) return -1;
          rec.unterminated = true;
          break;
        }
        if (buf[i] === QUOTE) {
          if (i + 1 >= end && !eof) return -1;
          if (buf[i + 1] === QUOTE) {
            flag = 3;
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      rec.starts[n] = start;
      rec.ends[n] = Math.min(i, end);
      rec.flags[n] = flag;
      i++;
      // Text between a closing quote and the next delimiter is not RFC 4180; skip it.
      while (i < end && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) i++;
    } else {
      const start = i;
      while (i < end) {
        const c = buf[i];
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      rec.starts[n] = start;
      rec.ends[n] = i;
      rec.flags[n] = 0;
    }
    n++;
    if (i >= end) {
      if (!eof) return -1;
      rec.count = n;
      return end;
    }
    const c = buf[i];
    if (c === COMMA) {
      i++;
      continue;
    }
    rec.count = n;
    if (c === CR) {
      if (i + 1 >= end && !eof) return -1;
      return buf[i + 1] === LF ? i + 2 : i + 1;
    }
    return i + 1;
  }
}

const utf8 = new TextDecoder("utf-8");

/** Bytes `start` to `end` of `buf` as UTF-8 text (plain ASCII without a TextDecoder). */
export function decodeText(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 128) {
    let ascii = true;
    for (let k = start; k < end; k++) {
      if (buf[k] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    }
  }
  return utf8.decode(buf.subarray(start, end));
}

/** Field `j` of the record as text, escaped quotes undone; empty when the record is shorter. */
export function fieldText(buf: Uint8Array, rec: FieldSpans, j: number): string {
  if (j >= rec.count) return "";
  const text = decodeText(buf, rec.starts[j], rec.ends[j]);
  return rec.flags[j] & 2 ? text.replaceAll('""', '"') : text;
}

/** The first 40 characters of bytes `start` to `end`, for messages. */
export function textOf(buf: Uint8Array, start: number, end: number): string {
  const text = decodeText(buf, start, end);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/**
 * Decodes one text column's fields, giving equal neighbours (labels, IPs, timestamps) one shared
 * string: comparing the bytes with the last field's costs less than decoding them again.
 */
export class TextField {
  readonly #last = new Uint8Array(256);
  #lastLength = -1;
  #lastText = "";

  /** Field `j` of the record as text. */
  read(buf: Uint8Array, rec: FieldSpans, j: number): string {
    if (j >= rec.count) return "";
    const start = rec.starts[j];
    const length = rec.ends[j] - start;
    const last = this.#last;
    if (length === this.#lastLength) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (buf[start + k] !== last[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.#lastText;
    }
    const text = fieldText(buf, rec, j);
    if (length <= last.length) {
      last.set(buf.subarray(start, start + length));
      this.#lastLength = length;
      this.#lastText = text;
    }
    return text;
  }
}
