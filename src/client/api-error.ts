/**
 * The two ways a request fails: the server answered with an error (ApiError), or it could
 * not be reached at all (ConnectionError). Both carry the method and URL so a message is
 * useful on its own, in a log or on a terminal.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The response body as received, for callers that want more than the message. */
    readonly body: string,
    readonly method: string,
    readonly url: string,
    /** Imago's machine-readable `reason` key, when the server sent one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async fromResponse(response: Response, method: string, url: string): Promise<ApiError> {
    const body = await response.text().catch(() => '');
    const { message, reason } = parseErrorBody(body);
    return new ApiError(response.status, message ?? `${response.status} ${response.statusText}`.trim(), body, method, url, reason);
  }
}

export class ConnectionError extends Error {
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/**
 * Glance answers errors in several shapes: Imago's `{"error": {"message"}}`, webob's
 * `{"message", "code", "title"}`, or plain text (`404 Not Found\n\nNo image found …`).
 * Returns the human message in whichever shape came back.
 */
export function parseErrorBody(body: string): { message?: string; reason?: string } {
  const text = body.trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: plainTextMessage(text) };
  }
  if (parsed === null || typeof parsed !== 'object') return { message: text };
  const outer = parsed as Record<string, unknown>;
  const inner = (typeof outer.error === 'object' && outer.error !== null ? outer.error : outer) as Record<string, unknown>;
  const message = [inner.message, inner.detail, inner.title].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return {
    message: message?.trim() ?? text,
    ...(typeof inner.reason === 'string' ? { reason: inner.reason } : {}),
  };
}

/** webob's text bodies repeat the status line above the explanation; keep the explanation. */
function plainTextMessage(text: string): string {
  const withoutTags = text.replace(/<[^>]*>/g, ' ');
  const paragraphs = withoutTags.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p !== '');
  const meaningful = paragraphs.filter((p) => !/^\d{3}\s+[A-Za-z ]+$/.test(p));
  return (meaningful.length > 0 ? meaningful : paragraphs).join(' ') || text;
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  // While streaming a body this usually means the server refused the request and hung up.
  EPIPE: 'the server closed the connection while data was still being sent',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out waiting for data',
};

/** fetch reports every network failure as `TypeError: fetch failed`; the reason is in `cause`. */
export function describeNetworkFailure(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause !== undefined && (cause.message === 'fetch failed' || cause.message === 'terminated')) {
    cause = cause.cause;
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_REASONS[code]) return `${NETWORK_REASONS[code]} (${code})`;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${message || 'network error'} (${code})` : message || 'network error';
}
