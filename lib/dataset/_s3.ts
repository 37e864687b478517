/**
 * S3 objects cached on local disk: `s3://bucket/key` becomes a local file, downloaded once and
 * reused while the object's size and ETag stay the same. Reads anonymously by default (the
 * ML-IDS test set is in a public bucket); never leaves a half-written file behind.
 * @module
 */

import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { fromIni, fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { basename, dirname } from "node:path";
import { removeStaleParts } from "../cache_dir.ts";
import { envVar } from "../env.ts";
import { cachePathFor, EXAMPLE_URI, parseS3Uri, s3LocalPath } from "./_s3_paths.ts";

export { cachePathFor, parseS3Uri };
import {
  CancelledError,
  InputError,
  MachineError,
  MlidsError,
  RemoteError,
  UsageError,
} from "../errors.ts";
import { backoffDelay, networkErrorCode, sleep } from "../retry.ts";
import { writeAll } from "../write_all.ts";

/** How to reach S3 and where to keep the object. */
export interface S3FetchOptions {
  /** Region of the bucket; default `eu-west-1` (the ML-IDS bucket's). */
  region?: string;
  /** Endpoint URL; default env `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS. Uses path-style addressing. */
  endpoint?: string;
  /** Sign requests with the default AWS credential chain instead of reading anonymously. */
  signed?: boolean;
  /** AWS profile to sign with (implies `signed`). */
  profile?: string;
  /** Explicit file to store the object in (`--s3-local-storage-path`); an existing directory gets the key's file name. */
  localPath?: string;
  /** Cache directory; default {@linkcode defaultCacheDir}. The object goes to `<cacheDir>/s3/<bucket>/<key>`. */
  cacheDir?: string;
  /** Told how a download goes (its start, bytes as they arrive, its end), to show progress. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Receives one-line notices meant for stderr (reusing the cached copy, object changed, retrying). */
  onNotice?: (message: string) => void;
  /** Attempts in all (HEAD and download), for transient failures (5xx, network); default 3. */
  maxAttempts?: number;
  /** Stops the work: a HEAD or download under way is abandoned (CancelledError), nothing kept. */
  signal?: AbortSignal;
}

/** Where a download stands: `started` once, `running` as bytes arrive, then `done` or `failed`. */
export interface DownloadProgress {
  /** The object's file name. */
  name: string;
  /** Bytes written so far. */
  received: number;
  /** The object's size in bytes, or -1 when unknown. */
  total: number;
  state: "started" | "running" | "done" | "failed";
}

/** What the sidecar `<file>.meta.json` records about the object the file holds. */
interface CachedObjectMeta {
  uri: string;
  etag: string;
  size: number;
  lastModified: string;
}

/** The object as a HEAD request describes it. */
interface ObjectVersion {
  etag: string;
  size: number;
  lastModified: string;
}

const DEFAULT_REGION = "eu-west-1";
/** SDK failures of a request that got no answer, besides the network error codes. */
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "AbortError"]);

function metaPathOf(target: string): string {
  return `${target}.meta.json`;
}

/**
 * Makes the S3 object available as a local file and returns its path: reused when its size and
 * ETag still match the object's, downloaded otherwise (atomically, via a `.part` file). When S3
 * cannot be reached but a complete copy is cached, that copy is used, with a notice. Transient
 * failures are retried here (the SDK's own retries are off: one retry layer). `signal` abandons the
 * work: CancelledError, and the `.part` file goes.
 */
