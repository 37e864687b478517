/**
 * Where an AWS client's region, endpoint and credentials come from: flags first, then the
 * environment and the shared config files (`--profile`), then what the resource URL says. Secrets
 * given on the command line are kept out of every message.
 * @module
 */

import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { loadSharedConfigFiles } from "@smithy/core/config";
import { join } from "node:path";
import type { SQSClientConfig } from "@aws-sdk/client-sqs";
import { UsageError } from "../errors.ts";

/** What the user gave to reach an SQS queue; every field is optional except the queue URL. */
export interface AwsConnectionInput {
  /** The queue URL, e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/ml-ids-attacks`. */
  queueUrl: string;
  /** `--region`. */
  region?: string;
  /** `--profile`; default `AWS_PROFILE`, then `default`. */
  profile?: string;
  /** `--endpoint-url`. */
  endpointUrl?: string;
  /** `--access-key`. */
  accessKey?: string;
  /** `--secret-key`. */
  secretKey?: string;
  /** Environment lookup, injected by tests; default `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

/** Where a resolved setting came from, for messages. */
export type SettingSource = "flag" | "environment" | "profile" | "queue URL";

/** Region, endpoint and credentials for an AWS client, resolved from {@linkcode AwsConnectionInput}. */
export interface AwsConnection {
  readonly region: string;
  readonly regionSource: SettingSource;
  /** Endpoint to send requests to; undefined means the SDK's regional AWS endpoint. */
  readonly endpoint?: string;
  /** Static keys from the command line, or the SDK's default provider chain. */
  readonly credentials: NonNullable<SQSClientConfig["credentials"]>;
  /** True when the keys came from `--access-key`/`--secret-key`. */
  readonly keysFromFlags: boolean;
  /** Texts that must never be printed (the secret key), for {@linkcode redactSecrets}. */
  readonly secrets: readonly string[];
}

function defaultEnv(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * The `region` of a profile in the shared config file (`AWS_CONFIG_FILE`, default
 * `~/.aws/config`), read by the SDK's own loader, as the AWS CLI reads it.
 */
async function profileRegion(
  profile: string,
  env: (name: string) => string | undefined,
): Promise<string | undefined> {
  const home = env("HOME") ?? env("USERPROFILE");
  const configFilepath = env("AWS_CONFIG_FILE") ??
    (home ? join(home, ".aws", "config") : undefined);
  if (configFilepath === undefined) return undefined;
  // Both paths explicit: the loader would otherwise read them from this process's environment.
  const filepath = env("AWS_SHARED_CREDENTIALS_FILE") ??
    (home ? join(home, ".aws", "credentials") : configFilepath);
  try {
    const files = await loadSharedConfigFiles({ configFilepath, filepath, ignoreCache: true });
    return files.configFile[profile]?.region || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The region in an SQS queue URL's host: `sqs.<region>.amazonaws.com`, the legacy
 * `<region>.queue.amazonaws.com`, or an emulator's `sqs.<region>.localhost`.
 */
function regionFromQueueUrl(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const modern = /^sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(host);
  if (modern) return modern[1];
  const legacy = /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.amazonaws\.com/.exec(host);
  if (legacy) return legacy[1];
  if (host === "queue.amazonaws.com") return "us-east-1";
  return undefined;
}

function isAwsHost(host: string): boolean {
  return /(^|\.)amazonaws\.com(\.cn)?$/.test(host) || host.endsWith(".api.aws");
}

/**
 * The endpoint to use: `--endpoint-url`, then `AWS_ENDPOINT_URL_SQS`, then `AWS_ENDPOINT_URL`, then
 * the queue URL's own origin when it is not an AWS host (an emulator; `*.localhost` maps to
 * 127.0.0.1). Undefined for AWS queues, so the SDK picks the regional endpoint.
 */
function resolveSqsEndpoint(
  queueUrl: string,
  endpointUrl: string | undefined,
  env: (name: string) => string | undefined = defaultEnv,
): string | undefined {
  const given = endpointUrl ?? env("AWS_ENDPOINT_URL_SQS") ?? env("AWS_ENDPOINT_URL");
  if (given !== undefined) {
    try {
      const url = new URL(given);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    } catch {
      throw new UsageError(`the endpoint URL '${given}' is not an http(s) URL`, {
        hint: "Give it as http://host:port or https://host.",
      });
    }
    return given;
  }
  const url = new URL(queueUrl);
  if (isAwsHost(url.hostname.toLowerCase())) return undefined;
  if (url.hostname === "localhost" || url.hostname.endsWith(".localhost")) {
    url.hostname = "127.0.0.1";
  }
  return url.origin;
}

/** Checks that a queue URL is an http(s) URL with a path; throws {@linkcode UsageError} otherwise. */
export function checkQueueUrl(queueUrl: string): void {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    throw new UsageError(`--queue-url '${queueUrl}' is not a URL`, {
      hint:
        "Give the queue URL as SQS shows it, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/ml-ids-attacks.",
    });
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname.length <= 1) {
    throw new UsageError(`--queue-url '${queueUrl}' is not an SQS queue URL`, {
      hint:
        "Give the queue URL as SQS shows it, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/ml-ids-attacks.",
    });
  }
}

/**
 * Resolves region, endpoint and credentials for an SQS queue. Region: flag, `AWS_REGION`,
 * `AWS_DEFAULT_REGION`, the profile's config, the queue URL's host. Credentials: the keys when given,
 * else the SDK default chain (environment, shared files with the profile, SSO, container, instance).
 */
export async function resolveSqsConnection(input: AwsConnectionInput): Promise<AwsConnection> {
  const env = input.env ?? defaultEnv;
  checkQueueUrl(input.queueUrl);
  if ((input.accessKey === undefined) !== (input.secretKey === undefined)) {
    throw new UsageError("--access-key and --secret-key must be given together", {
      hint:
        "Give both, or neither to use the AWS default credential chain (environment, --profile, SSO, roles).",
    });
  }
  const profile = input.profile ?? env("AWS_PROFILE") ?? "default";
  let region: string | undefined;
  let regionSource: SettingSource = "flag";
  if (input.region) {
    region = input.region;
  } else if (env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")) {
    region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION");
    regionSource = "environment";
  } else if ((region = await profileRegion(profile, env))) {
    regionSource = "profile";
  } else if ((region = regionFromQueueUrl(input.queueUrl))) {
    regionSource = "queue URL";
  }
  if (!region) {
    throw new UsageError(`no AWS region for the queue ${input.queueUrl}`, {
      hint: "Give --region, set AWS_REGION, or set a region in the profile's config.",
    });
  }
  const endpoint = resolveSqsEndpoint(input.queueUrl, input.endpointUrl, env);
  const keysFromFlags = input.accessKey !== undefined && input.secretKey !== undefined;
  const keyId = env("AWS_ACCESS_KEY_ID");
  const secretKey = env("AWS_SECRET_ACCESS_KEY");
  const sessionToken = env("AWS_SESSION_TOKEN");
  // Keys in the environment come first, as in the SDK's chain (which skips them for a profile);
  // read through `env`, so the keys used are the ones looked up.
  const keysFromEnv = input.profile === undefined && env("AWS_PROFILE") === undefined &&
    keyId !== undefined && secretKey !== undefined;
  const credentials = keysFromFlags
    ? { accessKeyId: input.accessKey!, secretAccessKey: input.secretKey! }
    : keysFromEnv
    ? { accessKeyId: keyId, secretAccessKey: secretKey, ...(sessionToken ? { sessionToken } : {}) }
    : fromNodeProviderChain(input.profile ? { profile: input.profile } : {});
  const secrets = [input.secretKey, env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")]
    .filter((value): value is string => value !== undefined && value.length >= 4);
  return { region, regionSource, endpoint, credentials, keysFromFlags, secrets };
}

/** Replaces every secret in `text` with `***`, so no message can leak one. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join("***");
  }
  return out;
}
