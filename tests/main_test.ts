import assert from "node:assert/strict";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram } from "../main.ts";
import { mlidsCommand } from "../dev/run_mlids.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** Every command that runs something (no subcommands), with its words after `mlids`. */
function leaves(command: AnyCommand, path: string[] = []): [string[], AnyCommand][] {
  const visible = command.createHelp().visibleCommands(command).filter((sub) =>
    sub.name() !== "help"
  ) as AnyCommand[];
  if (command.commands.length === 0) return [[path, command]];
  return visible.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

/** The data commands: every leaf but the shell completion script. */
function dataCommands(program: AnyCommand): [string[], AnyCommand][] {
  return leaves(program).filter(([path]) => path[0] !== "completions");
}

/** What `mlids <path> --help` prints, the `Examples:` section included. */
function helpOf(command: AnyCommand): string {
  let text = "";
  command.configureOutput({ writeOut: (chunk) => void (text += chunk) });
  command.outputHelp();
  return text;
}

function program(): AnyCommand {
  return buildProgram() as unknown as AnyCommand;
}

Deno.test("help: every command has examples, marks required flags, one default notation", () => {
  const root = program();
  const commands: [string[], AnyCommand][] = [[[], root], ...leaves(root)];
  for (const [path, command] of commands) {
    const name = ["mlids", ...path].join(" ");
    const help = helpOf(command);
    assert.match(help, /\nExamples:\n( {2}# .+\n {2}\$ .*\bmlids .+\n)+/, name);
    assert.doesNotMatch(help, /\(default:? "|\(default [^:]|choices: "/, `${name}: one notation`);
    for (const option of command.options) {
      if (option.mandatory) {
        const line = help.slice(help.indexOf(option.flags));
        assert.match(line.slice(0, 400), /\(required[,)]/, `${name} ${option.long}`);
      }
    }
    // Global flags are listed in every command's help.
    assert.match(help, /--quiet/, name);
  }
});

Deno.test("vocabulary: every data command takes --output, and --count all where it counts", async () => {
  const root = program();
  const seen: string[] = [];
  for (const [path, command] of dataCommands(root)) {
    const output = command.options.find((option) => option.long === "--output");
    assert.ok(output, `${path.join(" ")} has --output`);
    const hasCount = command.options.some((option) => option.long === "--count");
    // Required flags and arguments get placeholder values; the action only records the flags.
    const args = [
      ...path,
      ...command.registeredArguments.filter((argument) => argument.required).map(() => "x"),
      ...command.options.filter((option) => option.mandatory).flatMap((option) => [
        option.long!,
        "http://127.0.0.1:9/x",
      ]),
      "--output",
      output.argChoices?.at(-1) ?? "json",
      ...(hasCount ? ["--count", "ALL"] : []),
    ];
    let flags: Record<string, unknown> | undefined;
    command.action(function (this: AnyCommand) {
      flags = this.opts();
    });
    await root.parseAsync(args, { from: "user" });
    assert.ok(flags, path.join(" "));
    assert.equal(flags.output, output.argChoices?.at(-1) ?? "json", path.join(" "));
    if (hasCount) assert.equal(flags.count, "all", path.join(" "));
    seen.push(`${path.join(" ")}${hasCount ? " (count)" : ""}`);
  }
  for (
    const expected of [
      "predict (count)",
      "consume (count)",
      "dataset info",
      "dataset sample (count)",
    ]
  ) {
    assert.ok(seen.includes(expected), `${expected} in ${seen.join(", ")}`);
  }
});

Deno.test("mlids alone prints a short usage on stderr and exits 2; a group alone exits 2", async () => {
  const alone = await (await mlidsCommand([], { stdout: "piped", stderr: "piped" })).output();
  const stderr = new TextDecoder().decode(alone.stderr);
  assert.equal(alone.code, 2);
  assert.equal(alone.stdout.length, 0);
  assert.match(stderr, /^Usage: mlids <command> \[options\]\nCommands: predict, consume, dataset/);
  assert.ok(stderr.split("\n").length <= 5, stderr);
  const group = await (await mlidsCommand(["dataset"], { stdout: "piped", stderr: "piped" }))
    .output();
  assert.equal(group.code, 2);
  assert.match(new TextDecoder().decode(group.stderr), /info .*\n.*sample/s);
  const help = await (await mlidsCommand(["--help"], { stdout: "piped", stderr: "piped" }))
    .output();
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /Examples:/);
});
