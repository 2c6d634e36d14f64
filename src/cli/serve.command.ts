/** `imago serve`: runs the Image API in this process until SIGINT or SIGTERM. */
import { loadConfig } from '../config.js';
import { expectPositionals, integerOption, stringOption } from './args.js';
import { writeLine } from './cli-io.js';
import type { Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  local: true,
  usage: 'serve [--port N] [--host H] [--config FILE] [--data-dir DIR]',
  summary: 'Run the Imago server (configuration: FILE or IMAGO_CONFIG, then IMAGO_* variables, then these flags).',
  help: `options:
  --port N          listen port (default 9292; 0 picks a free one)
  --host H          listen address (default 127.0.0.1)
  --config FILE     YAML configuration file
  --data-dir DIR    catalog, local image store and generated admin token`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    config: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  async run(context, { values, positionals }) {
    expectPositionals(positionals, 0, 0, '');
    const overrides: Record<string, unknown> = {};
    const port = integerOption(values, 'port');
    if (port !== undefined) overrides.port = port;
    const host = stringOption(values, 'host');
    if (host !== undefined) overrides.host = host;
    const dataDir = stringOption(values, 'data-dir');
    if (dataDir !== undefined) overrides.data_dir = dataDir;
    const config = loadConfig({ env: context.io.env, file: stringOption(values, 'config'), overrides });
    // Imported here: the server brings Fastify and the database drivers, which no other command needs.
    const { startServer } = await import('../server.js');
    const server = await startServer(config);
    const { stderr } = context.io;
    writeLine(stderr, `imago: serving the Image API v2 at ${server.url} (Ctrl-C to stop)`);
    const signal = await context.io.waitForShutdown();
    writeLine(stderr, `imago: ${signal} received, finishing open requests and stopping`);
    await server.close();
  },
};
