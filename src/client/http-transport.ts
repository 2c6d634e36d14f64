/**
 * How every client of this package sends a request: the token as X-Auth-Token, a failure to
 * reach the server as ConnectionError, and any answer but 2xx as ApiError with the server's
 * message and reason.
 */
import { ApiError, ConnectionError, describeNetworkFailure } from './api-error.js';

export interface SendInit {
  headers?: Record<string, string>;
  body?: string | AsyncIterable<Uint8Array>;
  signal?: AbortSignal | undefined;
}

export class HttpTransport {
  constructor(
    /** Paths are appended to this; absolute URLs (links the server returned) are used as they are. */
    readonly baseUrl: string,
    readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  async send(method: string, pathOrUrl: string, init: SendInit = {}): Promise<Response> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const headers = new Headers(init.headers);
    if (this.token !== undefined) headers.set('x-auth-token', this.token);
    const streaming = init.body !== undefined && typeof init.body !== 'string';
    // Called detached: a browser's fetch refuses to run with a `this` other than the window.
    const fetchImpl = this.fetchImpl;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: init.body,
        signal: init.signal,
        // A streamed request body needs half-duplex mode in fetch.
        ...(streaming ? { duplex: 'half' as const } : {}),
      });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new ConnectionError(`${method} ${url} failed: ${describeNetworkFailure(err)}`, url, { cause: err });
    }
    if (!response.ok) throw await ApiError.fromResponse(response, method, url);
    return response;
  }

  /** A JSON request and its JSON answer (undefined for 204); a payload is sent as application/json unless `headers` say otherwise. */
  async json<T>(method: string, pathOrUrl: string, payload?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const all: Record<string, string> = { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers };
    const response = await this.send(method, pathOrUrl, { headers: all, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) });
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
