/**
 * The one I/O adapter in this package: an HttpClient (the port the `http` verb
 * asks outside systems through) on Node's global fetch. The interpreter never
 * imports it; the server passes it in its CallPort, tests may pass a function.
 */
import type { HttpClient } from "./port.js";

export interface FetchClientOptions {
  /** Sent on every request, e.g. an API key for the business system. */
  headers?: Record<string, string>;
}

export function fetchHttpClient(options: FetchClientOptions = {}): HttpClient {
  return async (req) => {
    const res = await fetch(req.url, {
      method: req.method,
      signal: req.signal,
      headers: {
        accept: "application/json",
        ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  };
}
