/**
 * The in-repo stand-in of the ML-IDS API for tests: started for one test body and closed
 * afterwards, whatever happens; and the URL of one that no longer listens.
 * @module
 */

import { type StandinApi, type StandinApiOptions, startStandinApi } from "../../dev/standin_api.ts";

/** Runs `body` with a stand-in API started with `options`, and closes it afterwards, whatever happens. */
export async function withStandinApi(
  options: StandinApiOptions,
  body: (api: StandinApi) => Promise<void>,
): Promise<void> {
  const api = await startStandinApi(options);
  try {
    await body(api);
  } finally {
    await api.close();
  }
}

/** The URL a stand-in had: nothing listens there any more, so every request fails to connect. */
export async function closedApiUrl(): Promise<string> {
  const api = await startStandinApi();
  await api.close();
  return api.url;
}
