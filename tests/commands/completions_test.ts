import assert from "node:assert/strict";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram } from "../../main.ts";
import { programSpec } from "../../commands/completions.ts";
import { completeWords } from "../../lib/completion/mod.ts";
import { mlidsEnv, REPO_ROOT, shellQuote } from "../../dev/run_mlids.ts";
import { type PtySession, scriptAvailable, spawnInPty } from "../support/pty.ts";
import { installMlids, listFiles } from "../support/files.ts";

const FIXTURE = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");

async function has(program: string): Promise<boolean> {
  return await new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((out) => out.code === 0, () => false);
}

const bashHere = await has("bash");
const zshHere = await has("zsh");
const fishHere = await has("fish");
const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const bashCompletionHere = await Deno.stat(BASH_COMPLETION).then(() => true, () => false);

/**
 * A folder with an `mlids` on PATH (the entry point under the binary's permissions), a cache, and
 * `flows-only.h5` whose label index is already cached (so its categories can complete).
 */
async function workspace(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-completion-" });
  const bin = await installMlids(dir);
  const wrapper = join(bin, "mlids");
  await Deno.copyFile(FIXTURE, join(dir, "flows-only.h5"));
  const env = await mlidsEnv({
    PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    HOME: dir,
    XDG_CACHE_HOME: join(dir, "cache"),
    NO_COLOR: "1",
    TERM: "dumb",
    INPUTRC: "/dev/null",
  });
  const indexed = await new Deno.Command(wrapper, {
    args: ["dataset", "info", "flows-only.h5", "--quiet"],
    cwd: dir,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(indexed.code, 0, new TextDecoder().decode(indexed.stderr));
  return { dir, env };
}

/** Lines every shell's completion is tried on first: a command, a flag, the flag's choices. */
const FIRST_TRIES = ["mlids pr", "mlids predict --out", "mlids predict --output "];

/** Runs `fn` in a fresh {@linkcode workspace}, removed afterwards. */
async function withWorkspace(
  fn: (dir: string, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const { dir, env } = await workspace();
  try {
    await fn(dir, env);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(
  program: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * An interactive bash or zsh in a pseudo-terminal, in a fresh {@linkcode workspace}, with the
 * prompt `READY> ` and mlids' completion script sourced; `work` types into it once it is ready.
 */
async function withInteractiveShell(
  shell: "bash" | "zsh",
  work: (pty: PtySession) => Promise<void>,
): Promise<void> {
  await withWorkspace(async (dir, env) => {
    let inner: string;
    if (shell === "bash") {
      // One Tab lists every match, as many people set readline up.
      const rc = join(dir, "bashrc");
      await Deno.writeTextFile(
        rc,
        "PS1='READY> '\nbind 'set show-all-if-ambiguous on'\nsource <(mlids completions bash)\n",
      );
      inner = `cd ${shellQuote(dir)} && exec bash --noprofile --rcfile ${shellQuote(rc)} -i`;
    } else {
      await Deno.writeTextFile(
        join(dir, ".zshrc"),
        "PS1='READY> '\nautoload -U compinit && compinit -u -d $HOME/.zcompdump\n" +
          "source <(mlids completions zsh)\n",
      );
      inner = `cd ${shellQuote(dir)} && ZDOTDIR=${shellQuote(dir)} exec zsh -i`;
    }
    const pty = spawnInPty(`sh -c ${shellQuote(inner)}`, env, { timeoutMs: 60_000 });
    // A read that waits for output that never comes ends when the pseudo-terminal is closed.
    const guard = setTimeout(() => pty.close(), 60_000);
    try {
      await pty.readUntil("READY> ");
      await work(pty);
    } finally {
      clearTimeout(guard);
      await pty.close();
    }
  });
}

Deno.test({
  name:
    "completions: Tab in a real interactive bash completes commands, flags, choices, files, categories",
  ignore: !bashHere || !scriptAvailable,
  fn: () =>
    withInteractiveShell("bash", async (pty) => {
      const kill = "\x15"; // Ctrl-U: the line is cleared for the next try.
      await pty.answer("mlids pr\t", "mlids predict ");
      await pty.answer(`${kill}mlids predict --out\t`, "--output ");
      await pty.answer(`${kill}mlids predict --output \t`, "jsonl");
      assert.match(pty.screen().slice(-400), /csv\s+json\s+jsonl\s+table/);
      // A value joined with = completes after the =.
      await pty.answer(`${kill}mlids predict --output=ta\t`, "--output=table ");
      await pty.answer(`${kill}mlids predict --output=\t`, "jsonl");
      // A dataset argument: the shell's own file names.
      await pty.answer(`${kill}mlids dataset info flows-o\t`, "flows-only.h5 ");
      // Category names from the index cache of the dataset on the line, quoted for the shell.
      await pty.answer(
        `${kill}mlids dataset sample flows-only.h5 --category DD\t`,
        "--category DDOS\\ attack-HOIC ",
      );
      assert.equal(await pty.finish(`${kill}exit\n`), 0);
    }),
});

Deno.test({
  name: "completions: the bash script answers through COMPREPLY, with and without bash-completion",
  ignore: !bashHere,
  async fn() {
    await withWorkspace(async (dir, env) => {
      const tries = [
        ...FIRST_TRIES,
        "mlids predict --output=js",
        "mlids --quiet dataset sample flows-only.h5 --category Br",
      ];
      const script = [
        "source <(mlids completions bash)",
        "try() {",
        '  COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}',
        '  read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" =~ [[:space:]]$ ]] && COMP_WORDS+=("")',
        "  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()",
        '  __mlids_complete mlids "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null',
        '  echo "${COMPREPLY[*]}"',
        "}",
        ...tries.map((line) => `try ${shellQuote(line)}`),
      ].join("\n");
      const expected = [
        "predict",
        "--output",
        "table json jsonl csv",
        "json jsonl",
        "Brute\\ Force\\ -XSS",
      ];
      for (const preamble of ["", ...(bashCompletionHere ? [`source ${BASH_COMPLETION}`] : [])]) {
        const out = await run("bash", ["--norc", "--noprofile", "-c", `${preamble}\n${script}`], {
          cwd: dir,
          env,
        });
        assert.equal(out.code, 0, out.stderr);
        assert.deepEqual(out.stdout.trimEnd().split("\n"), expected, preamble || "plain bash");
      }
      // Sourcing twice (a re-read ~/.bashrc) is quiet.
      const twice = await run(
        "bash",
        ["--norc", "-c", "source <(mlids completions bash); source <(mlids completions bash)"],
        { cwd: dir, env },
      );
      assert.equal(twice.code, 0);
      assert.equal(twice.stderr, "");
    });
  },
});

Deno.test({
  name: "completions: the fish script completes in fish",
  ignore: !fishHere,
  async fn() {
    await withWorkspace(async (dir, env) => {
      const lines = [
        ...FIRST_TRIES,
        "mlids dataset info flows-o",
        "mlids dataset sample flows-only.h5 --category DD",
      ];
      const script = [
        "mlids completions fish | source",
        ...lines.map((line) => `complete -C ${shellQuote(line)}; echo ---`),
      ].join("\n");
      const out = await run("fish", ["--no-config", "-c", script], { cwd: dir, env });
      assert.equal(out.code, 0, out.stderr);
      const answers = out.stdout.split("---\n").map((answer) =>
        answer.trim().split("\n").map((line) => line.split("\t")[0])
      );
      assert.deepEqual(answers.slice(0, 5), [
        ["predict"],
        ["--output"],
        ["csv", "json", "jsonl", "table"],
        ["flows-only.h5"],
        ["DDOS attack-HOIC"],
      ]);
    });
  },
});

Deno.test({
  name: "completions: the zsh script loads in zsh and defines its completion function",
  ignore: !zshHere,
  async fn() {
    await withWorkspace(async (dir, env) => {
      const out = await run(
        "zsh",
        [
          "-f",
          "-c",
          "autoload -U compinit && compinit -u -d $HOME/.zcompdump && source <(mlids completions zsh) && whence -w _mlids",
        ],
        { cwd: dir, env },
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), "_mlids: function");
      assert.equal(out.stderr, "");
    });
  },
});

Deno.test({
  name: "completions: Tab in a real interactive zsh completes commands, flags, choices, categories",
  ignore: !zshHere || !scriptAvailable,
  fn: () =>
    withInteractiveShell("zsh", async (pty) => {
      const kill = "\x15"; // Ctrl-U: the line is cleared for the next try.
      await pty.answer("mlids pr\t", "mlids predict ");
      await pty.answer(`${kill}mlids predict --outp\t`, "--output ");
      await pty.answer(`${kill}mlids predict --output ta\t`, "--output table ");
      await pty.answer(
        `${kill}mlids dataset sample flows-only.h5 --category DD\t`,
        "--category DDOS\\ attack-HOIC ",
      );
      // The name went onto the line quoted: the command reads one category.
      await pty.answer(" --count 1 --output jsonl\n", "READY> ");
      assert.match(pty.screen().slice(-1000), /"label":"DDOS attack-HOIC"}/);
      assert.equal(await pty.finish(`${kill}exit\n`), 0);
    }),
});

Deno.test("completions: category names come from the index cache only, never a download", async () => {
  await withWorkspace(async (dir, env) => {
    const mlids = join(dir, "bin", "mlids");
    // Nothing cached for this object, and no S3 to reach: no names, nothing fetched or written.
    const before = await listFiles(join(dir, "cache"));
    const s3 = await run(
      mlids,
      [
        "complete",
        "--",
        "predict",
        "--dataset-uri",
        "s3://ml-ids-2018-full/testing/test.h5",
        "--category",
        "",
      ],
      { cwd: dir, env: { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:9" } },
    );
    assert.equal(s3.code, 0, s3.stderr);
    assert.equal(s3.stdout, ":4\n");
    assert.deepEqual(await listFiles(join(dir, "cache")), before);
    // The same object kept in a file whose index is cached: its names, most frequent first.
    const kept = await run(
      mlids,
      [
        "complete",
        "--",
        "predict",
        "--dataset-uri",
        "s3://ml-ids-2018-full/testing/test.h5",
        "--s3-local-storage-path",
        "flows-only.h5",
        "--category",
        "",
      ],
      { cwd: dir, env },
    );
    assert.deepEqual(kept.stdout.trimEnd().split("\n"), [
      "Benign",
      "DDOS attack-HOIC",
      "Bot",
      "SSH-Bruteforce",
      "Brute Force -XSS",
      "Angriff – Überlast ✓",
      ":4",
    ]);
    // A dataset never opened has no index: nothing, rather than reading it now.
    await Deno.copyFile(FIXTURE, join(dir, "never-opened.h5"));
    const fresh = await run(
      mlids,
      ["complete", "--", "dataset", "sample", "never-opened.h5", "--category", ""],
      { cwd: dir, env },
    );
    assert.equal(fresh.stdout, ":4\n");
    assert.deepEqual(await listFiles(join(dir, "cache")), before);
  });
});

Deno.test("completions: every visible command and flag of the tree completes, later ones too", async () => {
  const program = buildProgram() as unknown as Command<unknown[], Record<string, unknown>>;
  const spec = programSpec(program);
  const top = (await completeWords(spec, [""])).candidates.map((candidate) => candidate.value);
  const visible = program.createHelp().visibleCommands(program as unknown as Command).map((
    command,
  ) => command.name());
  assert.deepEqual(top, visible);
  assert.ok(!top.includes("complete"), "the hidden request command is not offered");
  for (const command of program.commands) {
    const name = command.name();
    if (!visible.includes(name) || command.commands.length > 0) continue;
    const flags = (await completeWords(spec, [name, "--"])).candidates.map((c) => c.value);
    for (const option of command.createHelp().visibleOptions(command as unknown as Command)) {
      assert.ok(flags.includes(option.long!), `${name} ${option.long}`);
    }
    for (const option of command.options.filter((option) => option.hidden)) {
      assert.ok(!flags.includes(option.long!), `${name} hides ${option.long}`);
    }
  }
});