export async function fetchS3Object(uri: string, options: S3FetchOptions = {}): Promise<string> {
  const { bucket, key } = parseS3Uri(uri);
  const region = options.region ?? DEFAULT_REGION;
  const endpoint = resolveEndpoint(options.endpoint);
  const target = await s3LocalPath(bucket, key, options);
  const maxAttempts = Math.max(1, Math.min(options.maxAttempts ?? 3, 10));
  const where = endpoint ?? `https://${bucket}.s3.${region}.amazonaws.com`;
  const signed = options.signed === true || options.profile !== undefined;
  const client = createClient(region, endpoint, options);
  const context: ErrorContext = { uri, where, signed, region, target };
  const notice = options.onNotice ?? (() => {});
  const signal = options.signal;
  // Downloads killed before they could clean up (SIGKILL, a crash) left their .part files here.
  await removeStaleParts(dirname(target), { prefix: `${basename(target)}.` });
  try {
    for (let attempt = 1;; attempt++) {
      const outcome = await fetchOnce(client, { bucket, key, target, context, options });
      if (typeof outcome === "string") return outcome;
      if (!outcome.retry || attempt >= maxAttempts) throw outcome.failure;
      notice(`${outcome.failure.message}; trying again (${attempt + 1} of ${maxAttempts})`);
      await sleep(backoffDelay(attempt, { baseMs: 250, capMs: 4000 }), signal);
      if (signal?.aborted) throw cancelled(uri);
    }
  } finally {
    client.destroy();
  }
}

/** What one attempt of {@linkcode fetchS3Object} needs. */
interface FetchJob {
  bucket: string;
  key: string;
  target: string;
  context: ErrorContext;
  options: S3FetchOptions;
}

/** One HEAD (and download when needed): the file's path, or the failure and whether to retry. */
async function fetchOnce(
  client: S3Client,
  job: FetchJob,
): Promise<string | { failure: MlidsError; retry: boolean }> {
  const { bucket, key, target, context, options } = job;
  const signal = options.signal;
  const notice = options.onNotice ?? (() => {});
  let version: ObjectVersion;
  try {
    version = await headObject(client, bucket, key, signal);
  } catch (error) {
    if (signal?.aborted) throw cancelled(context.uri, error);
    if (statusOf(error) === 404) throw await describeNotFound(client, bucket, context, error);
    const network = statusOf(error) === undefined ? networkCodeOf(error) : undefined;
    if (network !== undefined && await hasCompleteCopy(target)) {
      notice(
        `cannot reach S3 to check ${context.uri} (${network}): using the cached copy at ${target}, which may be out of date`,
      );
      return target;
    }
    return { failure: describeS3Error(error, context), retry: isTransient(error) };
  }
  if (await isCachedCopyCurrent(target, version)) {
    notice(`using the cached copy of ${context.uri} at ${target}`);
    return target;
  }
  try {
    await download(client, { bucket, key, version, target, context, options });
    return target;
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    const failure = error instanceof MlidsError ? error : describeS3Error(error, context);
    return { failure, retry: isTransientDownloadFailure(error) };
  }
}

