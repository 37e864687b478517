import { downloadBar } from "../../lib/term/mod.ts";
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type Emulator, startEmulator } from "../../dev/emulator.ts";
import {
  CancelledError,
  InputError,
  MachineError,
  RemoteError,
  UsageError,
} from "../../lib/errors.ts";
import type { WritableLike } from "../../lib/term/progress.ts";
import {
  cachePathFor,
  fetchS3Object,
  parseS3Uri,
  type S3FetchOptions,
} from "../../lib/dataset/_s3.ts";
import { defaultCacheDir } from "../../lib/cache_dir.ts";
import { listFiles } from "../support/files.ts";
import {
  countOf,
  forward,
  type S3Proxy as Proxy,
  stalledDownload,
  startProxy,
} from "../support/s3_proxy.ts";

const BUCKET = "ml-ids-test";

async function putObject(emulator: Emulator, key: string, body: Uint8Array): Promise<void> {
  await emulator.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Every file under `dir`, relative, sorted (bounded by the small trees tests make). */
function capture(): { stream: WritableLike; text(): string } {
  let text = "";
  return {
    stream: {
      writeSync(bytes: Uint8Array): number {
        text += new TextDecoder().decode(bytes);
        return bytes.length;
      },
    },
    text: () => text,
  };
}

/** Runs `body` with fauxqs, a bucket, a recording proxy in front and a temp dir; cleans all up. */
async function withS3(
  body: (
    setup: { emulator: Emulator; proxy: Proxy; dir: string; options: S3FetchOptions },
  ) => Promise<void>,
): Promise<void> {
  const emulator = await startEmulator();
  const proxy = startProxy(emulator.endpoint);
  const dir = await Deno.makeTempDir({ prefix: "mlids-s3-test-" });
  try {
    await emulator.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const options: S3FetchOptions = {
      endpoint: proxy.endpoint,
      cacheDir: join(dir, "cache"),
    };
    await body({ emulator, proxy, dir, options });
  } finally {
    await proxy.stop();
    await emulator.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("s3_cache: parseS3Uri splits bucket and key, refuses what is not an object URI", () => {
  assert.deepEqual(parseS3Uri("s3://ml-ids-2018-full/testing/test.h5"), {
    bucket: "ml-ids-2018-full",
    key: "testing/test.h5",
  });
  assert.deepEqual(parseS3Uri("s3://b.k_t/a b/c.csv"), { bucket: "b.k_t", key: "a b/c.csv" });
  for (
    const bad of [
      "",
      "s3://",
      "s3://bucket",
      "s3://bucket/",
      "s3:///key",
      "http://b/k",
      "s3://b/dir/",
    ]
  ) {
    assert.throws(() => parseS3Uri(bad), UsageError, bad);
  }
});

Deno.test("s3_cache: the cache lives under XDG_CACHE_HOME, else ~/.cache; keys cannot escape it", () => {
  const saved = { xdg: Deno.env.get("XDG_CACHE_HOME"), home: Deno.env.get("HOME") };
  try {
    Deno.env.set("XDG_CACHE_HOME", "/tmp/xdg-cache");
    assert.equal(defaultCacheDir(), "/tmp/xdg-cache/mlids");
    Deno.env.delete("XDG_CACHE_HOME");
    Deno.env.set("HOME", "/home/analyst");
    if (Deno.build.os !== "windows") assert.equal(defaultCacheDir(), "/home/analyst/.cache/mlids");
  } finally {
    if (saved.xdg === undefined) Deno.env.delete("XDG_CACHE_HOME");
    else Deno.env.set("XDG_CACHE_HOME", saved.xdg);
    if (saved.home === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", saved.home);
  }
  assert.equal(
    cachePathFor("/c", "bkt", "testing/test.h5"),
    join("/c", "s3", "bkt", "testing", "test.h5"),
  );
  const escaped = cachePathFor("/c", "bkt", "../../../etc/passwd");
  assert.ok(escaped.startsWith(join("/c", "s3", "bkt") + "/"), escaped);
  assert.ok(!escaped.split("/").includes(".."), escaped);
  assert.equal(cachePathFor("/c", "bkt", "/abs//x"), join("/c", "s3", "bkt", "%", "abs", "%", "x"));
});

Deno.test("s3_cache: downloads anonymously, reuses the cached copy, refetches a changed object", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    const first = randomBytes(300_000, 1);
    await putObject(emulator, "testing/test.h5", first);
    const uri = `s3://${BUCKET}/testing/test.h5`;

    const path = await fetchS3Object(uri, options);
    assert.equal(path, join(options.cacheDir!, "s3", BUCKET, "testing", "test.h5"));
    assert.deepEqual(await Deno.readFile(path), first);
    const meta = JSON.parse(await Deno.readTextFile(`${path}.meta.json`));
    assert.equal(meta.size, first.length);
    assert.match(meta.etag, /^".+"$/);
    assert.equal(countOf(proxy, "GET"), 1);

    // Anonymous: nothing that signs or carries credentials went out.
    for (const request of proxy.seen) {
      assert.equal(request.headers.get("authorization"), null, `${request.method} ${request.path}`);
      assert.equal(request.headers.get("x-amz-security-token"), null);
      assert.equal(request.headers.get("x-amz-date"), null);
    }
    const get = proxy.seen.find((request) => request.method === "GET")!;
    assert.equal(get.path, `/${BUCKET}/testing/test.h5`, "path-style addressing");
    assert.equal(get.headers.get("if-match"), meta.etag);

    const before = await Deno.stat(path);
    const notices: string[] = [];
    assert.equal(await fetchS3Object(uri, { ...options, onNotice: (m) => notices.push(m) }), path);
    assert.equal(countOf(proxy, "GET"), 1, "second fetch must not download again");
    assert.equal(countOf(proxy, "HEAD"), 2);
    assert.equal((await Deno.stat(path)).mtime?.getTime(), before.mtime?.getTime());
    assert.match(notices.join("\n"), /using the cached copy/);

    const second = randomBytes(200_000, 2);
    await putObject(emulator, "testing/test.h5", second);
    assert.equal(await fetchS3Object(uri, options), path);
    assert.equal(countOf(proxy, "GET"), 2, "a new ETag means a new download");
    assert.deepEqual(await Deno.readFile(path), second);
    const cached = (await listFiles(options.cacheDir!)).map((path) =>
      relative(options.cacheDir!, path).replaceAll("\\", "/")
    );
    assert.deepEqual(cached, [
      `s3/${BUCKET}/testing/test.h5`,
      `s3/${BUCKET}/testing/test.h5.meta.json`,
    ]);
  });
});

Deno.test("s3_cache: a cached file whose size no longer matches its sidecar is downloaded again", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    const bytes = randomBytes(10_000, 3);
    await putObject(emulator, "a.csv", bytes);
    const path = await fetchS3Object(`s3://${BUCKET}/a.csv`, options);
    await Deno.writeFile(path, bytes.subarray(0, 5_000));
    await fetchS3Object(`s3://${BUCKET}/a.csv`, options);
    assert.equal(countOf(proxy, "GET"), 2);
    assert.deepEqual(await Deno.readFile(path), bytes);
  });
});

