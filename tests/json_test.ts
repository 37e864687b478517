import assert from "node:assert/strict";
import { isRecord, parseJsonExact, stringifyJsonExact } from "../lib/json.ts";

Deno.test("parseJsonExact: integers beyond 2^53 become bigints, the rest as JSON.parse gives it", () => {
  const text =
    '{"a":1199710477670935696,"b":-9223372036854775808,"c":9007199254740991,"d":1.5e300,"e":12345678901234567.5,"f":[18446744073709551615]}';
  assert.deepEqual(parseJsonExact(text), {
    a: 1199710477670935696n,
    b: -9223372036854775808n,
    c: 9007199254740991,
    d: 1.5e300,
    // A float stays a float, however many digits it has.
    e: 12345678901234567.5,
    f: [18446744073709551615n],
  });
  assert.deepEqual(
    parseJsonExact('{"short":[1,2.5,"x",null,true]}'),
    JSON.parse('{"short":[1,2.5,"x",null,true]}'),
  );
  assert.throws(() => parseJsonExact("{nope"), SyntaxError);
});

Deno.test("stringifyJsonExact: bigints as their digits, everything else as JSON.stringify", () => {
  const value = { id: 1199710477670935696n, list: [1n, 2.5, "t"], nested: { n: null } };
  assert.equal(
    stringifyJsonExact(value),
    '{"id":1199710477670935696,"list":[1,2.5,"t"],"nested":{"n":null}}',
  );
  assert.equal(stringifyJsonExact({ a: 1, b: "x" }), JSON.stringify({ a: 1, b: "x" }));
  const text = '{"a":1199710477670935696,"b":[-18446744073709551615]}';
  assert.equal(stringifyJsonExact(parseJsonExact(text)), text);
});

Deno.test("json: isRecord is true for objects only, not null, arrays or primitives", () => {
  assert.equal(isRecord({ a: 1 }), true);
  assert.equal(isRecord(JSON.parse("{}")), true);
  for (const value of [null, [1], "x", 3, undefined, true]) assert.equal(isRecord(value), false);
});
