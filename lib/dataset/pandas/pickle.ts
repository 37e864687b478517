/**
 * A Python pickle reader that executes nothing. pandas HDF5 files carry pickles (PyTables'
 * attributes, fixed-format string blocks); this turns them into plain values and refuses every
 * global that is not a known data constructor (numpy arrays and dtypes, bytes, sets).
 * @module
 */

import { InputError, MlidsError } from "../../errors.ts";

/** A decoded Python value. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array // bytes, bytearray
  | PyValue[] // list (and set, frozenset)
  | PyTuple // tuple
  | PyDict // dict
  | NdArray // numpy.ndarray
  | NumpyDtype; // numpy.dtype

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A key the dict indexes: Python's equal keys map to one JavaScript key (True == 1). */
type IndexKey = string | number | bigint | null;

function indexKeyOf(key: PyValue): IndexKey | undefined {
  if (key === null || typeof key === "string" || typeof key === "number") return key;
  if (typeof key === "bigint") return key;
  if (typeof key === "boolean") return key ? 1 : 0;
  return undefined;
}

/** A Python dict: its entries in insertion order, a later value for an equal key replacing the first. */
export class PyDict {
  /** The entries, in Python's order. */
  readonly entries: [PyValue, PyValue][] = [];
  #index = new Map<IndexKey, number>();

  constructor(entries: Iterable<[PyValue, PyValue]> = []) {
    for (const [key, value] of entries) this.set(key, value);
  }

  /** The number of entries. */
  get size(): number {
    return this.entries.length;
  }

  /** The value stored under `key` (a str or int key), or undefined. */
  get(key: string | number): PyValue | undefined {
    const at = this.#index.get(key);
    return at === undefined ? undefined : this.entries[at][1];
  }

  /** Whether `key` (a str or int key) is present. */
  has(key: string | number): boolean {
    return this.#index.has(key);
  }

  /** Stores `value` under `key` as Python's `d[key] = value` does. */
  set(key: PyValue, value: PyValue): void {
    const indexKey = indexKeyOf(key);
    if (indexKey === undefined) {
      this.entries.push([key, value]);
      return;
    }
    const at = this.#index.get(indexKey);
    if (at !== undefined) {
      this.entries[at][1] = value;
    } else {
      this.#index.set(indexKey, this.entries.length);
      this.entries.push([key, value]);
    }
  }
}

/** A numpy dtype, known by numpy's `dtype.str` ("<f8", "|O", "<U12", "|S4", "<M8[ns]", ...). */
export interface NumpyDtype {
  readonly type: "dtype";
  readonly str: string;
}

/** A numpy array: its values flattened in C (row-major) order whatever order numpy stored them in. */
export interface NdArray {
  readonly type: "ndarray";
  readonly dtype: NumpyDtype;
  readonly shape: number[];
  /** Whether numpy held the array in Fortran order (`values` are in C order all the same). */
  readonly fortranOrder: boolean;
  readonly values: PyValue[];
}

/** Options of {@linkcode loadPickle}. */
export interface LoadPickleOptions {
  /** What the pickle is, for error messages: "attribute non_index_axes of /ids_data". */
  source?: string;
}

/**
 * Decodes a pickle (protocols 0-5) into plain values, executing nothing; refuses any global not
 * on the allow-list. Malformed or truncated data and refused globals throw `InputError`.
 * Bytes values are views of `data`, not copies.
 */
export function loadPickle(data: Uint8Array, options: LoadPickleOptions = {}): PyValue {
  return new Unpickler(data, options.source).load();
}

/** Whether `value` is a Python tuple. */
export function isPyTuple(value: PyValue | undefined): value is PyTuple {
  return value instanceof PyTuple;
}

/** Whether `value` is a Python dict. */
export function isPyDict(value: PyValue | undefined): value is PyDict {
  return value instanceof PyDict;
}

/** Whether `value` is a numpy array. */
export function isNdArray(value: PyValue | undefined): value is NdArray {
  return value instanceof ArrayValue;
}

/** Whether `value` is a numpy dtype. */
export function isNumpyDtype(value: PyValue | undefined): value is NumpyDtype {
  return value instanceof DtypeValue;
}

function typeName(value: Item | undefined): string {
  if (value === undefined) return "nothing";
  if (value === null) return "None";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "str";
  }
  if (value instanceof Uint8Array) return "bytes";
  if (Array.isArray(value)) return "list";
  if (value instanceof PyTuple) return "tuple";
  if (value instanceof PyDict) return "dict";
  if (value instanceof ArrayValue) return "numpy.ndarray";
  if (value instanceof DtypeValue) return "numpy.dtype";
  if (value instanceof GlobalRef) return `'${value.display}'`;
  return "object";
}

/** The items of a list or tuple; `what` names the value in the InputError thrown otherwise. */
export function asList(value: PyValue | undefined, what: string): PyValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  throw new InputError(`${what} is a ${typeName(value)}, not a list`, { hint: NOT_PANDAS_HINT });
}

/** A str (or UTF-8 bytes) as a string; `what` names the value in the InputError thrown otherwise. */
export function asString(value: PyValue | undefined, what: string): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) {
    try {
      return STRICT_UTF8.decode(value);
    } catch (cause) {
      throw new InputError(`${what} is bytes that are not UTF-8`, { hint: NOT_PANDAS_HINT, cause });
    }
  }
  throw new InputError(`${what} is a ${typeName(value)}, not a str`, { hint: NOT_PANDAS_HINT });
}