Deno.test("s3_cache: localPath is used instead of the cache, as a file or inside a directory", async () => {
  await withS3(async ({ emulator, proxy, dir, options }) => {
    const bytes = randomBytes(50_000, 4);
    await putObject(emulator, "testing/test.h5", bytes);
    const uri = `s3://${BUCKET}/testing/test.h5`;
    const explicit = join(dir, "mine", "data.h5");
    assert.equal(await fetchS3Object(uri, { ...options, localPath: explicit }), explicit);
    assert.deepEqual(await Deno.readFile(explicit), bytes);
    assert.deepEqual(await listFiles(options.cacheDir!), []);
    await fetchS3Object(uri, { ...options, localPath: explicit });
    assert.equal(countOf(proxy, "GET"), 1, "the explicit file is reused too");

    const folder = join(dir, "folder");
    await Deno.mkdir(folder);
    assert.equal(
      await fetchS3Object(uri, { ...options, localPath: folder }),
      join(folder, "test.h5"),
    );
    assert.deepEqual(await Deno.readFile(join(folder, "test.h5")), bytes);
  });
});

Deno.test("s3_cache: missing key and missing bucket are InputErrors and leave nothing behind", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "present.h5", randomBytes(10, 5));
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/testing/missing.h5`, options),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, /s3:\/\/ml-ids-test\/testing\/missing\.h5 does not exist/);
        assert.match(error.message, /no such key/);
        assert.match(error.hint!, /check the URI/);
        return true;
      },
    );
    await assert.rejects(
      () => fetchS3Object("s3://no-such-bucket/testing/test.h5", options),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, /no bucket 'no-such-bucket'/);
        return true;
      },
    );
    assert.equal(countOf(proxy, "GET"), 0);
    assert.deepEqual(await listFiles(options.cacheDir!), []);
  });
});

Deno.test("s3_cache: 403 is a RemoteError that suggests signing, and 4xx is not retried", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "private.h5", randomBytes(10, 6));
    proxy.fault = () => Promise.resolve(new Response(null, { status: 403 }));
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/private.h5`, options),
      (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(error.status, 403);
        assert.equal(
          error.message,
          `access denied to s3://${BUCKET}/private.h5: the bucket is not public`,
        );
        assert.match(error.hint!, /--s3-signed or --s3-profile/);
        return true;
      },
    );
    assert.equal(proxy.seen.length, 1);
  });
});

