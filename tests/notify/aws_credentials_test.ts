import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import {
  type AwsConnectionInput,
  redactSecrets,
  resolveSqsConnection,
} from "../../lib/notify/aws_credentials.ts";

const AWS_QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/ml-ids-attacks";

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

/** The connection for `queueUrl` with nothing else given (no flags, no environment, no files). */
function bare(queueUrl: string, extra: Partial<AwsConnectionInput> = {}) {
  return resolveSqsConnection({ queueUrl, env: envOf({}), ...extra });
}

Deno.test("resolveSqsConnection: the region of a queue URL's modern, legacy and emulator hosts", async () => {
  for (
    const [url, region] of [
      [AWS_QUEUE, "eu-west-1"],
      ["https://ap-southeast-2.queue.amazonaws.com/1/q", "ap-southeast-2"],
      ["https://queue.amazonaws.com/1/q", "us-east-1"],
      ["http://sqs.us-gov-west-1.localhost:4566/0/q", "us-gov-west-1"],
    ]
  ) {
    const connection = await bare(url);
    assert.deepEqual([connection.region, connection.regionSource], [region, "queue URL"], url);
  }
  await assert.rejects(
    bare("http://127.0.0.1:4566/0/q"),
    (error: unknown) => error instanceof UsageError && /no AWS region/.test(error.message),
  );
});

Deno.test("resolveSqsConnection: endpoint from the flag, then AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, then an emulator's origin", async () => {
  const region = "eu-west-1";
  assert.equal((await bare(AWS_QUEUE)).endpoint, undefined);
  const withEnv = (values: Record<string, string>, endpointUrl?: string) =>
    bare(AWS_QUEUE, { region, endpointUrl, env: envOf(values) });
  assert.equal(
    (await withEnv({ AWS_ENDPOINT_URL: "http://x:2" }, "http://127.0.0.1:1")).endpoint,
    "http://127.0.0.1:1",
  );
  assert.equal(
    (await withEnv({ AWS_ENDPOINT_URL_SQS: "http://a:1", AWS_ENDPOINT_URL: "http://b:2" }))
      .endpoint,
    "http://a:1",
  );
  assert.equal((await withEnv({ AWS_ENDPOINT_URL: "http://b:2" })).endpoint, "http://b:2");
  assert.equal(
    (await bare("http://sqs.eu-west-1.localhost:39059/000000000000/q")).endpoint,
    "http://127.0.0.1:39059",
  );
  assert.equal(
    (await bare("http://localstack:4566/000000000000/q", { region })).endpoint,
    "http://localstack:4566",
  );
  await assert.rejects(withEnv({}, "ftp://x"), UsageError);
});

Deno.test("resolveSqsConnection: region from flag, environment, profile config, queue URL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/config`;
    await Deno.writeTextFile(
      config,
      "[default]\nregion = us-west-2\n\n[profile ids]\nregion=ap-south-1\ns3 =\n  region = ignored\n",
    );
    const base = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials` };
    const flag = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      region: "us-east-2",
      env: envOf(base),
    });
    assert.equal(flag.region, "us-east-2");
    assert.equal(flag.regionSource, "flag");
    const fromEnv = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      env: envOf({ ...base, AWS_DEFAULT_REGION: "sa-east-1" }),
    });
    assert.deepEqual([fromEnv.region, fromEnv.regionSource], ["sa-east-1", "environment"]);
    const fromDefaultProfile = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      env: envOf(base),
    });
    assert.deepEqual([fromDefaultProfile.region, fromDefaultProfile.regionSource], [
      "us-west-2",
      "profile",
    ]);
    const fromProfile = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      profile: "ids",
      env: envOf(base),
    });
    assert.equal(fromProfile.region, "ap-south-1");
    // "[profile default]" names the default profile too, as the AWS CLI reads it.
    const spelled = `${dir}/spelled`;
    await Deno.writeTextFile(spelled, "# comment\n[profile default]\nregion = eu-north-1\n");
    const fromSpelled = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      env: envOf({ AWS_CONFIG_FILE: spelled }),
    });
    assert.equal(fromSpelled.region, "eu-north-1");
    const fromUrl = await resolveSqsConnection({
      queueUrl: AWS_QUEUE,
      env: envOf({ AWS_CONFIG_FILE: `${dir}/missing` }),
    });
    assert.deepEqual([fromUrl.region, fromUrl.regionSource], ["eu-west-1", "queue URL"]);
    await assert.rejects(
      () =>
        resolveSqsConnection({
          queueUrl: "http://127.0.0.1:1/0/q",
          env: envOf({ AWS_CONFIG_FILE: `${dir}/missing` }),
        }),
      (error: unknown) => error instanceof UsageError && /--region/.test(error.hint ?? ""),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveSqsConnection: keys from flags are static and their secret is to be redacted", async () => {
  const env = envOf({ AWS_CONFIG_FILE: "/nonexistent" });
  const withKeys = await resolveSqsConnection({
    queueUrl: AWS_QUEUE,
    accessKey: "AKIDEXAMPLE",
    secretKey: "verysecretvalue",
    env,
  });
  assert.equal(withKeys.keysFromFlags, true);
  assert.deepEqual(withKeys.credentials, {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "verysecretvalue",
  });
  assert.ok(withKeys.secrets.includes("verysecretvalue"));
  assert.equal(
    redactSecrets("signature for verysecretvalue failed", withKeys.secrets),
    "signature for *** failed",
  );
  const chain = await resolveSqsConnection({ queueUrl: AWS_QUEUE, env });
  assert.equal(chain.keysFromFlags, false);
  assert.equal(typeof chain.credentials, "function");
  await assert.rejects(
    () => resolveSqsConnection({ queueUrl: AWS_QUEUE, accessKey: "AKID", env }),
    UsageError,
  );
  await assert.rejects(() => resolveSqsConnection({ queueUrl: "sqs://nope", env }), UsageError);
});
