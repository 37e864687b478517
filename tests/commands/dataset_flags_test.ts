import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import {
  DEFAULT_S3_REGION,
  sourceOptionsFrom,
  withDatasetSourceOptions,
} from "../../commands/_dataset_flags.ts";
import { buildProgram } from "../../main.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

function leaves(command: AnyCommand, path = "mlids"): [string, AnyCommand][] {
  if (command.commands.length === 0) return [[path, command]];
  return command.commands.flatMap((sub) =>
    leaves(sub as AnyCommand, `${path} ${(sub as AnyCommand).name()}`)
  );
}

const SOURCE_FLAGS = [
  "--key",
  "--s3-region",
  "--s3-endpoint",
  "--s3-signed",
  "--s3-profile",
  "--s3-local-storage-path",
];

function declaration(command: AnyCommand, long: string): string {
  const option = command.options.find((candidate) => candidate.long === long);
  assert.ok(option, long);
  return JSON.stringify([
    option.flags,
    option.description,
    option.defaultValue,
    option.defaultValueDescription,
    option.hidden,
  ]);
}

Deno.test("every command that reads a dataset declares the same source flags", () => {
  const readers = leaves(buildProgram() as unknown as AnyCommand).filter(([, command]) =>
    command.options.some((option) => option.long === "--key")
  );
  const names = readers.map(([path]) => path);
  for (const expected of ["mlids predict", "mlids dataset info", "mlids dataset sample"]) {
    assert.ok(names.includes(expected), `${expected} reads a dataset: ${names.join(", ")}`);
  }
  const reference = new Command("reference");
  withDatasetSourceOptions(reference);
  for (const [path, command] of readers) {
    for (const flag of SOURCE_FLAGS) {
      assert.equal(
        declaration(command, flag),
        declaration(reference as unknown as AnyCommand, flag),
        `${path} ${flag}`,
      );
    }
    const uri = command.options.find((option) => option.long === "--dataset-uri");
    const argument = command.registeredArguments[0];
    const uriDescription = uri?.description ?? argument?.description;
    assert.match(uriDescription ?? "", /path, file:\/\/ URI or s3:\/\/bucket\/key/, path);
  }
});

Deno.test("source flags map onto the dataset open options", () => {
  const command = withDatasetSourceOptions(new Command("x").exitOverride());
  command.parse(["--key", "k", "--s3-signed", "--s3-profile", "lab"], { from: "user" });
  assert.deepEqual(sourceOptionsFrom(command.opts()), {
    key: "k",
    s3Region: DEFAULT_S3_REGION,
    s3Endpoint: undefined,
    s3Signed: true,
    s3Profile: "lab",
    s3LocalStoragePath: undefined,
  });
});
