import assert from "node:assert/strict";
import {
  completeWords,
  type DatasetContext,
  Directive,
  formatAnswer,
  type ProgramSpec,
} from "../../lib/completion/mod.ts";

const SPEC: ProgramSpec = {
  globalOptions: [
    { long: "--quiet", short: "-q", description: "no progress", takes: "none" },
    { long: "--debug", description: "stack traces", takes: "none" },
  ],
  commands: [
    { path: [], description: "", options: [], arguments: [] },
    {
      path: ["predict"],
      description: "send flows",
      arguments: [],
      options: [
        { long: "--dataset-uri", description: "the dataset", takes: "value", valueKind: "path" },
        { long: "--key", description: "pandas key", takes: "value", valueKind: "other" },
        { long: "--category", description: "a category", takes: "value", valueKind: "category" },
        {
          long: "--output",
          description: "format",
          takes: "value",
          choices: ["table", "json", "jsonl"],
        },
        { long: "--random", description: "any flows", takes: "none" },
      ],
    },
    {
      path: ["replay"],
      description: "replay",
      arguments: [],
      options: [
        { long: "--dataset-uri", description: "the dataset", takes: "value", valueKind: "path" },
        {
          long: "--category",
          description: "categories",
          takes: "value",
          variadic: true,
          valueKind: "category",
        },
      ],
    },
    {
      path: ["consume"],
      description: "notifications",
      arguments: [],
      options: [
        {
          long: "--delete-messages",
          description: "delete",
          takes: "optional",
          choices: ["True", "False"],
        },
        { long: "--count", description: "how many", takes: "value" },
      ],
    },
    { path: ["dataset"], description: "inspect", options: [], arguments: [] },
    {
      path: ["dataset", "sample"],
      description: "export",
      arguments: [{ name: "uri", valueKind: "path" }],
      options: [
        { long: "--category", description: "a category", takes: "value", valueKind: "category" },
        { long: "--s3-local-storage-path", description: "keep", takes: "value", valueKind: "path" },
      ],
    },
  ],
};

function values(answer: { candidates: { value: string }[] }): string[] {
  return answer.candidates.map((candidate) => candidate.value);
}

Deno.test("completion: subcommands by prefix, nested ones after their group", async () => {
  assert.deepEqual(values(await completeWords(SPEC, ["pr"])), ["predict"]);
  assert.deepEqual(values(await completeWords(SPEC, [""])), [
    "predict",
    "replay",
    "consume",
    "dataset",
  ]);
  assert.deepEqual(values(await completeWords(SPEC, [])), values(await completeWords(SPEC, [""])));
  assert.deepEqual(values(await completeWords(SPEC, ["dataset", ""])), ["sample"]);
  assert.equal((await completeWords(SPEC, ["pr"])).directive, Directive.NO_FILES);
});

Deno.test("completion: flags of the command and the global ones, with descriptions", async () => {
  const answer = await completeWords(SPEC, ["predict", "--out"]);
  assert.deepEqual(answer.candidates, [{ value: "--output", description: "format" }]);
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "--q"])), ["--quiet"]);
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "-"])).slice(-2), [
    "-q",
    "--debug",
  ]);
  // Global flags before the command do not change which command is completed.
  assert.deepEqual(values(await completeWords(SPEC, ["--quiet", "predict", "--r"])), ["--random"]);
});

Deno.test("completion: choices of a flag's value, also after --flag=", async () => {
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "--output", ""])), [
    "table",
    "json",
    "jsonl",
  ]);
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "--output", "js"])), [
    "json",
    "jsonl",
  ]);
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "--output=jsonl"])), ["jsonl"]);
  assert.deepEqual(values(await completeWords(SPEC, ["consume", "--delete-messages", ""])), [
    "True",
    "False",
  ]);
  // An optional value given, the next word is a flag again.
  assert.deepEqual(
    values(await completeWords(SPEC, ["consume", "--delete-messages", "True", "--co"])),
    ["--count"],
  );
  // A value that is not a choice gets nothing, and no file names.
  const count = await completeWords(SPEC, ["consume", "--count", ""]);
  assert.deepEqual(count, { candidates: [], directive: Directive.NO_FILES });
});

Deno.test("completion: where a path goes, the shell completes file names", async () => {
  assert.deepEqual(await completeWords(SPEC, ["predict", "--dataset-uri", "da"]), {
    candidates: [],
    directive: Directive.DEFAULT,
  });
  assert.equal(
    (await completeWords(SPEC, ["dataset", "sample", "x"])).directive,
    Directive.DEFAULT,
  );
  assert.equal(
    (await completeWords(SPEC, ["dataset", "sample", "a.h5", "--s3-local-storage-path", ""]))
      .directive,
    Directive.DEFAULT,
  );
  // After the dataset argument nothing more is positional.
  assert.equal(
    (await completeWords(SPEC, ["dataset", "sample", "a.h5", ""])).directive,
    Directive.NO_FILES,
  );
});

Deno.test("completion: category names come from the source, for the dataset on the line", async () => {
  const asked: DatasetContext[] = [];
  const categories = (dataset: DatasetContext) => {
    asked.push(dataset);
    return Promise.resolve(["Benign", "Bot", "DoS attacks-Hulk", "evil\u202eone", "bell\x07"]);
  };
  const answer = await completeWords(
    SPEC,
    ["predict", "--dataset-uri", "s3://b/test.h5", "--key", "k", "--category", "Bo"],
    { categories },
  );
  assert.deepEqual(values(answer), ["Bot"]);
  assert.deepEqual(asked, [{ uri: "s3://b/test.h5", key: "k", s3LocalStoragePath: undefined }]);
  const all = await completeWords(SPEC, ["predict", "--dataset-uri", "x.h5", "--category", ""], {
    categories,
  });
  assert.deepEqual(values(all), ["Benign", "Bot", "DoS attacks-Hulk"], "untypeable names dropped");
  // The dataset argument of dataset sample, and the storage path flag.
  await completeWords(
    SPEC,
    ["dataset", "sample", "t.h5", "--s3-local-storage-path", "/tmp/t.h5", "--category", ""],
    { categories },
  );
  assert.deepEqual(asked.at(-1), { uri: "t.h5", key: undefined, s3LocalStoragePath: "/tmp/t.h5" });
  // A variadic --category completes every further value.
  const more = await completeWords(
    SPEC,
    ["replay", "--dataset-uri", "x.h5", "--category", "Bot", "Ben"],
    { categories },
  );
  assert.deepEqual(values(more), ["Benign"]);
  // No dataset on the line yet: nothing to ask.
  const before = asked.length;
  assert.deepEqual(
    values(await completeWords(SPEC, ["predict", "--category", ""], { categories })),
    [],
  );
  assert.equal(asked.length, before);
});

Deno.test("completion: after -- every word is an operand", async () => {
  assert.deepEqual(values(await completeWords(SPEC, ["predict", "--", "--ou"])), []);
});

Deno.test("completion: the answer in the scripts' protocol", () => {
  assert.equal(
    formatAnswer({
      candidates: [
        { value: "predict", description: "send\tflows" },
        { value: "table", description: "" },
      ],
      directive: 4,
    }),
    "predict\tsend flows\ntable\n:4\n",
  );
  assert.equal(formatAnswer({ candidates: [], directive: 0 }), ":0\n");
});
