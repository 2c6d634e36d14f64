/**
 * /v2/metadefs: Glance's metadata definitions catalog (namespaces, their objects, property
 * definitions, tags and resource type associations, and the resource types), and the schemas
 * of its documents under /v2/schemas/metadefs/.
 */
import type { FastifyInstance } from 'fastify';
import { METADEF_SCHEMAS } from '../../domain/metadef-schema.js';
import type { MetadefContentService } from '../../services/metadef-content.service.js';
import type { MetadefService } from '../../services/metadef.service.js';
import { appendRequested, parseNamespaceListQuery, parseTagListQuery } from '../metadef-list.params.js';
import {
  associationView, namespaceHref, namespaceView, objectView, propertiesView, propertyView, resourceTypeView, tagView,
} from '../metadef-view.js';
import { principalOf } from '../server.js';

type Query = Record<string, string | string[] | undefined>;
type Ns = { Params: { namespace: string }; Querystring: Query };
type Item = { Params: { namespace: string; name: string }; Querystring: Query };

const NS = '/v2/metadefs/namespaces/:namespace';

/** The first value of an optional single query parameter. */
const param = (query: Query, key: string): string | undefined => {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
};

export function registerMetadefRoutes(app: FastifyInstance, metadefs: MetadefService, contents: MetadefContentService): void {
  for (const [name, schema] of Object.entries(METADEF_SCHEMAS)) {
    app.get(`/v2/schemas/metadefs/${name}`, async () => schema);
  }

  app.get<{ Querystring: Query }>('/v2/metadefs/namespaces', async (request) => {
    const page = await metadefs.listNamespaces(principalOf(request), parseNamespaceListQuery(request.query));
    const { marker: _marker, ...rest } = request.query;
    const result: Record<string, unknown> = {
      namespaces: page.namespaces.map(({ namespace, associations }) => namespaceView(namespace, { resourceTypeAssociations: associations })),
      first: `/v2/metadefs/namespaces${encodeQuery(rest)}`,
      schema: '/v2/schemas/metadefs/namespaces',
    };
    if (page.nextMarker) result.next = `/v2/metadefs/namespaces${encodeQuery({ ...rest, marker: page.nextMarker })}`;
    return result;
  });

  app.post('/v2/metadefs/namespaces', async (request, reply) => {
    const { namespace, contents: created } = await metadefs.createNamespace(principalOf(request), request.body);
    return reply.code(201).header('location', namespaceHref(namespace.namespace)).send(namespaceView(namespace, created));
  });

  app.get<Ns>(NS, async (request) => {
    const detail = await metadefs.showNamespace(principalOf(request), request.params.namespace, param(request.query, 'resource_type'));
    return namespaceView(detail.namespace, detail.contents);
  });

  app.put<Ns>(NS, async (request) => namespaceView(await metadefs.updateNamespace(principalOf(request), request.params.namespace, request.body)));

  app.delete<Ns>(NS, async (request, reply) => {
    await metadefs.deleteNamespace(principalOf(request), request.params.namespace);
    return reply.code(204).send();
  });

  // Objects.
  app.get<Ns>(`${NS}/objects`, async (request) => ({
    objects: (await contents.listObjects(principalOf(request), request.params.namespace)).map((o) => objectView(request.params.namespace, o)),
    schema: '/v2/schemas/metadefs/objects',
  }));
  app.post<Ns>(`${NS}/objects`, async (request, reply) => {
    const object = await contents.createObject(principalOf(request), request.params.namespace, request.body);
    return reply.code(201).send(objectView(request.params.namespace, object));
  });
  app.delete<Ns>(`${NS}/objects`, async (request, reply) => {
    await contents.deleteAll(principalOf(request), request.params.namespace, 'objects');
    return reply.code(204).send();
  });
  app.get<Item>(`${NS}/objects/:name`, async (request) =>
    objectView(request.params.namespace, await contents.getObject(principalOf(request), request.params.namespace, request.params.name)));
  app.put<Item>(`${NS}/objects/:name`, async (request) =>
    objectView(request.params.namespace, await contents.updateObject(principalOf(request), request.params.namespace, request.params.name, request.body)));
  app.delete<Item>(`${NS}/objects/:name`, async (request, reply) => {
    await contents.deleteObject(principalOf(request), request.params.namespace, request.params.name);
    return reply.code(204).send();
  });

  // Property definitions.
  app.get<Ns>(`${NS}/properties`, async (request) => ({
    properties: propertiesView(await contents.listProperties(principalOf(request), request.params.namespace)),
  }));
  app.post<Ns>(`${NS}/properties`, async (request, reply) =>
    reply.code(201).send(propertyView(await contents.createProperty(principalOf(request), request.params.namespace, request.body))));
  app.delete<Ns>(`${NS}/properties`, async (request, reply) => {
    await contents.deleteAll(principalOf(request), request.params.namespace, 'properties');
    return reply.code(204).send();
  });
  app.get<Item>(`${NS}/properties/:name`, async (request) =>
    propertyView(await contents.getProperty(principalOf(request), request.params.namespace, request.params.name, param(request.query, 'resource_type'))));
  app.put<Item>(`${NS}/properties/:name`, async (request) =>
    propertyView(await contents.updateProperty(principalOf(request), request.params.namespace, request.params.name, request.body)));
  app.delete<Item>(`${NS}/properties/:name`, async (request, reply) => {
    await contents.deleteProperty(principalOf(request), request.params.namespace, request.params.name);
    return reply.code(204).send();
  });

  // Tags.
  app.get<Ns>(`${NS}/tags`, async (request) => ({
    tags: (await contents.listTags(principalOf(request), request.params.namespace, parseTagListQuery(request.query))).map((t) => ({ name: t.name })),
  }));
  app.post<Ns>(`${NS}/tags`, async (request, reply) => {
    const tags = await contents.createTags(principalOf(request), request.params.namespace, request.body, appendRequested(request.headers['x-openstack-append']));
    return reply.code(201).send({ tags: tags.map((t) => ({ name: t.name })) });
  });
  app.delete<Ns>(`${NS}/tags`, async (request, reply) => {
    await contents.deleteTags(principalOf(request), request.params.namespace);
    return reply.code(204).send();
  });
  app.post<Item>(`${NS}/tags/:name`, async (request, reply) =>
    reply.code(201).send(tagView(await contents.createTag(principalOf(request), request.params.namespace, request.params.name))));
  app.get<Item>(`${NS}/tags/:name`, async (request) =>
    tagView(await contents.getTag(principalOf(request), request.params.namespace, request.params.name)));
  app.put<Item>(`${NS}/tags/:name`, async (request) =>
    tagView(await contents.renameTag(principalOf(request), request.params.namespace, request.params.name, request.body)));
  app.delete<Item>(`${NS}/tags/:name`, async (request, reply) => {
    await contents.deleteTag(principalOf(request), request.params.namespace, request.params.name);
    return reply.code(204).send();
  });

  // Resource types and associations.
  app.get('/v2/metadefs/resource_types', async (request) => ({
    resource_types: (await metadefs.listResourceTypes(principalOf(request))).map(resourceTypeView),
  }));
  app.get<Ns>(`${NS}/resource_types`, async (request) => ({
    resource_type_associations: (await metadefs.listAssociations(principalOf(request), request.params.namespace)).map(associationView),
  }));
  app.post<Ns>(`${NS}/resource_types`, async (request, reply) =>
    reply.code(201).send(associationView(await metadefs.createAssociation(principalOf(request), request.params.namespace, request.body))));
  app.delete<Item>(`${NS}/resource_types/:name`, async (request, reply) => {
    await metadefs.deleteAssociation(principalOf(request), request.params.namespace, request.params.name);
    return reply.code(204).send();
  });
}

function encodeQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) params.append(key, v);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