const NOT_PANDAS_HINT = "the file may not have been written by pandas, or may be damaged";
const DAMAGED_HINT = "the file may be incomplete or damaged: download or save it again";
const REFUSED_HINT = "mlids reads only plain data from pickles (numbers, strings, lists, dicts, " +
  "numpy arrays); re-save the data with pandas from plain numeric and string columns, " +
  "or export it as CSV";

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A class or function the pickle named, after the allow-list let it through. */
class GlobalRef {
  constructor(readonly display: string, readonly key: string) {}
}

/** What the stack holds: values, and allow-listed globals waiting to be called. */
type Item = PyValue | GlobalRef;

/** The allow-list, by normalised "module.name" (Python 2's names mapped to Python 3's). */
const ALLOWED = new Set([
  "numpy.core.multiarray._reconstruct",
  "numpy.core.multiarray.scalar",
  "numpy.core.numeric._frombuffer",
  "numpy.ndarray",
  "numpy.dtype",
  "_codecs.encode",
  "builtins.bytearray",
  "builtins.bytes",
  "builtins.set",
  "builtins.frozenset",
]);

function normaliseGlobal(module: string, name: string): string {
  // numpy 2 moved numpy.core to numpy._core; Python 2 pickles use its module names.
  let mod = module;
  if (mod === "numpy._core.multiarray") mod = "numpy.core.multiarray";
  else if (mod === "numpy._core.numeric") mod = "numpy.core.numeric";
  else if (mod === "__builtin__") mod = "builtins";
  return `${mod}.${name}`;
}

class DtypeValue implements NumpyDtype {
  readonly type = "dtype" as const;
  str: string;
  #kind: string;
  #size: number;

  constructor(code: string) {
    const match = /^[<>|=]?([?a-zA-Z])(\d*)(\[\w*\])?$/.exec(code);
    if (match === null) throw new Error(`numpy dtype '${code}' is not one mlids reads`);
    let kind = match[1];
    if (kind === "?") kind = "b";
    if (kind === "a") kind = "S";
    this.#kind = kind;
    this.#size = match[2] === "" ? (kind === "b" ? 1 : kind === "O" ? 8 : 0) : Number(match[2]);
    this.str = this.#format(this.#size === 1 ? "|" : "<", match[3] ?? "", -1);
  }

  /** numpy's `dtype.__setstate__`: the byte order, and the rest of the type for odd dtypes. */
  setState(state: Item): void {
    if (!(state instanceof PyTuple)) {
      throw new Error(`numpy dtype state is a ${typeName(state)}, not a tuple`);
    }
    const items = state.items;
    // Versions 3 and 4 (numpy >= 1.x): (version, byteorder, subarray, names, fields, elsize,
    // alignment, flags[, metadata]); older ones lead with the byte order or omit names.
    const versioned = typeof items[0] === "number";
    const order = items[versioned ? 1 : 0];
    if (typeof order !== "string") throw new Error("numpy dtype state has no byte order");
    const long = versioned && items.length >= 8;
    const structured = long && (items[2] !== null || items[3] !== null);
    const elsize = long && typeof items[5] === "number" ? items[5] : -1;
    let unit = "";
    if (long && items.length >= 9 && items[8] instanceof PyTuple) {
      const meta = items[8].items[1];
      if (meta instanceof PyTuple) unit = datetimeUnit(meta.items);
    }
    if (structured) {
      this.#kind = "V";
      this.#size = elsize;
    }
    this.str = this.#format(order, unit, elsize);
  }

  #format(order: string, unit: string, elsize: number): string {
    const kind = this.#kind;
    if (kind === "O") return "|O";
    let size = this.#size;
    if ((kind === "S" || kind === "V") && elsize > 0) size = elsize;
    if (kind === "U" && elsize > 0) size = elsize / 4;
    if (kind === "M" || kind === "m") size = 8;
    const single = kind === "S" || kind === "V" || (size <= 1 && kind !== "U");
    const byteOrder = single ? "|" : order === ">" ? ">" : "<";
    return `${byteOrder}${kind}${size}${unit}`;
  }
}

function datetimeUnit(meta: PyValue[]): string {
  let unit = meta[0];
  if (unit instanceof Uint8Array) unit = latin1(unit, 0, unit.length);
  if (typeof unit !== "string" || !/^\w+$/.test(unit)) return "";
  if (unit === "generic") return "";
  const count = meta[1];
  return typeof count === "number" && count !== 1 ? `[${count}${unit}]` : `[${unit}]`;
}

class ArrayValue implements NdArray {
  readonly type = "ndarray" as const;
  dtype: NumpyDtype = new DtypeValue("i1");
  shape: number[] = [0];
  fortranOrder = false;
  values: PyValue[] = [];
}

