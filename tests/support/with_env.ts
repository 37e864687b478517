/**
 * Runs a test body with some environment variables set (or, for undefined, unset) and puts them
 * back afterwards, whatever happens.
 * @module
 */

/** Runs `body` with `vars` applied to the process environment, then restores what was there. */
export function withEnv(vars: Record<string, string | undefined>, body: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, Deno.env.get(key)]));
  try {
    for (const [key, value] of Object.entries(vars)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
    body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
  }
}
