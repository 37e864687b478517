/**
 * The permissions mlids runs with, in one place: the compile and install tasks bake exactly these
 * in, `deno task mlids` uses them, and a test runs the entry point under them.
 * @module
 */

/** Environment variables mlids and its libraries read (AWS SDK, proxies, terminal, cache location). */
export const MLIDS_ENV_VARS: readonly string[] = [
  "AWS_*",
  "_X_AMZN_TRACE_ID",
  "HOME",
  "USERPROFILE",
  "HOMEPATH",
  "HOMEDRIVE",
  "XDG_CACHE_HOME",
  "LOCALAPPDATA",
  "NO_COLOR",
  "FORCE_COLOR",
  "CLICOLOR_FORCE",
  "VERBOSE",
  "TERM",
  "TERM_PROGRAM",
  "TERM_PROGRAM_VERSION",
  "COLORTERM",
  "COLUMNS",
  // Read by Node's tty colour detection (util.styleText) and by @inquirer/prompts on a terminal.
  "NODE_DISABLE_COLORS",
  "TMUX",
  "TF_BUILD",
  "AGENT_NAME",
  "CI",
  "CI_NAME",
  "APPVEYOR",
  "BUILDKITE",
  "CIRCLECI",
  "DRONE",
  "GITEA_ACTIONS",
  "GITHUB_ACTIONS",
  "GITLAB_CI",
  "TRAVIS",
  "TEAMCITY_VERSION",
  "INQUIRER_KEYBINDINGS",
  "CLI_WIDTH",
  "WT_SESSION",
  "TERMINUS_SUBLIME",
  "TERMINAL_EMULATOR",
  "ConEmuTask",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "TMPDIR",
  "TMP",
  "TEMP",
];

/**
 * Deno permission flags for mlids: any host (the API, S3 and SQS endpoints are the user's), reading
 * datasets and AWS config anywhere, writing the cache and exports anywhere the user points, and the
 * environment variables above. No subprocesses, no FFI. Also the one V8 flag mlids runs with.
 */
export const MLIDS_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  `--allow-env=${MLIDS_ENV_VARS.join(",")}`,
  "--allow-sys=homedir,osRelease,hostname",
  // A 4 MiB young generation: a scan of a whole dataset keeps each batch alive while the next is
  // read, and V8 then grows its young generation up to its default maximum; capped, the peak memory
  // of a 1.62M-flow scan measured 113 MB instead of 260 MB (HDF5) and 135 MB instead of 199 MB
  // (CSV), at the same CPU time.
  "--v8-flags=--max-semi-space-size=4",
];

/** Targets `deno task compile` builds, with the file name suffix of each binary. */
export const COMPILE_TARGETS: readonly { target: string; name: string }[] = [
  { target: "x86_64-unknown-linux-gnu", name: "mlids-x86_64-linux" },
  { target: "aarch64-unknown-linux-gnu", name: "mlids-aarch64-linux" },
  { target: "x86_64-apple-darwin", name: "mlids-x86_64-macos" },
  { target: "aarch64-apple-darwin", name: "mlids-aarch64-macos" },
  { target: "x86_64-pc-windows-msvc", name: "mlids-x86_64-windows.exe" },
];
