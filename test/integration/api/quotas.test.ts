/**
 * Quotas end to end: Glance's usage document, the admin's /v2/quotas extension, and each
 * quota refusing with a 413 that names it, leaving the image queued and no bytes behind.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, DIALECTS, POSTGRES_ADMIN_URL, postgresAvailable } from '../../support/databases.js';
import { requireAvailable } from '../../support/require-tool.js';
import { storedFiles as storedFilesOf } from '../../support/stored-files.js';
import { json, startTestServer, TOKENS, upload, type TestServer } from '../../support/server.js';

const MIB = 1024 * 1024;
const DEFAULT_COUNT_TOTAL = 50;

/** The server of the dialect block running now (blocks run one after the other). */
let server: TestServer;

type ErrorBody = { error: { code: number; message: string; reason?: string } };
type QuotaEntry = { limit: number; usage: number; default: number; override: number | null };
type ProjectQuotas = { project_id: string; quotas: Record<string, QuotaEntry> };

async function newImage(owner: string): Promise<string> {
  const res = await server.request('/v2/images', json({ name: 'q', disk_format: 'raw', container_format: 'bare', owner }));
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

const show = async (id: string) => (await (await server.request(`/v2/images/${id}`)).json()) as { status: string; size: number | null };

async function setQuotas(project: string, limits: Record<string, unknown>): Promise<ProjectQuotas> {
  const res = await server.request(`/v2/quotas/${project}`, { ...json(limits), method: 'PUT' });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as ProjectQuotas;
}

const quotasOf = async (project: string) => (await (await server.request(`/v2/quotas/${project}`)).json()) as ProjectQuotas;

/** A chunked body (no Content-Length), so only the stream itself tells its size. */
function streamed(data: Uint8Array, chunk = 256 * 1024): RequestInit {
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) { controller.close(); return; }
      controller.enqueue(data.subarray(at, at + chunk));
      at += chunk;
    },
  });
  return { ...upload(new Uint8Array(0)), body };
}

async function assertRefused(res: Response, quota: string): Promise<void> {
  const body = (await res.json()) as ErrorBody;
  assert.equal(res.status, 413, JSON.stringify(body));
  assert.equal(body.error.reason, `quota.${quota}`);
  assert.match(body.error.message, new RegExp(`\\b${quota}\\b`));
}

const storedFiles = () => storedFilesOf(server);

// Every case on both catalogs: the counts are SQL, and concurrent uploads race differently on each.
for (const dialect of DIALECTS) {
  describe(dialect, async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) {
      it('needs PostgreSQL', (t) => { requireAvailable(t, false, `PostgreSQL at ${POSTGRES_ADMIN_URL}`); });
      return;
    }
    let database: { url: string; drop(): Promise<void> } | undefined;
    before(async () => {
      if (dialect === 'postgres') database = await createTestDatabase('postgres');
      server = await startTestServer({ quota_image_count_total: DEFAULT_COUNT_TOTAL, ...(database ? { database_url: database.url } : {}) });
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });
    quotaCases();
  });
}