/** Pickle opcodes, by byte. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: "MARK",
  0x2e: "STOP",
  0x30: "POP",
  0x31: "POP_MARK",
  0x32: "DUP",
  0x46: "FLOAT",
  0x49: "INT",
  0x4a: "BININT",
  0x4b: "BININT1",
  0x4c: "LONG",
  0x4d: "BININT2",
  0x4e: "NONE",
  0x50: "PERSID",
  0x51: "BINPERSID",
  0x52: "REDUCE",
  0x53: "STRING",
  0x54: "BINSTRING",
  0x55: "SHORT_BINSTRING",
  0x56: "UNICODE",
  0x58: "BINUNICODE",
  0x61: "APPEND",
  0x62: "BUILD",
  0x63: "GLOBAL",
  0x64: "DICT",
  0x7d: "EMPTY_DICT",
  0x65: "APPENDS",
  0x67: "GET",
  0x68: "BINGET",
  0x69: "INST",
  0x6a: "LONG_BINGET",
  0x6c: "LIST",
  0x5d: "EMPTY_LIST",
  0x6f: "OBJ",
  0x70: "PUT",
  0x71: "BINPUT",
  0x72: "LONG_BINPUT",
  0x73: "SETITEM",
  0x74: "TUPLE",
  0x29: "EMPTY_TUPLE",
  0x75: "SETITEMS",
  0x47: "BINFLOAT",
  0x80: "PROTO",
  0x81: "NEWOBJ",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x85: "TUPLE1",
  0x86: "TUPLE2",
  0x87: "TUPLE3",
  0x88: "NEWTRUE",
  0x89: "NEWFALSE",
  0x8a: "LONG1",
  0x8b: "LONG4",
  0x42: "BINBYTES",
  0x43: "SHORT_BINBYTES",
  0x8c: "SHORT_BINUNICODE",
  0x8d: "BINUNICODE8",
  0x8e: "BINBYTES8",
  0x8f: "EMPTY_SET",
  0x90: "ADDITEMS",
  0x91: "FROZENSET",
  0x92: "NEWOBJ_EX",
  0x93: "STACK_GLOBAL",
  0x94: "MEMOIZE",
  0x95: "FRAME",
  0x96: "BYTEARRAY8",
  0x97: "NEXT_BUFFER",
  0x98: "READONLY_BUFFER",
};

const hex2 = (byte: number): string => byte.toString(16).padStart(2, "0");

class Unpickler {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  #pos = 0;
  /** Where the opcode being run starts, for messages. */
  #at = 0;
  #op = 0;
  #stack: Item[] = [];
  /** Stack lengths at each open MARK. */
  #marks: number[] = [];
  #memo: Item[] = [];
  #memoCount = 0;
  #sawGlobal = false;
  readonly #strings: Utf8Decoder;

  constructor(data: Uint8Array, source?: string) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#strings = new Utf8Decoder(data);
    this.#what = source === undefined ? "pickle" : `pickle in ${source}`;
  }

  load(): PyValue {
    try {
      const result = this.#run();
      if (this.#sawGlobal) this.#checkNoGlobals(result);
      return result as PyValue;
    } catch (error) {
      if (error instanceof MlidsError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw this.#malformed(message, error);
    }
  }

  #opName(): string {
    return OPCODE_NAMES[this.#op] ?? `0x${hex2(this.#op)}`;
  }

  #malformed(message: string, cause?: unknown): InputError {
    return new InputError(
      `${this.#what} is malformed: ${message} (opcode ${this.#opName()} at byte ${this.#at})`,
      { hint: DAMAGED_HINT, cause },
    );
  }

  #truncated(): InputError {
    return new InputError(
      `${this.#what} is truncated: it ends inside opcode ${this.#opName()} at byte ${this.#at} ` +
        `(${this.#data.length} bytes in all)`,
      { hint: DAMAGED_HINT },
    );
  }

  #run(): Item {
    const data = this.#data;
    const stack = this.#stack;
    for (;;) {
      if (this.#pos >= data.length) {
        this.#at = this.#pos;
        throw new InputError(
          `${this.#what} is truncated: it ends at byte ${this.#pos} before its STOP opcode`,
          { hint: DAMAGED_HINT },
        );
      }
      this.#at = this.#pos;
      const op = data[this.#pos++];
      this.#op = op;
      switch (op) {
        case 0x80: { // PROTO
          const version = this.#u8();
          if (version > 5) {
            throw new InputError(
              `${this.#what} uses pickle protocol ${version}; mlids reads protocols 0 to 5`,
              { hint: "save the file with a Python whose pickle protocol is 5 or lower" },
            );
          }
          break;
        }
        case 0x95: // FRAME: framing only groups opcodes, the reader needs no boundaries
          this.#u64();
          break;
        case 0x2e: // STOP
          return this.#pop();
        case 0x28: // MARK
          this.#marks.push(stack.length);
          break;
        case 0x30: // POP
          if (stack.length > this.#base()) stack.pop();
          else this.#popMark();
          break;
        case 0x31: // POP_MARK
          this.#popMark();
          break;
        case 0x32: // DUP
          stack.push(this.#top());
          break;
        case 0x4e: // NONE
          stack.push(null);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 0x49: // INT
          stack.push(this.#textInt());
          break;
        case 0x4c: // LONG
          stack.push(parseInteger(this.#lineText().replace(/L$/, "")));
          break;
        case 0x46: // FLOAT
          stack.push(parseFloatText(this.#lineText()));
          break;
        case 0x4a: // BININT
          this.#need(4);
          stack.push(this.#view.getInt32(this.#pos, true));
          this.#pos += 4;
          break;
        case 0x4b: // BININT1
          stack.push(this.#u8());
          break;
        case 0x4d: // BININT2
          this.#need(2);
          stack.push(this.#view.getUint16(this.#pos, true));
          this.#pos += 2;
          break;
        case 0x47: // BINFLOAT
          this.#need(8);
          stack.push(this.#view.getFloat64(this.#pos, false));
          this.#pos += 8;
          break;
        case 0x8a: // LONG1
          stack.push(this.#long(this.#u8()));
          break;
        case 0x8b: { // LONG4
          this.#need(4);
          const n = this.#view.getInt32(this.#pos, true);
          this.#pos += 4;
          if (n < 0) throw this.#malformed("negative byte count");
          stack.push(this.#long(n));
          break;
        }
        case 0x53: // STRING
          stack.push(decodeStringLiteral(this.#lineText()));
          break;
        case 0x54: { // BINSTRING
          this.#need(4);
          const n = this.#view.getInt32(this.#pos, true);
          this.#pos += 4;
          if (n < 0) throw this.#malformed("negative string length");
          const start = this.#take(n);
          stack.push(latin1(data, start, start + n));
          break;
        }
        case 0x55: { // SHORT_BINSTRING
          const n = this.#u8();
          const start = this.#take(n);
          stack.push(latin1(data, start, start + n));
          break;
        }
        case 0x56: // UNICODE
          stack.push(decodeRawUnicodeEscape(this.#lineText()));
          break;
        case 0x58: // BINUNICODE
          stack.push(this.#utf8(this.#u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.push(this.#utf8(this.#u8()));
          break;
        case 0x8d: // BINUNICODE8
          stack.push(this.#utf8(this.#u64()));
          break;
        case 0x42: // BINBYTES
          stack.push(this.#bytes(this.#u32()));
          break;
        case 0x43: // SHORT_BINBYTES
          stack.push(this.#bytes(this.#u8()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          stack.push(this.#bytes(this.#u64()));
          break;
        case 0x5d: // EMPTY_LIST
        case 0x8f: // EMPTY_SET
          stack.push([]);
          break;
        case 0x6c: // LIST
        case 0x91: // FROZENSET
          stack.push(this.#popMark() as PyValue[]);
          break;
        case 0x61: { // APPEND
          const value = this.#pop();
          this.#listOnTop().push(value as PyValue);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: { // ADDITEMS
          const items = this.#popMark();
          const list = this.#listOnTop();
          for (let i = 0; i < items.length; i++) list.push(items[i] as PyValue);
          break;
        }
        case 0x29: // EMPTY_TUPLE
          stack.push(new PyTuple([]));
          break;
        case 0x74: // TUPLE
          stack.push(new PyTuple(this.#popMark() as PyValue[]));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: { // TUPLE3
          const n = op - 0x84;
          if (stack.length - n < this.#base()) throw this.#underflow();
          stack.push(new PyTuple(stack.splice(stack.length - n, n) as PyValue[]));
          break;
        }
        case 0x7d: // EMPTY_DICT
          stack.push(new PyDict());
          break;
        case 0x64: { // DICT
          const items = this.#popMark();
          const dict = new PyDict();
          this.#setItems(dict, items);
          stack.push(dict);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.#pop();
          const key = this.#pop();
          this.#setItems(this.#dictOnTop(), [key, value]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.#popMark();
          this.#setItems(this.#dictOnTop(), items);
          break;
        }
        case 0x67: // GET
          stack.push(this.#memoGet(this.#lineIndex()));
          break;
        case 0x68: // BINGET
          stack.push(this.#memoGet(this.#u8()));
          break;
        case 0x6a: // LONG_BINGET
          stack.push(this.#memoGet(this.#u32()));
          break;
        case 0x70: // PUT
          this.#memoPut(this.#lineIndex());
          break;
        case 0x71: // BINPUT
          this.#memoPut(this.#u8());
          break;
        case 0x72: // LONG_BINPUT
          this.#memoPut(this.#u32());
          break;
        case 0x94: // MEMOIZE
          this.#memoPut(this.#memoCount);
          break;
        case 0x63: { // GLOBAL
          const module = this.#lineUtf8();
          const name = this.#lineUtf8();
          stack.push(this.#global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.#pop();
          const module = this.#pop();
          if (typeof module !== "string" || typeof name !== "string") {
            throw this.#malformed("module and name are not strings");
          }
          stack.push(this.#global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.#pop();
          const callable = this.#pop();
          if (!(args instanceof PyTuple)) throw this.#malformed("arguments are not a tuple");
          stack.push(this.#call(callable, args.items));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.#pop();
          const cls = this.#pop();
          if (!(args instanceof PyTuple)) throw this.#malformed("arguments are not a tuple");
          stack.push(this.#call(cls, args.items));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.#pop();
          const args = this.#pop();
          const cls = this.#pop();
          if (!(args instanceof PyTuple)) throw this.#malformed("arguments are not a tuple");
          if (!(kwargs instanceof PyDict) || kwargs.size > 0) {
            throw this.#malformed("keyword arguments are not supported");
          }
          stack.push(this.#call(cls, args.items));
          break;
        }
        case 0x69: { // INST
          const module = this.#lineUtf8();
          const name = this.#lineUtf8();
          const cls = this.#global(module, name);
          stack.push(this.#call(cls, this.#popMark()));
          break;
        }
        case 0x6f: { // OBJ
          const items = this.#popMark();
          if (items.length === 0) throw this.#underflow();
          stack.push(this.#call(items[0], items.slice(1)));
          break;
        }
        case 0x62: { // BUILD
          const state = this.#pop();
          this.#build(this.#top(), state);
          break;
        }
        case 0x50: // PERSID
        case 0x51: // BINPERSID
          throw this.#refusedFeature("a persistent id (a reference to an object outside it)");
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          throw this.#refusedFeature("an extension-registry code (a global by number)");
        case 0x97: // NEXT_BUFFER
          throw this.#refusedFeature("an out-of-band buffer, which files never carry");
        case 0x98: // READONLY_BUFFER: marks a buffer read-only, nothing to do for a copy
          this.#top();
          break;
        default:
          throw new InputError(
            `${this.#what} is malformed: unknown opcode 0x${hex2(op)} at byte ${this.#at}`,
            { hint: DAMAGED_HINT },
          );
      }
    }
  }

  #refusedFeature(what: string): InputError {
    return new InputError(
      `${this.#what} uses ${what} at byte ${this.#at}, which mlids does not load`,
      { hint: REFUSED_HINT },
    );
  }

  #underflow(): InputError {
    return this.#malformed("the stack holds fewer values than the opcode takes");
  }

  /** The stack length at the innermost MARK: values below it belong to outer opcodes. */
  #base(): number {
    const marks = this.#marks;
    return marks.length === 0 ? 0 : marks[marks.length - 1];
  }

  #pop(): Item {
    if (this.#stack.length <= this.#base()) throw this.#underflow();
    return this.#stack.pop() as Item;
  }

  #top(): Item {
    if (this.#stack.length <= this.#base()) throw this.#underflow();
    return this.#stack[this.#stack.length - 1];
  }

  #popMark(): Item[] {
    const mark = this.#marks.pop();
    if (mark === undefined) throw this.#malformed("no MARK before it");
    return this.#stack.splice(mark);
  }

  #listOnTop(): PyValue[] {
    const list = this.#top();
    if (!Array.isArray(list)) {
      throw this.#malformed(`appends to a ${typeName(list)}, not a list`);
    }
    return list;
  }

  #dictOnTop(): PyDict {
    const dict = this.#top();
    if (!(dict instanceof PyDict)) {
      throw this.#malformed(`sets an item of a ${typeName(dict)}, not a dict`);
    }
    return dict;
  }

  #setItems(dict: PyDict, items: Item[]): void {
    if (items.length % 2 !== 0) throw this.#malformed("a key has no value");
    for (let i = 0; i < items.length; i += 2) {
      dict.set(items[i] as PyValue, items[i + 1] as PyValue);
    }
  }

  #memoGet(index: number): Item {
    const value = this.#memo[index];
    if (value === undefined) throw this.#malformed(`memo entry ${index} was never stored`);
    return value;
  }

  #memoPut(index: number): void {
    const value = this.#top();
    if (this.#memo[index] === undefined) this.#memoCount++;
    this.#memo[index] = value;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#data.length) throw this.#truncated();
  }

  /** Skips `n` bytes and returns where they start. */
  #take(n: number): number {
    this.#need(n);
    const start = this.#pos;
    this.#pos += n;
    return start;
  }

  #u8(): number {
    this.#need(1);
    return this.#data[this.#pos++];
  }

  #u32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  #u64(): number {
    this.#need(8);
    const low = this.#view.getUint32(this.#pos, true);
    const high = this.#view.getUint32(this.#pos + 4, true);
    this.#pos += 8;
    // Any length past 2^53 is past the end of the data anyway.
    return high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 0x100000000 + low;
  }

  #utf8(n: number): string {
    const start = this.#take(n);
    return this.#strings.decode(start, start + n);
  }

  /** A view of `n` bytes of the input: bytes values share the pickle's memory, nothing is copied. */
  #bytes(n: number): Uint8Array {
    const start = this.#take(n);
    return this.#data.subarray(start, start + n);
  }

  /** The bytes up to the next newline (which is consumed), as [start, end). */
  #line(): [number, number] {
    const end = this.#data.indexOf(0x0a, this.#pos);
    if (end < 0) throw this.#truncated();
    const start = this.#pos;
    this.#pos = end + 1;
    return [start, end];
  }

  #lineText(): string {
    const [start, end] = this.#line();
    return latin1(this.#data, start, end);
  }

  #lineUtf8(): string {
    const [start, end] = this.#line();
    try {
      return STRICT_UTF8.decode(this.#data.subarray(start, end));
    } catch {
      throw this.#malformed("a name is not UTF-8");
    }
  }

  #lineIndex(): number {
    const text = this.#lineText();
    if (!/^\d{1,15}$/.test(text)) throw this.#malformed(`bad memo index '${text.slice(0, 20)}'`);
    return Number(text);
  }

  #textInt(): number | bigint | boolean {
    const text = this.#lineText();
    if (text === "00") return false;
    if (text === "01") return true;
    return parseInteger(text);
  }

  /** LONG1/LONG4: `n` bytes of little-endian two's complement. */
  #long(n: number): number | bigint {
    const start = this.#take(n);
    const data = this.#data;
    if (n === 0) return 0;
    if (n <= 6) {
      let value = 0;
      for (let i = n - 1; i >= 0; i--) value = value * 256 + data[start + i];
      return data[start + n - 1] >= 0x80 ? value - 2 ** (8 * n) : value;
    }
    const digits = new Array<string>(n);
    for (let i = 0; i < n; i++) digits[n - 1 - i] = hex2(data[start + i]);
    let value = BigInt(`0x${digits.join("")}`);
    if (data[start + n - 1] >= 0x80) value -= 1n << BigInt(8 * n);
    return normaliseBigInt(value);
  }

  #global(module: string, name: string): GlobalRef {
    const display = `${module}.${name}`;
    const key = normaliseGlobal(module, name);
    if (!ALLOWED.has(key)) {
      throw new InputError(
        `${this.#what} refers to '${display}', which mlids does not load: it may run code`,
        { hint: REFUSED_HINT },
      );
    }
    this.#sawGlobal = true;
    return new GlobalRef(display, key);
  }

  /** Runs an allow-listed constructor on data: the only "calls" this reader makes. */
  #call(callable: Item, args: Item[]): Item {
    if (!(callable instanceof GlobalRef)) {
      throw this.#malformed(`calls a ${typeName(callable)}, which is not a class or function`);
    }
    const bad = (why: string): InputError =>
      this.#malformed(`${callable.display}(...) with unexpected arguments: ${why}`);
    switch (callable.key) {
      case "numpy.core.multiarray._reconstruct": {
        const cls = args[0];
        if (!(cls instanceof GlobalRef) || cls.key !== "numpy.ndarray") {
          throw bad(`only numpy.ndarray is rebuilt, not ${typeName(cls)}`);
        }
        return new ArrayValue();
      }
      case "numpy.dtype": {
        const code = args[0];
        if (typeof code !== "string") throw bad(`the type code is a ${typeName(code)}`);
        return new DtypeValue(code);
      }
      case "numpy.core.multiarray.scalar": {
        const [dtype, raw] = args;
        if (!(dtype instanceof DtypeValue)) throw bad("no dtype");
        if (dtype.str === "|O") return (raw ?? null) as PyValue;
        const values = decodeElements(dtype.str, this.#rawBytes(raw, bad));
        if (values.length !== 1) throw bad(`${values.length} values for one scalar`);
        return values[0];
      }
      case "numpy.core.numeric._frombuffer": {
        const [buffer, dtype, shape, order] = args;
        if (!(dtype instanceof DtypeValue)) throw bad("no dtype");
        const array = new ArrayValue();
        array.dtype = dtype;
        array.shape = this.#shape(shape, bad);
        array.fortranOrder = order === "F";
        array.values = this.#decodeArray(array, this.#rawBytes(buffer, bad), bad);
        return array;
      }
      case "_codecs.encode": {
        const [text, encoding = "utf-8"] = args;
        if (typeof text !== "string" || typeof encoding !== "string") throw bad("not a str");
        return encodeText(text, encoding, bad);
      }
      case "builtins.bytes":
      case "builtins.bytearray": {
        const [source, encoding = "utf-8"] = args;
        if (source === undefined) return new Uint8Array(0);
        if (source instanceof Uint8Array) return source;
        if (typeof source === "string" && typeof encoding === "string") {
          return encodeText(source, encoding, bad);
        }
        throw bad(`from a ${typeName(source)}`);
      }
      case "builtins.set":
      case "builtins.frozenset": {
        const source = args[0];
        if (source === undefined) return [];
        if (Array.isArray(source)) return source.slice();
        if (source instanceof PyTuple) return source.items.slice();
        throw bad(`from a ${typeName(source)}`);
      }
      default:
        throw this.#malformed(`calls '${callable.display}' in a way mlids does not support`);
    }
  }

  #build(target: Item, state: Item): void {
    if (target instanceof DtypeValue) {
      target.setState(state);
      return;
    }
    if (!(target instanceof ArrayValue)) {
      throw this.#malformed(`sets the state of a ${typeName(target)}`);
    }
    const bad = (why: string): InputError => this.#malformed(`bad numpy array state: ${why}`);
    if (!(state instanceof PyTuple)) throw bad(`a ${typeName(state)}, not a tuple`);
    // (version, shape, dtype, is_fortran, data); numpy before 1.0 left out the version.
    const items = state.items.length === 5 ? state.items.slice(1) : state.items;
    if (items.length !== 4) throw bad(`${state.items.length} items`);
    const [shape, dtype, fortran, raw] = items;
    if (!(dtype instanceof DtypeValue)) throw bad(`the dtype is a ${typeName(dtype)}`);
    target.dtype = dtype;
    target.shape = this.#shape(shape, bad);
    target.fortranOrder = fortran === true || fortran === 1;
    if (dtype.str === "|O") {
      // Object arrays pickle a list of their values, always in C order.
      if (!Array.isArray(raw)) throw bad(`object array data is a ${typeName(raw)}`);
      if (raw.length !== product(target.shape)) {
        throw bad(`${raw.length} values for shape (${target.shape.join(", ")})`);
      }
      target.values = raw;
    } else {
      target.values = this.#decodeArray(target, this.#rawBytes(raw, bad), bad);
    }
  }

  #shape(shape: Item, bad: (why: string) => InputError): number[] {
    const dims = shape instanceof PyTuple ? shape.items : Array.isArray(shape) ? shape : [shape];
    const out: number[] = [];
    for (const dim of dims) {
      if (typeof dim !== "number" || !Number.isSafeInteger(dim) || dim < 0) {
        throw bad(`shape holds ${typeName(dim)} ${String(dim)}`);
      }
      out.push(dim);
    }
    if (product(out) > Number.MAX_SAFE_INTEGER) throw bad("shape too large");
    return out;
  }

  #rawBytes(raw: Item, bad: (why: string) => InputError): Uint8Array {
    if (raw instanceof Uint8Array) return raw;
    // Python 2 pickles carry raw data as a str, which this reader decodes as latin-1.
    if (typeof raw === "string") return encodeText(raw, "latin-1", bad);
    throw bad(`raw data is a ${typeName(raw)}, not bytes`);
  }

  #decodeArray(
    array: ArrayValue,
    bytes: Uint8Array,
    bad: (why: string) => InputError,
  ): PyValue[] {
    const count = product(array.shape);
    const itemSize = itemSizeOf(array.dtype.str);
    if (itemSize === 0 && count > 0) throw bad(`${array.dtype.str} elements have no size`);
    if (bytes.length !== count * itemSize) {
      throw bad(
        `${bytes.length} bytes of ${array.dtype.str} for shape (${array.shape.join(", ")})`,
      );
    }
    const values = count === 0 ? [] : decodeElements(array.dtype.str, bytes);
    return array.fortranOrder && array.shape.length > 1 ? fortranToC(values, array.shape) : values;
  }

  /** Refuses a result still holding a class or function: it is code, not data. */
  #checkNoGlobals(result: Item): void {
    const seen = new Set<object>();
    const pending: object[] = [];
    const visit = (value: Item): void => {
      if (value instanceof GlobalRef) {
        throw new InputError(
          `${this.#what} holds '${value.display}' itself rather than data`,
          { hint: REFUSED_HINT },
        );
      }
      if (typeof value === "object" && value !== null && !seen.has(value)) {
        seen.add(value);
        pending.push(value);
      }
    };
    visit(result);
    while (pending.length > 0) {
      const value = pending.pop();
      let items: Item[] = [];
      if (Array.isArray(value)) items = value;
      else if (value instanceof PyTuple) items = value.items;
      else if (value instanceof PyDict) items = value.entries.flat();
      // Numeric arrays were decoded from bytes; an object array's values are a pickled list.
      else if (value instanceof ArrayValue && value.dtype.str === "|O") items = [value.values];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (typeof item === "object" && item !== null && !(item instanceof Uint8Array)) visit(item);
      }
    }
  }
}

function product(shape: number[]): number {
  let n = 1;
  for (const dim of shape) n *= dim;
  return n;
}

function normaliseBigInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

function parseInteger(text: string): number | bigint {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new Error(`'${text.slice(0, 40)}' is not an integer`);
  if (trimmed.length <= 15) return Number(trimmed);
  return normaliseBigInt(BigInt(trimmed));
}

function parseFloatText(text: string): number {
  const trimmed = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return Number(trimmed);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(trimmed);
  if (special === null) throw new Error(`'${text.slice(0, 40)}' is not a float`);
  if (special[2].toLowerCase() === "nan") return NaN;
  return special[1] === "-" ? -Infinity : Infinity;
}

const SHORT_STRING = 32;
const CACHE_SLOTS = 4096;

/**
 * Decodes UTF-8 strings. Short ASCII ones (the bulk of pandas' string columns) skip TextDecoder,
 * which costs more per call than the decoding, and repeats (labels) share one string.
 */
class Utf8Decoder {
  readonly #data: Uint8Array;
  readonly #slots: number;
  readonly #starts: Int32Array;
  readonly #lengths: Uint8Array;
  readonly #strings: string[];

  constructor(data: Uint8Array) {
    this.#data = data;
    // Sized to the pickle: a small attribute pickle (read at every open) holds a few strings, and
    // clearing 4096 slots for it cost more than decoding it (bench --only readers).
    let slots = 16;
    while (slots < CACHE_SLOTS && slots * 8 < data.length) slots *= 2;
    this.#slots = slots;
    this.#starts = new Int32Array(slots).fill(-1);
    this.#lengths = new Uint8Array(slots);
    this.#strings = new Array<string>(slots).fill("");
  }

  decode(start: number, end: number): string {
    const data = this.#data;
    const length = end - start;
    if (length <= SHORT_STRING) {
      let hash = length;
      let ascii = true;
      for (let i = start; i < end; i++) {
        const byte = data[i];
        if (byte >= 0x80) {
          ascii = false;
          break;
        }
        hash = (Math.imul(hash, 31) + byte) | 0;
      }
      if (ascii) {
        const slot = hash & (this.#slots - 1);
        const cached = this.#starts[slot];
        if (cached >= 0 && this.#lengths[slot] === length) {
          let same = true;
          for (let i = 0; i < length; i++) {
            if (data[cached + i] !== data[start + i]) {
              same = false;
              break;
            }
          }
          if (same) return this.#strings[slot];
        }
        const text = String.fromCharCode.apply(
          null,
          data.subarray(start, end) as unknown as number[],
        );
        this.#starts[slot] = start;
        this.#lengths[slot] = length;
        this.#strings[slot] = text;
        return text;
      }
    }
    try {
      return STRICT_UTF8.decode(data.subarray(start, end));
    } catch {
      throw new Error(`a string at byte ${start} is not UTF-8`);
    }
  }
}

/** Latin-1 (each byte one code point); TextDecoder's "latin1" is really windows-1252. */
function latin1(data: Uint8Array, start: number, end: number): string {
  const chunk = 8192;
  if (end - start <= chunk) {
    return String.fromCharCode.apply(null, data.subarray(start, end) as unknown as number[]);
  }
  const parts: string[] = [];
  for (let i = start; i < end; i += chunk) {
    const stop = Math.min(end, i + chunk);
    parts.push(String.fromCharCode.apply(null, data.subarray(i, stop) as unknown as number[]));
  }
  return parts.join("");
}

function encodeText(
  text: string,
  encoding: string,
  bad: (why: string) => InputError,
): Uint8Array {
  const name = encoding.toLowerCase().replace(/[-_ ]/g, "");
  if (name === "utf8") return new TextEncoder().encode(text);
  if (name !== "latin1" && name !== "iso88591" && name !== "l1") {
    throw bad(`encoding '${encoding}' is not one mlids reads`);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw bad("a latin-1 str holds a character beyond U+00FF");
    out[i] = code;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

/** A Python 2 str literal of the STRING opcode ('...' with backslash escapes), as latin-1 text. */
function decodeStringLiteral(text: string): string {
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw new Error("STRING argument is not a quoted string");
  }
  const body = text.slice(1, -1);
  if (!body.includes("\\")) return body;
  const parts: string[] = [];
  let i = 0;
  while (i < body.length) {
    const slash = body.indexOf("\\", i);
    if (slash < 0) {
      parts.push(body.slice(i));
      break;
    }
    parts.push(body.slice(i, slash));
    const next = body[slash + 1];
    if (next === undefined) throw new Error("STRING ends with a lone backslash");
    if (next in SIMPLE_ESCAPES) {
      parts.push(SIMPLE_ESCAPES[next]);
      i = slash + 2;
    } else if (next === "x") {
      const hex = body.slice(slash + 2, slash + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error("STRING has a bad \\x escape");
      parts.push(String.fromCharCode(parseInt(hex, 16)));
      i = slash + 4;
    } else if (next >= "0" && next <= "7") {
      const octal = /^[0-7]{1,3}/.exec(body.slice(slash + 1, slash + 4))![0];
      parts.push(String.fromCharCode(parseInt(octal, 8) & 0xff));
      i = slash + 1 + octal.length;
    } else {
      parts.push("\\");
      i = slash + 1;
    }
  }
  return parts.join("");
}

/** Python's raw-unicode-escape: latin-1, except \uXXXX and \UXXXXXXXX after an odd run of backslashes. */
function decodeRawUnicodeEscape(text: string): string {
  if (!text.includes("\\")) return text;
  const parts: string[] = [];
  let last = 0;
  let i = text.indexOf("\\");
  while (i >= 0) {
    let j = i;
    while (text[j] === "\\") j++;
    const letter = text[j];
    if ((j - i) % 2 === 1 && (letter === "u" || letter === "U")) {
      const digits = letter === "u" ? 4 : 8;
      const hex = text.slice(j + 1, j + 1 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw new Error(`UNICODE has a bad \\${letter} escape`);
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new Error("UNICODE escapes a code point beyond U+10FFFF");
      parts.push(text.slice(last, j - 1), String.fromCodePoint(code));
      last = j + 1 + digits;
      i = text.indexOf("\\", last);
    } else {
      i = text.indexOf("\\", j);
    }
  }
  parts.push(text.slice(last));
  return parts.join("");
}

/** Bytes per element of a dtype.str; 0 when numpy stores nothing per element. */
function itemSizeOf(str: string): number {
  const kind = str[1];
  if (kind === "M" || kind === "m") return 8;
  const size = parseInt(str.slice(2), 10);
  if (!Number.isSafeInteger(size)) throw new Error(`numpy dtype '${str}' has no size`);
  return kind === "U" ? size * 4 : size;
}

/** Decodes packed elements of dtype `str`, as numbers, bigints (beyond 2^53), booleans, str, bytes. */
function decodeElements(str: string, bytes: Uint8Array): PyValue[] {
  const little = str[0] !== ">";
  const kind = str[1];
  const size = itemSizeOf(str);
  if (size === 0) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.floor(bytes.length / size);
  const out = new Array<PyValue>(count);
  const unsupported = (): Error => new Error(`numpy dtype '${str}' is not one mlids reads`);
  switch (kind) {
    case "b":
      for (let i = 0; i < count; i++) out[i] = bytes[i * size] !== 0;
      return out;
    case "i":
    case "u":
    case "M":
    case "m": {
      const signed = kind !== "u";
      if (size === 8) {
        for (let i = 0, at = 0; i < count; i++, at += 8) out[i] = int64At(view, at, little, signed);
        return out;
      }
      const read = intReader(view, size, signed, little);
      if (read === undefined) throw unsupported();
      for (let i = 0; i < count; i++) out[i] = read(i * size);
      return out;
    }
    case "f":
      if (size === 8) { for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, little); }
      else if (size === 4) {
        for (let i = 0; i < count; i++) {
          out[i] = view.getFloat32(i * 4, little);
        }
      } else if (size === 2) {
        for (let i = 0; i < count; i++) out[i] = float16(view.getUint16(i * 2, little));
      } else throw unsupported();
      return out;
    case "U": {
      const chars = size / 4;
      const codes = new Array<number>(chars);
      for (let i = 0; i < count; i++) {
        let length = 0;
        for (let c = 0; c < chars; c++) {
          const code = view.getUint32(i * size + c * 4, little);
          if (code > 0x10ffff) throw new Error(`'${str}' data holds an invalid code point`);
          codes[c] = code;
          if (code !== 0) length = c + 1;
        }
        out[i] = codePointsToString(codes, length);
      }
      return out;
    }
    case "S":
    case "V":
      for (let i = 0; i < count; i++) {
        let end = i * size + size;
        // numpy drops the NUL padding of fixed-width bytes when handing out an element.
        if (kind === "S") { while (end > i * size && bytes[end - 1] === 0) end--; }
        out[i] = bytes.slice(i * size, end);
      }
      return out;
    default:
      throw unsupported();
  }
}

function codePointsToString(codes: number[], length: number): string {
  const chunk = 4096;
  if (length <= chunk) return String.fromCodePoint(...codes.slice(0, length));
  const parts: string[] = [];
  for (let i = 0; i < length; i += chunk) {
    parts.push(String.fromCodePoint(...codes.slice(i, Math.min(length, i + chunk))));
  }
  return parts.join("");
}

function intReader(
  view: DataView,
  size: number,
  signed: boolean,
  little: boolean,
): ((at: number) => number) | undefined {
  switch (size) {
    case 1:
      return signed ? (at) => view.getInt8(at) : (at) => view.getUint8(at);
    case 2:
      return signed ? (at) => view.getInt16(at, little) : (at) => view.getUint16(at, little);
    case 4:
      return signed ? (at) => view.getInt32(at, little) : (at) => view.getUint32(at, little);
  }
  return undefined;
}

/** An 8-byte integer as a number when it is exact in a double, else as a bigint. */
function int64At(view: DataView, at: number, little: boolean, signed: boolean): number | bigint {
  const low = view.getUint32(little ? at : at + 4, little);
  const high = signed
    ? view.getInt32(little ? at + 4 : at, little)
    : view.getUint32(little ? at + 4 : at, little);
  if (high >= -0x200000 && high < 0x200000) return high * 0x100000000 + low;
  return signed ? view.getBigInt64(at, little) : view.getBigUint64(at, little);
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Reorders values stored in Fortran (column-major) order into C (row-major) order. */
function fortranToC(values: PyValue[], shape: number[]): PyValue[] {
  const count = values.length;
  const out = new Array<PyValue>(count);
  if (count === 0) return out;
  const dims = shape.length;
  const strides = new Array<number>(dims);
  let stride = 1;
  for (let d = 0; d < dims; d++) {
    strides[d] = stride;
    stride *= shape[d];
  }
  const index = new Array<number>(dims).fill(0);
  let offset = 0;
  for (let c = 0; c < count; c++) {
    out[c] = values[offset];
    for (let d = dims - 1; d >= 0; d--) {
      index[d]++;
      offset += strides[d];
      if (index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
