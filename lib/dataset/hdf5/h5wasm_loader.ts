/**
 * Loads h5wasm (the HDF5 C library compiled to WebAssembly) on first use. Loading it costs about
 * 0.2 s, so commands that do not read HDF5 never pay for it.
 * @module
 */

import process from "node:process";
import type h5wasmModule from "h5wasm/node";

/** The h5wasm API (its `h5wasm/node` build, which reads files in place). */
export type H5wasm = typeof h5wasmModule;

let loading: Promise<H5wasm> | undefined;

/**
 * h5wasm, ready to open files. While its runtime starts it sees an empty `process.env`:
 * Emscripten copies the whole environment into the wasm module, which would need access to every
 * variable, and HDF5 needs none of them.
 */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const original = Object.getOwnPropertyDescriptor(process, "env");
    Object.defineProperty(process, "env", { value: {}, configurable: true, writable: true });
    try {
      const module = await import("h5wasm/node");
      await module.default.ready;
      return module.default;
    } finally {
      if (original) Object.defineProperty(process, "env", original);
    }
  })();
  return loading;
}
