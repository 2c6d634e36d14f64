/** /v2/schemas/*: the documents clients (glanceclient in particular) read to build requests. */
import type { FastifyInstance } from 'fastify';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, MEMBER_SCHEMA, MEMBERS_SCHEMA } from '../../domain/image-schema.js';

export function registerSchemaRoutes(app: FastifyInstance): void {
  const schemas: Record<string, unknown> = {
    image: IMAGE_SCHEMA,
    images: IMAGES_SCHEMA,
    member: MEMBER_SCHEMA,
    members: MEMBERS_SCHEMA,
  };
  for (const [name, schema] of Object.entries(schemas)) {
    app.get(`/v2/schemas/${name}`, async () => schema);
  }
}