function resolveEndpoint(explicit: string | undefined): string | undefined {
  const candidates: [string, string | undefined][] = [
    ["--s3-endpoint", explicit],
    ["AWS_ENDPOINT_URL_S3", envVar("AWS_ENDPOINT_URL_S3")],
    ["AWS_ENDPOINT_URL", envVar("AWS_ENDPOINT_URL")],
  ];
  for (const [source, value] of candidates) {
    if (value === undefined || value === "") continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${source} '${value}' is not a URL`, {
        hint: "give the endpoint as http(s)://host[:port]",
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UsageError(`${source} '${value}' is not an http(s) URL`, {
        hint: "give the endpoint as http(s)://host[:port]",
      });
    }
    return value.replace(/\/+$/, "");
  }
  return undefined;
}

function createClient(
  region: string,
  endpoint: string | undefined,
  options: S3FetchOptions,
): S3Client {
  const config: S3ClientConfig = {
    region,
    // fetchS3Object retries itself (HEAD and the whole download): SDK retries inside it would
    // multiply the attempts.
    maxAttempts: 1,
    followRegionRedirects: true,
    requestHandler: { connectionTimeout: 15_000, requestTimeout: 120_000 },
  };
  if (endpoint !== undefined) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  if (options.profile !== undefined) {
    config.credentials = fromIni({ profile: options.profile });
  } else if (options.signed) {
    config.credentials = fromNodeProviderChain();
  } else {
    // Anonymous, like `aws s3 --no-sign-request`: a signer that leaves the request alone (no
    // Authorization header), and placeholder credentials so the SDK never searches for real ones.
    config.credentials = { accessKeyId: "", secretAccessKey: "" };
    config.signer = { sign: (request) => Promise.resolve(request) };
  }
  return new S3Client(config);
}

/** The object's version as HEAD describes it; throws the SDK's error as it is. */
async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
  signal: AbortSignal | undefined,
): Promise<ObjectVersion> {
  const head = await client.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key }),
    { abortSignal: signal },
  );
  return {
    etag: head.ETag ?? "",
    size: head.ContentLength ?? -1,
    lastModified: head.LastModified?.toISOString() ?? "",
  };
}

/** A HEAD 404 has no body to tell a missing key from a missing bucket; HeadBucket tells. */
async function describeNotFound(
  client: S3Client,
  bucket: string,
  context: ErrorContext,
  cause: unknown,
): Promise<MlidsError> {
  let bucketMissing = false;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    bucketMissing = statusOf(error) === 404;
  }
  return new InputError(
    bucketMissing
      ? `${context.uri} does not exist: there is no bucket '${bucket}'`
      : `${context.uri} does not exist: the bucket has no such key`,
    { hint: `check the URI (the ML-IDS test set is ${EXAMPLE_URI})`, cause },
  );
}

/** The sidecar of a complete cached copy at `target` (its size as recorded), else null. */
async function completeCopyMeta(target: string): Promise<CachedObjectMeta | null> {
  try {
    const meta = JSON.parse(await Deno.readTextFile(metaPathOf(target))) as CachedObjectMeta;
    const stat = await Deno.stat(target);
    return stat.isFile && stat.size === meta.size ? meta : null;
  } catch {
    return null;
  }
}

async function hasCompleteCopy(target: string): Promise<boolean> {
  return (await completeCopyMeta(target)) !== null;
}

async function isCachedCopyCurrent(target: string, version: ObjectVersion): Promise<boolean> {
  const meta = await completeCopyMeta(target);
  if (meta === null || meta.size !== version.size) return false;
  // Without an ETag (some S3-compatible stores) the modification time has to do.
  return version.etag !== ""
    ? meta.etag === version.etag
    : version.lastModified !== "" && meta.lastModified === version.lastModified;
}

/** What a download needs. */
interface DownloadJob {
  bucket: string;
  key: string;
  version: ObjectVersion;
  target: string;
  context: ErrorContext;
  options: S3FetchOptions;
}

/** The download ended before ContentLength bytes arrived. */
class IncompleteDownloadError extends RemoteError {}

/** The object changed between HEAD and GET (If-Match failed). */
class ObjectChangedError extends RemoteError {}

async function download(client: S3Client, job: DownloadJob): Promise<void> {
  const { bucket, key, version, target, context, options } = job;
  const directory = dirname(target);
  await onDisk(directory, "create the directory", () => Deno.mkdir(directory, { recursive: true }));
  const part = `${target}.${crypto.randomUUID().slice(0, 8)}.part`;
  let file: Deno.FsFile | undefined;
  let progress: DownloadProgress | undefined;
  let body: (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  const signal = options.signal;
  const onAbort = (): void => body?.destroy?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    let response;
    try {
      response = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          IfMatch: version.etag === "" ? undefined : version.etag,
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (signal?.aborted) throw cancelled(context.uri, error);
      if (statusOf(error) === 412 || errorName(error) === "PreconditionFailed") {
        throw new ObjectChangedError(`${context.uri} changed while it was being read`, {
          hint: "try again once the object is no longer being written",
          cause: error,
          status: 412,
        });
      }
      if (statusOf(error) === 404) {
        throw new InputError(`${context.uri} does not exist (it was deleted while being read)`, {
          hint: "check the URI",
          cause: error,
        });
      }
      throw describeS3Error(error, context);
    }
    body = response.Body as typeof body;
    if (body === undefined) {
      throw new RemoteError(`S3 returned no content for ${context.uri}`, {
        hint: "try again; if it persists, check the endpoint",
      });
    }
    // If-Match pins the object HEAD described, so its size is what must arrive.
    const total = version.size >= 0 ? version.size : response.ContentLength ?? -1;
    file = await onDisk(part, "create", () => Deno.open(part, { write: true, createNew: true }));
    const started: DownloadProgress = { name: basename(key), received: 0, total, state: "started" };
    progress = started;
    options.onProgress?.(started);
    let received = 0;
    try {
      for await (const chunk of body) {
        if (signal?.aborted) break;
        const opened = file;
        await onDisk(part, "write", () => writeAll(opened, chunk));
        received += chunk.length;
        if (options.onProgress) {
          options.onProgress({ ...started, received, state: "running" });
        }
      }
    } catch (error) {
      if (signal?.aborted) throw cancelled(context.uri, error);
      if (error instanceof MlidsError) throw error;
      // The connection dropped or the SDK's checksum check failed: worth another try.
      const reason = networkCodeOf(error) ?? (errorName(error) || "error");
      throw new IncompleteDownloadError(
        `the download of ${context.uri} broke off: ${received} of ${total} bytes arrived (${reason})`,
        { hint: "check the network and try again", cause: error },
      );
    }
    if (signal?.aborted) throw cancelled(context.uri);
    if (received !== total || (response.ContentLength ?? received) !== received) {
      throw new IncompleteDownloadError(
        `the download of ${context.uri} broke off: ${received} of ${total} bytes arrived`,
        { hint: "check the network and try again" },
      );
    }
    const opened = file;
    await onDisk(part, "flush", () => opened.sync());
    file.close();
    file = undefined;
    // The old sidecar goes first, so a crash never pairs a new file with an old ETag.
    await onDisk(metaPathOf(target), "remove", () => removeQuietly(metaPathOf(target)));
    await onDisk(target, "replace", () => Deno.rename(part, target));
    const meta: CachedObjectMeta = { uri: context.uri, ...version, size: received };
    await writeMeta(target, meta);
    options.onProgress?.({ ...started, received, state: "done" });
  } catch (error) {
    if (progress) options.onProgress?.({ ...progress, state: "failed" });
    body?.destroy?.();
    throw error;
  } finally {
    try {
      file?.close();
    } catch {
      // Already closed.
    }
    await removeQuietly(part);
    signal?.removeEventListener("abort", onAbort);
  }
}

async function writeMeta(target: string, meta: CachedObjectMeta): Promise<void> {
  const path = metaPathOf(target);
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.part`;
  try {
    await onDisk(path, "write", () => Deno.writeTextFile(temporary, JSON.stringify(meta) + "\n"));
    await onDisk(path, "replace", () => Deno.rename(temporary, path));
  } finally {
    await removeQuietly(temporary);
  }
}

/** Runs a file-system step, turning its failure into a MachineError that names the path. */
async function onDisk<T>(path: string, action: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof MlidsError) throw error;
    const code = (error as { code?: string }).code ?? "";
    const where = "set XDG_CACHE_HOME or --s3-local-storage-path to somewhere else";
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new MachineError(`no space left to ${action} ${path}`, {
        hint: `free some disk space, or ${where}`,
        cause: error,
      });
    }
    if (
      error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable ||
      code === "EACCES" || code === "EPERM" || code === "EROFS"
    ) {
      throw new MachineError(`permission denied to ${action} ${path}`, {
        hint: `make it writable, or ${where}`,
        cause: error,
      });
    }
    throw new MachineError(
      `cannot ${action} ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { hint: `check the path, or ${where}`, cause: error },
    );
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // Not there, which is what we want.
  }
}

function cancelled(uri: string, cause?: unknown): CancelledError {
  return new CancelledError(`the download of ${uri} was interrupted; nothing was kept`, {
    hint: "Run the command again to download it.",
    cause,
  });
}

/** What an S3 error message needs to say where and how it failed. */
interface ErrorContext {
  uri: string;
  where: string;
  signed: boolean;
  region: string;
  target: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? "";
}

function networkCodeOf(error: unknown): string | undefined {
  const code = networkErrorCode(error);
  if (code !== undefined) return code;
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (NETWORK_NAMES.has(errorName(current))) return errorName(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A failed request worth another try: no answer at all (network), throttling or a 5xx. */
function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return networkCodeOf(error) !== undefined;
  return status >= 500 || status === 429;
}

function isTransientDownloadFailure(error: unknown): boolean {
  if (error instanceof IncompleteDownloadError || error instanceof ObjectChangedError) return true;
  // The GET itself failed (described already): retried on the terms of any request.
  if (error instanceof RemoteError && error.cause !== undefined) return isTransient(error.cause);
  if (error instanceof MlidsError) return false;
  const status = statusOf(error);
  // Errors while streaming the body carry no status: a dropped connection or a checksum mismatch.
  return status === undefined || status >= 500;
}

/** Turns an AWS SDK or network error into the typed error for it, naming the URI and what to do. */
function describeS3Error(error: unknown, context: ErrorContext): MlidsError {
  if (error instanceof MlidsError) return error;
  const { uri, where, signed } = context;
  const status = statusOf(error);
  const name = errorName(error);
  if (name === "CredentialsProviderError" || name === "ProviderError") {
    return new UsageError(`no AWS credentials found to sign the request for ${uri}`, {
      hint: "configure credentials (aws configure, AWS_PROFILE, --s3-profile) or drop " +
        "--s3-signed to read a public bucket anonymously",
      cause: error,
    });
  }
  if (
    ["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefreshRequired"]
      .includes(name)
  ) {
    return new RemoteError(`S3 rejected the credentials used for ${uri} (${name})`, {
      hint: "refresh or fix the AWS credentials of the profile, or drop --s3-signed for a " +
        "public bucket",
      status,
      cause: error,
    });
  }
  if (status === 403 || name === "AccessDenied" || name === "Forbidden") {
    return new RemoteError(
      signed
        ? `access denied to ${uri}: these AWS credentials may not read it`
        : `access denied to ${uri}: the bucket is not public`,
      {
        hint: signed
          ? "use a profile allowed to read the object (--s3-profile), and check the URI"
          : "pass --s3-signed or --s3-profile NAME to read it with your AWS credentials, " +
            "and check the URI",
        status: 403,
        cause: error,
      },
    );
  }
  if (status === 404 || name === "NoSuchKey" || name === "NoSuchBucket" || name === "NotFound") {
    return new InputError(`${uri} does not exist`, { hint: "check the URI", cause: error });
  }
  if (status === 301 || name === "PermanentRedirect" || name === "AuthorizationHeaderMalformed") {
    return new RemoteError(`the bucket of ${uri} is not in region ${context.region}`, {
      hint: "pass the bucket's region with --s3-region",
      status,
      cause: error,
    });
  }
  const network = networkCodeOf(error);
  if (status === undefined && network !== undefined) {
    return new RemoteError(`cannot reach S3 at ${where} to read ${uri} (${network})`, {
      hint: "check the network connection, DNS and any proxy, or the endpoint " +
        "(--s3-endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)",
      cause: error,
    });
  }
  if (status !== undefined && status >= 500) {
    return new RemoteError(`S3 at ${where} failed reading ${uri} (HTTP ${status} ${name})`, {
      hint: "S3 is having trouble; try again later",
      status,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message.split("\n")[0].slice(0, 200) : "";
  return new RemoteError(
    `reading ${uri} from ${where} failed: ${name || "error"}${message ? `: ${message}` : ""}`,
    { hint: "check the URI and endpoint, and try again", status, cause: error },
  );
}
