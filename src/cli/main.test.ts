import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { takeWord } from './main.js';
import { runCli } from './testing/run-cli.js';

/** A local port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const run = (argv: string[], env: NodeJS.ProcessEnv = {}, stdoutIsTTY = false) => runCli(argv, env, { stdoutIsTTY });

describe('takeWord', () => {
  it('skips global options and their values before the command word', () => {
    assert.deepEqual(takeWord(['--url', 'http://x', '--json', 'image', 'list']), { word: 'image', rest: ['--url', 'http://x', '--json', 'list'] });
    assert.deepEqual(takeWord(['--token=abc', 'serve']), { word: 'serve', rest: ['--token=abc'] });
    assert.equal(takeWord(['--help']), undefined);
  });
});

describe('main', () => {
  it('prints help on stdout and exits 0', async () => {
    for (const argv of [['--help'], ['image', '--help'], ['image', 'create', '-h'], ['serve', '--help']]) {
      const { code, stdout, stderr } = await run(argv);
      assert.equal(code, 0, argv.join(' '));
      assert.match(stdout, /^usage: imago/);
      assert.equal(stderr, '');
    }
    assert.match((await run(['image', '--help'])).stdout, /download +Download an image/);
  });

  it('prints the version', async () => {
    assert.match((await run(['--version'])).stdout, /^imago \d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with a usage line for mistakes in the call', async () => {
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['image'], /missing image command/],
      [['image', 'explode'], /unknown image command 'explode'/],
      [['image', 'show'], /missing the image id or name\nusage: imago image show IMAGE/],
      [['image', 'list', '--limit', 'lots'], /--limit takes a whole number/],
      [['image', 'update', 'x', '--protected', '--unprotected'], /contradict/],
      [['image', 'list', '--url', 'not a url'], /invalid server URL/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, message);
      assert.match(stderr, /\nusage: /);
    }
  });

  it('exits 1 with a message naming the URL when the server cannot be reached', async () => {
    const port = await closedPort();
    const { code, stderr } = await run(['image', 'list'], { IMAGO_URL: `http://127.0.0.1:${port}` });
    assert.equal(code, 1);
    assert.equal(stderr, `imago: GET http://127.0.0.1:${port}/v2/images failed: connection refused (ECONNREFUSED)\n`);
  });

  it('refuses to write image data to a terminal before asking the server anything', async () => {
    const { code, stderr } = await run(['image', 'download', 'some-image'], { IMAGO_URL: `http://127.0.0.1:${await closedPort()}` }, true);
    assert.equal(code, 2);
    assert.match(stderr, /refusing to write image data to a terminal/);
  });
});