Deno.test("s3_cache: 503 is retried a bounded number of times, then a RemoteError", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "busy.h5", randomBytes(10, 7));
    proxy.fault = () => Promise.resolve(new Response(null, { status: 503 }));
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/busy.h5`, { ...options, maxAttempts: 3 }),
      (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(error.status, 503);
        assert.match(error.message, /HTTP 503/);
        return true;
      },
    );
    assert.equal(proxy.seen.length, 3);
  });
});

Deno.test("s3_cache: connection refused is a RemoteError naming the endpoint", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(),
  );
  const port = server.addr.port;
  await server.shutdown();
  const dir = await Deno.makeTempDir({ prefix: "mlids-s3-test-" });
  try {
    const endpoint = `http://127.0.0.1:${port}`;
    await assert.rejects(
      () =>
        fetchS3Object(`s3://${BUCKET}/x.h5`, {
          endpoint,
          cacheDir: dir,
          maxAttempts: 2,
        }),
      (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(
          error.message,
          `cannot reach S3 at ${endpoint} to read s3://${BUCKET}/x.h5 (ECONNREFUSED)`,
        );
        assert.match(error.hint!, /network/);
        return true;
      },
    );
    assert.deepEqual(await listFiles(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s3_cache: the endpoint comes from AWS_ENDPOINT_URL_S3 when not given; a bad one is a UsageError", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "env.h5", randomBytes(100, 8));
    const saved = Deno.env.get("AWS_ENDPOINT_URL_S3");
    try {
      Deno.env.set("AWS_ENDPOINT_URL_S3", proxy.endpoint);
      const path = await fetchS3Object(`s3://${BUCKET}/env.h5`, {
        ...options,
        endpoint: undefined,
      });
      assert.equal((await Deno.readFile(path)).length, 100);
      assert.equal(countOf(proxy, "GET"), 1);
      Deno.env.set("AWS_ENDPOINT_URL_S3", "not a url");
      await assert.rejects(
        () => fetchS3Object(`s3://${BUCKET}/env.h5`, { ...options, endpoint: undefined }),
        (error: unknown) =>
          error instanceof UsageError && /AWS_ENDPOINT_URL_S3/.test(error.message),
      );
    } finally {
      if (saved === undefined) Deno.env.delete("AWS_ENDPOINT_URL_S3");
      else Deno.env.set("AWS_ENDPOINT_URL_S3", saved);
    }
  });
});

