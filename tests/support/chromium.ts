/**
 * Opens a page in headless Chromium (Debian's `chromium`) over the DevTools protocol, as a person
 * would see it: its rendered text, a full-page screenshot, the errors its console showed and every
 * request it made. For the tests of the HTML reports. The browser listens on 127.0.0.1 only, with a
 * fresh profile, and is always stopped.
 * @module
 */

/** Where Debian installs Chromium; override with MLIDS_CHROMIUM. */
export const CHROMIUM: string = Deno.env.get("MLIDS_CHROMIUM") ?? "/usr/bin/chromium";

/** Whether Chromium is installed; tests that need it are ignored otherwise (.ci/run installs it). */
export const chromiumPresent: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** What a page showed and did. */
export interface PageVisit {
  /** `document.body.innerText` once loaded. */
  text: string;
  /** A PNG screenshot of the whole page. */
  screenshot: Uint8Array;
  /** Console errors, uncaught exceptions and browser log errors (CSP refusals among them). */
  errors: string[];
  /** Every URL the page requested, the page itself excluded. */
  requests: string[];
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

/** A DevTools connection: commands answered by id, events handed to listeners. */
class DevTools {
  #next = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners: ((method: string, params: Record<string, unknown>, session?: string) => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
        else waiter?.resolve(message.result);
      } else {
        for (const listener of this.#listeners) {
          listener(message.method, message.params ?? {}, message.sessionId);
        }
      }
    };
    socket.onclose = () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error("DevTools closed"));
      this.#pending.clear();
    };
  }

  static open(url: string): Promise<DevTools> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.onopen = () => resolve(new DevTools(socket));
      socket.onerror = () => reject(new Error(`cannot reach DevTools at ${url}`));
    });
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    session?: string,
  ): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params, sessionId: session }));
    });
  }

  on(listener: (method: string, params: Record<string, unknown>, session?: string) => void): void {
    this.#listeners.push(listener);
  }

  close(): void {
    this.socket.close();
  }
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Waits (bounded) for Chromium to write the port it listens on into the profile folder. */
async function devToolsUrl(profile: string, child: Deno.ChildProcess): Promise<string> {
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0; i < 300 && !exited; i++) {
    try {
      const [port, path] = (await Deno.readTextFile(`${profile}/DevToolsActivePort`)).split("\n");
      if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(exited ? "chromium exited before listening" : "chromium did not start in 30 s");
}

/**
 * Opens `fileUrl` in a fresh headless Chromium `width` pixels wide, waits for it to load and settle,
 * and reports what it showed and did.
 */
export async function visitPage(
  fileUrl: string,
  options: { width?: number; height?: number } = {},
): Promise<PageVisit> {
  const profile = await Deno.makeTempDir({ prefix: "mlids-chromium-" });
  const child = new Deno.Command(CHROMIUM, {
    args: [...FLAGS, `--user-data-dir=${profile}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let devtools: DevTools | undefined;
  try {
    devtools = await DevTools.open(await devToolsUrl(profile, child));
    const errors: string[] = [];
    const requests: string[] = [];
    let loaded: () => void = () => {};
    const load = new Promise<void>((resolve) => loaded = resolve);
    let session = "";
    devtools.on((method, params, from) => {
      if (from !== session) return;
      if (method === "Page.loadEventFired") loaded();
      if (method === "Network.requestWillBeSent") {
        requests.push(String((params.request as { url: string }).url));
      }
      if (
        method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(String(params.type))
      ) {
        errors.push(`console.${params.type}: ${JSON.stringify(params.args)}`);
      }
      if (method === "Runtime.exceptionThrown") {
        errors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
      }
      if (method === "Log.entryAdded") {
        const entry = params.entry as { level: string; text: string; url?: string };
        if (entry.level === "error") errors.push(`log: ${entry.text} ${entry.url ?? ""}`);
      }
    });
    const { targetId } = await devtools.send<{ targetId: string }>("Target.createTarget", {
      url: "about:blank",
    });
    session = (await devtools.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    })).sessionId;
    for (const domain of ["Page", "Runtime", "Log", "Network"]) {
      await devtools.send(`${domain}.enable`, {}, session);
    }
    await devtools.send("Emulation.setDeviceMetricsOverride", {
      width: options.width ?? 1100,
      height: options.height ?? 900,
      deviceScaleFactor: 1,
      mobile: false,
    }, session);
    await devtools.send("Page.navigate", { url: fileUrl }, session);
    await timeout(load, 30_000, `loading ${fileUrl}`);
    // Anything the page would fetch late (fonts, lazy images) has had its chance by now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const evaluated = await devtools.send<{ result: { value: string } }>("Runtime.evaluate", {
      expression: "document.body.innerText",
      returnByValue: true,
    }, session);
    const metrics = await devtools.send<{ cssContentSize: { width: number; height: number } }>(
      "Page.getLayoutMetrics",
      {},
      session,
    );
    const { data } = await devtools.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: Math.ceil(metrics.cssContentSize.width),
        height: Math.ceil(metrics.cssContentSize.height),
        scale: 1,
      },
    }, session);
    await devtools.send("Browser.close").catch(() => {});
    return {
      text: evaluated.result.value,
      screenshot: Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0)),
      errors,
      requests: requests.filter((url) => url !== fileUrl),
    };
  } finally {
    devtools?.close();
    const stopped = await timeout(child.status, 5000, "chromium to exit").catch(() => null);
    if (stopped === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
    }
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
