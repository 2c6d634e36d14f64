/** The one spelling of an Image API endpoint the client builds URLs from. */

/** `http://host:9292/`, `http://host:9292/v2` and `http://host:9292` all mean the same endpoint. */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`invalid server URL '${raw}': expected something like http://127.0.0.1:9292`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`invalid server URL '${raw}': only http and https are supported`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '');
  return `${url.origin}${path}`;
}