Deno.test("s3_cache: a body cut short is retried, then fails with no file or .part left", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "short.h5", randomBytes(100_000, 9));
    proxy.fault = async (request, upstream) => {
      if (request.method !== "GET") return undefined;
      const full = await forward(request, upstream);
      const bytes = new Uint8Array(await full.arrayBuffer());
      const headers = new Headers(full.headers);
      headers.delete("content-length");
      for (const name of [...headers.keys()]) {
        if (name.startsWith("x-amz-checksum")) headers.delete(name);
      }
      return new Response(bytes.subarray(0, 40_000), { status: 200, headers });
    };
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/short.h5`, { ...options, maxAttempts: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.match(error.message, /broke off: 40000 of 100000 bytes arrived/);
        return true;
      },
    );
    assert.equal(countOf(proxy, "GET"), 2);
    assert.deepEqual(await listFiles(options.cacheDir!), []);
  });
});

/**
 * A raw TCP "S3" that answers HEAD properly and GET with the headers, 30,000 of the 100,000 bytes
 * it announces, then hangs up: a connection dropped mid-body, as the SDK really sees one.
 */
function startDroppingServer(): { endpoint: string; gets(): number; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let gets = 0;
  const handlers: Promise<void>[] = [];
  async function handle(conn: Deno.Conn): Promise<void> {
    try {
      const buffer = new Uint8Array(16_384);
      let head = "";
      // Request heads are small; a few reads at most.
      for (let i = 0; i < 16 && !head.includes("\r\n\r\n"); i++) {
        const n = await conn.read(buffer);
        if (n === null) return;
        head += new TextDecoder().decode(buffer.subarray(0, n));
      }
      const isGet = head.startsWith("GET ");
      if (isGet) gets++;
      const headers = 'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nETag: "abc"\r\n' +
        "Last-Modified: Mon, 23 Nov 2026 18:00:00 GMT\r\nConnection: close\r\n\r\n";
      await conn.write(new TextEncoder().encode(headers));
      if (isGet) await conn.write(new Uint8Array(30_000));
    } catch {
      // The client went away first; nothing to do.
    } finally {
      conn.close();
    }
  }
  const accepting = (async () => {
    try {
      for await (const conn of listener) handlers.push(handle(conn));
    } catch {
      // Closed.
    }
  })();
  return {
    endpoint: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    gets: () => gets,
    async stop() {
      listener.close();
      await accepting;
      await Promise.all(handlers);
    },
  };
}

Deno.test("s3_cache: a connection dropped mid-body is retried, then a RemoteError, no file or .part left", async () => {
  const server = startDroppingServer();
  const dir = await Deno.makeTempDir({ prefix: "mlids-s3-test-" });
  try {
    await assert.rejects(
      () =>
        fetchS3Object(`s3://${BUCKET}/drop.h5`, {
          endpoint: server.endpoint,
          cacheDir: dir,
          maxAttempts: 2,
        }),
      (error: unknown) => {
        assert.ok(error instanceof RemoteError, String(error));
        assert.match(
          error.message,
          /download of s3:\/\/ml-ids-test\/drop\.h5 broke off: \d+ of 100000 bytes arrived/,
        );
        return true;
      },
    );
    assert.equal(server.gets(), 2);
    assert.deepEqual(await listFiles(dir), []);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s3_cache: signed requests use the credential chain or a profile; no credentials is a UsageError", async () => {
  await withS3(async ({ emulator, proxy, dir, options }) => {
    await putObject(emulator, "signed.h5", randomBytes(100, 16));
    const names = [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_SHARED_CREDENTIALS_FILE",
      "AWS_CONFIG_FILE",
    ];
    const saved = new Map(names.map((name) => [name, Deno.env.get(name)]));
    try {
      for (const name of names) Deno.env.delete(name);
      Deno.env.set("AWS_ACCESS_KEY_ID", "AKIDFROMENV");
      Deno.env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
      await fetchS3Object(`s3://${BUCKET}/signed.h5`, { ...options, signed: true });
      assert.match(
        proxy.seen.at(-1)!.headers.get("authorization") ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDFROMENV\//,
      );
      Deno.env.delete("AWS_ACCESS_KEY_ID");
      Deno.env.delete("AWS_SECRET_ACCESS_KEY");

      const credentials = join(dir, "credentials");
      await Deno.writeTextFile(
        credentials,
        "[analyst]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n",
      );
      Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", credentials);
      Deno.env.set("AWS_CONFIG_FILE", join(dir, "no-config"));
      await fetchS3Object(`s3://${BUCKET}/signed.h5`, {
        ...options,
        profile: "analyst",
        localPath: join(dir, "other.h5"),
      });
      assert.match(
        proxy.seen.at(-1)!.headers.get("authorization") ?? "",
        /^AWS4-HMAC-SHA256 Credential=AKIDFROMPROFILE\//,
      );

      await assert.rejects(
        () =>
          fetchS3Object(`s3://${BUCKET}/signed.h5`, {
            ...options,
            profile: "nobody",
            localPath: join(dir, "third.h5"),
          }),
        (error: unknown) => {
          assert.ok(error instanceof UsageError, String(error));
          assert.match(error.message, /no AWS credentials/);
          assert.ok(!error.message.includes("secret") && !error.hint!.includes("secret"));
          return true;
        },
      );
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) Deno.env.delete(name);
        else Deno.env.set(name, value);
      }
    }
  });
});

