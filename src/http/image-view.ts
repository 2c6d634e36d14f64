/** The image document as the API returns it: the domain document plus Glance's relative links. */
import type { Image } from '../domain/image.js';
import { toDocument, type ImageDocument } from '../domain/image-document.js';

export function imageView(image: Image): ImageDocument {
  const doc = toDocument(image);
  doc.self = `/v2/images/${image.id}`;
  doc.file = `/v2/images/${image.id}/file`;
  doc.schema = '/v2/schemas/image';
  return doc;
}
