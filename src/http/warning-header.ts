/**
 * Warnings about an accepted request, sent as `Warning: 299 - "text"` headers (RFC 7234's
 * "miscellaneous persistent warning", the form the Kubernetes API uses too, so generic HTTP
 * tooling shows them). Used when an image property does not match a metadata definition whose
 * namespace only warns.
 */
import type { FastifyReply } from 'fastify';

/** A header value is Latin-1 text: anything else, and the quoted-string's specials, are replaced or escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function setWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  reply.header('warning', warnings.map((w) => `299 - ${quoted(w)}`));
}