Deno.test("s3_cache: an object changed between HEAD and GET fails If-Match, then downloads the new one", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "moving.h5", randomBytes(1_000, 11));
    const replacement = randomBytes(2_000, 12);
    let changed = false;
    proxy.fault = async (request) => {
      if (request.method === "GET" && !changed) {
        changed = true;
        await putObject(emulator, "moving.h5", replacement);
      }
      return undefined;
    };
    const notices: string[] = [];
    const path = await fetchS3Object(`s3://${BUCKET}/moving.h5`, {
      ...options,
      onNotice: (message) => notices.push(message),
    });
    assert.deepEqual(await Deno.readFile(path), replacement);
    assert.equal(countOf(proxy, "GET"), 2);
    assert.match(notices.join("\n"), /changed while it was being read/);
  });
});

Deno.test("s3_cache: a cache directory that cannot be created is a MachineError naming it", async () => {
  await withS3(async ({ emulator, dir, options }) => {
    await putObject(emulator, "x.h5", randomBytes(10, 13));
    const blocker = join(dir, "not-a-dir");
    await Deno.writeTextFile(blocker, "a file where the cache should go");
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/x.h5`, { ...options, cacheDir: join(blocker, "cache") }),
      (error: unknown) => {
        assert.ok(error instanceof MachineError);
        assert.ok(error.message.includes(join(blocker, "cache", "s3", BUCKET)), error.message);
        assert.match(error.hint!, /XDG_CACHE_HOME|--s3-local-storage-path/);
        return true;
      },
    );
  });
});

Deno.test("s3_cache: download progress off a terminal is a few lines, not thousands", async () => {
  await withS3(async ({ emulator, options }) => {
    await putObject(emulator, "big.h5", randomBytes(4 * 1024 * 1024, 14));
    const out = capture();
    await fetchS3Object(`s3://${BUCKET}/big.h5`, {
      ...options,
      onProgress: downloadBar({ stream: out.stream, isTerminal: false }),
    });
    const lines = out.text().trimEnd().split("\n");
    assert.ok(lines.length >= 1 && lines.length <= 10, `${lines.length} lines`);
    assert.match(lines.at(-1)!, /^big\.h5: 4\.00 MiB in /);
  });
});

Deno.test("s3_cache: a stop request during a download is a CancelledError and leaves no .part file", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "slow.h5", randomBytes(100_000, 15));
    const stalled = stalledDownload(50_000, 100_000);
    proxy.fault = stalled.fault;
    const controller = new AbortController();
    const partDir = join(options.cacheDir!, "s3", BUCKET);
    // Bounded: a download that ignored the request would finish once the body is let go.
    const guard = setTimeout(() => stalled.release(), 20_000);
    try {
      const fetching = fetchS3Object(`s3://${BUCKET}/slow.h5`, {
        ...options,
        signal: controller.signal,
        onProgress: (progress) => {
          // Half the body is in and the rest hangs: the user gives up.
          if (progress.state === "running" && progress.received >= 50_000) controller.abort();
        },
      });
      await assert.rejects(fetching, (error: unknown) => {
        assert.ok(error instanceof CancelledError, String(error));
        assert.match(
          error.message,
          /the download of s3:\/\/[^ ]+ was interrupted; nothing was kept/,
        );
        return true;
      });
      assert.deepEqual(await listFiles(partDir), []);
      assert.equal(countOf(proxy, "GET"), 1, "a cancelled download is not retried");
    } finally {
      clearTimeout(guard);
      stalled.release();
    }
  });
});

