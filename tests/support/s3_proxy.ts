/**
 * A loopback reverse proxy in front of fauxqs's S3 that records every request and can answer
 * instead of it (a fault, a stalled body), for tests of what mlids does when S3 misbehaves.
 * @module
 */

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Headers;
}

/** Decides what the proxy answers instead of forwarding; undefined forwards. */
export type Fault = (request: Request, upstream: string) => Promise<Response | undefined>;

/** The running proxy: its endpoint, what it saw, the fault in force. */
export interface S3Proxy {
  endpoint: string;
  seen: SeenRequest[];
  fault?: Fault;
  stop(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 forwarding to `upstream` (fauxqs's endpoint). */
export function startProxy(upstream: string): S3Proxy {
  const seen: SeenRequest[] = [];
  const proxy: S3Proxy = { endpoint: "", seen, stop: async () => {} };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    seen.push({ method: request.method, path: url.pathname, headers: request.headers });
    const injected = await proxy.fault?.(request, upstream);
    if (injected) return injected;
    return await forward(request, upstream);
  });
  proxy.endpoint = `http://127.0.0.1:${server.addr.port}`;
  proxy.stop = () => server.shutdown();
  return proxy;
}

/** Sends `request` on to `upstream` and returns its answer. */
export async function forward(request: Request, upstream: string): Promise<Response> {
  const url = new URL(request.url);
  const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** How many requests of `method` the proxy saw. */
export function countOf(proxy: S3Proxy, method: string): number {
  return proxy.seen.filter((request) => request.method === method).length;
}

/**
 * A fault that answers GETs with `sent` bytes of a `size`-byte body and then nothing until
 * `release()`: a download that hangs half-way. HEADs go through.
 */
export function stalledDownload(sent: number, size: number): { fault: Fault; release(): void } {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const fault: Fault = (request) => {
    if (request.method !== "GET") return Promise.resolve(undefined);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(sent));
        await released;
        controller.close();
      },
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { "content-length": String(size) } }),
    );
  };
  return { fault, release: () => release() };
}