function quotaCases(): void {
  describe('usage', () => {
    it('answers GET /v2/info/usage in Glance\'s shape for the caller\'s project, sizes in MiB', async () => {
      const id = await newImage('project-a');
      assert.equal((await server.request(`/v2/images/${id}/file`, upload(randomBytes(MIB + MIB / 2)))).status, 204);
      for (const token of [TOKENS.projA, TOKENS.projAReader]) {
        const res = await server.request('/v2/info/usage', { token });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { usage: Record<string, { limit: number; usage: number }> };
        assert.deepEqual(Object.keys(body.usage).sort(), ['image_count_total', 'image_count_uploading', 'image_size_total', 'image_stage_total']);
        assert.deepEqual(body.usage.image_count_total, { limit: DEFAULT_COUNT_TOTAL, usage: 1 });
        assert.deepEqual(body.usage.image_size_total, { limit: -1, usage: 1 });
        assert.deepEqual(body.usage.image_stage_total, { limit: -1, usage: 0 });
        assert.deepEqual(body.usage.image_count_uploading, { limit: -1, usage: 0 });
      }
      const other = (await (await server.request('/v2/info/usage', { token: TOKENS.projB })).json()) as { usage: Record<string, { usage: number }> };
      assert.equal(other.usage.image_count_total!.usage, 0, 'another project sees its own usage');
    });
  });

  describe('admin quotas', () => {
    it('keeps overrides per project and goes back to the default on DELETE', async () => {
      const set = await setQuotas('over-1', { image_count_total: 7, image_size_total: 1024 });
      assert.equal(set.project_id, 'over-1');
      assert.deepEqual(set.quotas.image_count_total, { limit: 7, usage: 0, default: DEFAULT_COUNT_TOTAL, override: 7 });
      assert.deepEqual(set.quotas.image_size_total, { limit: 1024, usage: 0, default: -1, override: 1024 });
      assert.deepEqual((await quotasOf('over-2')).quotas.image_count_total, { limit: DEFAULT_COUNT_TOTAL, usage: 0, default: DEFAULT_COUNT_TOTAL, override: null });
      assert.equal((await server.request('/v2/quotas/over-1/image_count_total', { method: 'DELETE' })).status, 204);
      const after = await quotasOf('over-1');
      assert.deepEqual(after.quotas.image_count_total, { limit: DEFAULT_COUNT_TOTAL, usage: 0, default: DEFAULT_COUNT_TOTAL, override: null });
      assert.equal(after.quotas.image_size_total!.override, 1024, 'the other override stays');
      assert.equal((await server.request('/v2/quotas/over-1/image_count_total', { method: 'DELETE' })).status, 204, 'resetting again is no error');
    });

    it('forbids the admin extension to members and readers with 403', async () => {
      for (const token of [TOKENS.projA, TOKENS.projAReader]) {
        assert.equal((await server.request('/v2/quotas/project-a', { token })).status, 403);
        assert.equal((await server.request('/v2/quotas/project-a', { ...json({ image_count_total: 1000 }), method: 'PUT', token })).status, 403);
        assert.equal((await server.request('/v2/quotas/project-a/image_count_total', { method: 'DELETE', token })).status, 403);
      }
      assert.equal((await quotasOf('project-a')).quotas.image_count_total!.override, null, 'nothing changed');
    });

    const badPuts: Array<[string, RequestInit, number]> = [
      ['an unknown quota name', json({ image_count: 5 }), 400],
      ['a negative limit other than -1', json({ image_count_total: -2 }), 400],
      ['a fractional limit', json({ image_size_total: 1.5 }), 400],
      ['a limit as a string', json({ image_count_total: '5' }), 400],
      ['a limit too large to count in bytes', json({ image_size_total: 2 ** 50 }), 400],
      ['an array', json([{ image_count_total: 5 }]), 400],
      ['no limits at all', json({}), 400],
      ['malformed JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"image_count_total": ' }, 400],
      ['a text/plain body', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'image_count_total=5' }, 415],
    ];
    for (const [what, init, status] of badPuts) {
      it(`PUT with ${what} → ${status}, changing nothing`, async () => {
        const res = await server.request('/v2/quotas/bad-input', { ...init, method: 'PUT' });
        assert.equal(res.status, status, await res.clone().text());
        assert.ok(((await res.json()) as ErrorBody).error.message);
        for (const entry of Object.values((await quotasOf('bad-input')).quotas)) assert.equal(entry.override, null);
      });
    }

    it('refuses an unknown quota name on DELETE with 400 and an over-long project id with 414', async () => {
      assert.equal((await server.request('/v2/quotas/bad-input/image_bytes', { method: 'DELETE' })).status, 400);
      // The router refuses path parameters over 100 characters before the service sees them.
      assert.equal((await server.request(`/v2/quotas/${'p'.repeat(256)}`)).status, 414);
      assert.equal((await server.request(`/v2/quotas/${'p'.repeat(256)}`, { ...json({ image_count_total: 1 }), method: 'PUT' })).status, 414);
    });
  });

  describe('enforcement', () => {
    it('refuses an image over image_count_total with 413 naming it, and frees the slot on delete', async () => {
      await setQuotas('count-p', { image_count_total: 2 });
      const first = await newImage('count-p');
      await newImage('count-p');
      await assertRefused(await server.request('/v2/images', json({ name: 'third', owner: 'count-p' })), 'image_count_total');
      assert.equal((await server.request(`/v2/images/${first}`, { method: 'DELETE' })).status, 204);
      await newImage('count-p');
    });

    it('refuses an upload over image_count_uploading with 413 naming it while another is in progress', async () => {
      await setQuotas('uploading-p', { image_count_uploading: 1 });
      const [slow, second] = [await newImage('uploading-p'), await newImage('uploading-p')];
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => { finish = resolve; });
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) { sent = true; controller.enqueue(randomBytes(1024)); return; }
          await finished;
          controller.close();
        },
      });
      const slowUpload = server.request(`/v2/images/${slow}/file`, { ...upload(new Uint8Array(0)), body });
      for (let i = 0; i < 100 && (await show(slow)).status !== 'saving'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await show(slow)).status, 'saving');
      await assertRefused(await server.request(`/v2/images/${second}/file`, upload('data')), 'image_count_uploading');
      assert.equal((await show(second)).status, 'queued');
      finish();
      assert.equal((await slowUpload).status, 204);
      assert.equal((await server.request(`/v2/images/${second}/file`, upload('data'))).status, 204, 'allowed once the first is done');
    });

    it('refuses a declared size over image_size_total before reading it', async () => {
      await setQuotas('declared-p', { image_size_total: 1 });
      const before = await storedFiles();
      const id = await newImage('declared-p');
      await assertRefused(await server.request(`/v2/images/${id}/file`, upload(randomBytes(MIB + 1))), 'image_size_total');
      assert.equal((await show(id)).status, 'queued');
      assert.deepEqual(await storedFiles(), before);
    });

    it('cuts off a stream that would exceed image_size_total: 413, image queued, no bytes stored, usage unchanged', async () => {
      await setQuotas('stream-p', { image_size_total: 2 });
      const kept = await newImage('stream-p');
      assert.equal((await server.request(`/v2/images/${kept}/file`, upload(randomBytes(MIB)))).status, 204);
      const before = { files: await storedFiles(), quotas: await quotasOf('stream-p') };
      const id = await newImage('stream-p');
      await assertRefused(await server.request(`/v2/images/${id}/file`, streamed(randomBytes(MIB + 1))), 'image_size_total');
      const image = await show(id);
      assert.equal(image.status, 'queued');
      assert.equal(image.size, null);
      assert.deepEqual(await storedFiles(), before.files);
      const after = await quotasOf('stream-p');
      assert.deepEqual(after.quotas.image_size_total, before.quotas.quotas.image_size_total);
      assert.equal(after.quotas.image_count_uploading!.usage, 0);
      // Exactly what is left fits; after that the quota is reached and even one byte is refused.
      assert.equal((await server.request(`/v2/images/${id}/file`, streamed(randomBytes(MIB)))).status, 204);
      assert.equal((await quotasOf('stream-p')).quotas.image_size_total!.usage, 2);
      await assertRefused(await server.request(`/v2/images/${await newImage('stream-p')}/file`, upload('x')), 'image_size_total');
    });

    /** Uploads `count` images of `size` bytes to `project` at once; their answers and resulting images. */
    async function uploadTogether(project: string, count: number, size: number) {
      const ids = await Promise.all(Array.from({ length: count }, () => newImage(project)));
      const responses = await Promise.all(ids.map((id) => server.request(`/v2/images/${id}/file`, streamed(randomBytes(size), 64 * 1024))));
      for (const res of responses) {
        if (res.status !== 204) await assertRefused(res, 'image_size_total');
        else await res.arrayBuffer();
      }
      return { statuses: responses.map((r) => r.status), images: await Promise.all(ids.map(show)) };
    }

    it('keeps concurrent uploads within the limit plus the bytes in flight; none is a 500', async () => {
      const limitMiB = 2;
      const size = MIB + MIB / 2;
      await setQuotas('concurrent-p', { image_size_total: limitMiB });
      const before = await storedFiles();
      const { statuses, images } = await uploadTogether('concurrent-p', 4, size);
      assert.ok(statuses.every((s) => s === 204 || s === 413), statuses.join(','));
      assert.ok(statuses.includes(204), `some upload fits: ${statuses.join(',')}`);
      // Each upload was granted what was committed when it started, so the others' bytes are the most it can overshoot.
      const committed = images.reduce((sum, image) => sum + (image.size ?? 0), 0);
      assert.ok(committed <= limitMiB * MIB + (images.length - 1) * size, `committed ${committed} bytes`);
      for (const [i, image] of images.entries()) assert.equal(image.status, statuses[i] === 204 ? 'active' : 'queued');
      assert.equal((await storedFiles()).length - before.length, statuses.filter((s) => s === 204).length, 'refused uploads leave no bytes');
      // Once they are done, what is committed counts: no room is left for another such upload.
      await assertRefused(await server.request(`/v2/images/${await newImage('concurrent-p')}/file`, streamed(randomBytes(size))), 'image_size_total');
    });

    it('cuts off every concurrent upload that would exceed what is left', async () => {
      await setQuotas('concurrent-cut-p', { image_size_total: 4 });
      const kept = await newImage('concurrent-cut-p');
      assert.equal((await server.request(`/v2/images/${kept}/file`, upload(randomBytes(3 * MIB)))).status, 204);
      const before = { files: await storedFiles(), usage: (await quotasOf('concurrent-cut-p')).quotas.image_size_total };
      const { statuses, images } = await uploadTogether('concurrent-cut-p', 4, MIB + MIB / 2);
      assert.deepEqual(statuses, [413, 413, 413, 413]);
      for (const image of images) assert.deepEqual([image.status, image.size], ['queued', null]);
      assert.deepEqual(await storedFiles(), before.files);
      assert.deepEqual((await quotasOf('concurrent-cut-p')).quotas.image_size_total, before.usage);
    });
  });
}
