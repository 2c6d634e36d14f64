import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, describeNetworkFailure, parseErrorBody } from './api-error.js';

describe('parseErrorBody', () => {
  it('reads Imago\'s nested error document, reason included', () => {
    const body = JSON.stringify({ error: { code: 404, title: 'Not Found', message: 'No image found with ID x.', reason: 'image.not_found' } });
    assert.deepEqual(parseErrorBody(body), { message: 'No image found with ID x.', reason: 'image.not_found' });
  });

  it('reads webob\'s flat JSON and falls back to the title', () => {
    assert.deepEqual(parseErrorBody('{"message": "Forbidden to delete", "code": "403 Forbidden", "title": "Forbidden"}'), { message: 'Forbidden to delete' });
    assert.deepEqual(parseErrorBody('{"title": "Conflict"}'), { message: 'Conflict' });
  });

  it('keeps the explanation of a plain-text or HTML body, not its status line', () => {
    assert.deepEqual(parseErrorBody('404 Not Found\n\nNo image found with ID abc\n\n   '), { message: 'No image found with ID abc' });
    assert.deepEqual(parseErrorBody('<html><body><h1>413 Request Entity Too Large</h1>\n\nImage too big</body></html>'), { message: 'Image too big' });
    assert.deepEqual(parseErrorBody('502 Bad Gateway'), { message: '502 Bad Gateway' });
  });

  it('has nothing to say about an empty body', () => {
    assert.deepEqual(parseErrorBody('  '), {});
  });
});

describe('ApiError.fromResponse', () => {
  it('falls back to the status line and keeps the raw body', async () => {
    const err = await ApiError.fromResponse(new Response('', { status: 503, statusText: 'Service Unavailable' }), 'GET', 'http://x/v2/images');
    assert.equal(err.status, 503);
    assert.equal(err.message, '503 Service Unavailable');
    assert.equal(err.body, '');
    assert.equal(err.url, 'http://x/v2/images');
  });
});

describe('describeNetworkFailure', () => {
  it('digs the reason out of fetch\'s TypeError', () => {
    const cause = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    assert.equal(describeNetworkFailure(new TypeError('fetch failed', { cause })), 'connection refused (ECONNREFUSED)');
    assert.equal(describeNetworkFailure(new TypeError('fetch failed', { cause: Object.assign(new Error('boom'), { code: 'EWEIRD' }) })), 'boom (EWEIRD)');
    assert.equal(describeNetworkFailure(new Error('plain')), 'plain');
  });
});
