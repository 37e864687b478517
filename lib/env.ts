/**
 * Reading environment variables the way every part of mlids wants them: unset, empty and
 * not-permitted all mean "not given", so a variable outside the binary's permissions never crashes it.
 * @module
 */

/** The value of the environment variable `name`, or undefined when it is unset, empty or not readable. */
export function envVar(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}