Deno.test("s3_cache: a failing GET is attempted maxAttempts times in all: one retry layer, not the SDK's inside ours", async () => {
  await withS3(async ({ emulator, proxy, options }) => {
    await putObject(emulator, "flaky.h5", randomBytes(1_000, 17));
    proxy.fault = (request) =>
      Promise.resolve(request.method === "GET" ? new Response(null, { status: 503 }) : undefined);
    await assert.rejects(
      () => fetchS3Object(`s3://${BUCKET}/flaky.h5`, options),
      (error: unknown) => error instanceof RemoteError && /HTTP 503/.test(error.message),
    );
    assert.equal(countOf(proxy, "GET"), 3);
    assert.equal(countOf(proxy, "HEAD"), 3);
  });
});

Deno.test("s3_cache: S3 out of reach: a complete cached copy is used with a notice, else a RemoteError", async () => {
  await withS3(async ({ emulator, options }) => {
    const bytes = randomBytes(5_000, 18);
    await putObject(emulator, "offline.h5", bytes);
    const path = await fetchS3Object(`s3://${BUCKET}/offline.h5`, options);
    // Nothing listens on the port a closed listener had: connection refused, as offline.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const unreachable = `http://127.0.0.1:${(closed.addr as Deno.NetAddr).port}`;
    closed.close();
    const notices: string[] = [];
    const again = await fetchS3Object(`s3://${BUCKET}/offline.h5`, {
      ...options,
      endpoint: unreachable,
      onNotice: (message) => notices.push(message),
    });
    assert.equal(again, path);
    assert.deepEqual(await Deno.readFile(again), bytes);
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.match(
      notices[0],
      /^cannot reach S3 to check s3:\/\/ml-ids-test\/offline\.h5 \(ECONNREFUSED\): using the cached copy at .+offline\.h5, which may be out of date$/,
    );
    // A copy cut short (its size no longer the recorded one) is not used.
    await Deno.truncate(path, 100);
    await assert.rejects(
      () =>
        fetchS3Object(`s3://${BUCKET}/offline.h5`, {
          ...options,
          endpoint: unreachable,
          maxAttempts: 1,
        }),
      (error: unknown) => error instanceof RemoteError && /cannot reach S3/.test(error.message),
    );
  });
});

Deno.test("s3_cache: .part files left by a killed download go once they are an hour old", async () => {
  await withS3(async ({ emulator, options }) => {
    await putObject(emulator, "left.h5", randomBytes(1_000, 19));
    const target = cachePathFor(options.cacheDir!, BUCKET, "left.h5");
    await Deno.mkdir(dirname(target), { recursive: true });
    const old = `${target}.0a1b2c3d.part`;
    const fresh = `${target}.4e5f6a7b.part`;
    const other = join(dirname(target), "someone-else.part");
    for (const path of [old, fresh, other]) await Deno.writeFile(path, new Uint8Array(10));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(old, twoHoursAgo, twoHoursAgo);
    await Deno.utime(other, twoHoursAgo, twoHoursAgo);
    await fetchS3Object(`s3://${BUCKET}/left.h5`, options);
    const left = (await listFiles(dirname(target))).map((path) => relative(dirname(target), path));
    // The fresh one may be another process's download under way; the other is not this object's.
    assert.deepEqual(left, [
      "left.h5",
      "left.h5.4e5f6a7b.part",
      "left.h5.meta.json",
      "someone-else.part",
    ]);
  });
});
