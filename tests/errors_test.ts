import assert from "node:assert/strict";
import {
  CancelledError,
  exitCodeOf,
  InputError,
  MachineError,
  MlidsError,
  RemoteError,
  UsageError,
} from "../lib/errors.ts";

Deno.test("errors: bad usage and input exit 2, remote and machine failures exit 1", () => {
  assert.equal(exitCodeOf(new UsageError("x").kind), 2);
  assert.equal(exitCodeOf(new InputError("x").kind), 2);
  assert.equal(exitCodeOf(new RemoteError("x").kind), 1);
  assert.equal(exitCodeOf(new MachineError("x").kind), 1);
  assert.equal(exitCodeOf(new CancelledError("x").kind), 130);
});

Deno.test("errors: carry hint, cause, status and their own class name", () => {
  const cause = new Error("socket hang up");
  const error = new RemoteError("API failed", { hint: "retry later", cause, status: 503 });
  assert.ok(error instanceof MlidsError);
  assert.equal(error.name, "RemoteError");
  assert.equal(error.hint, "retry later");
  assert.equal(error.cause, cause);
  assert.equal(error.status, 503);
});
