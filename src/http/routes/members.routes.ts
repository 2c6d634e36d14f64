/** /v2/images/{id}/members: sharing an image with other projects (Glance's image members). */
import type { FastifyInstance } from 'fastify';
import { readMemberId, readMemberStatus } from '../../domain/image-member.js';
import type { MemberService } from '../../services/member.service.js';
import { memberView } from '../member-view.js';
import { principalOf } from '../server.js';

type ImageParams = { id: string };
type MemberParams = { id: string; member: string };

export function registerMemberRoutes(app: FastifyInstance, members: MemberService): void {
  // Glance answers a new membership with 200, not 201.
  app.post<{ Params: ImageParams }>('/v2/images/:id/members', async (request) =>
    memberView(await members.add(principalOf(request), request.params.id, readMemberId(request.body))));

  app.get<{ Params: ImageParams }>('/v2/images/:id/members', async (request) => ({
    members: (await members.list(principalOf(request), request.params.id)).map(memberView),
    schema: '/v2/schemas/members',
  }));

  app.get<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (request) =>
    memberView(await members.get(principalOf(request), request.params.id, request.params.member)));

  app.put<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (request) =>
    memberView(await members.setStatus(principalOf(request), request.params.id, request.params.member, readMemberStatus(request.body))));

  app.delete<{ Params: MemberParams }>('/v2/images/:id/members/:member', async (request, reply) => {
    await members.remove(principalOf(request), request.params.id, request.params.member);
    return reply.code(204).send();
  });
}
