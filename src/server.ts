/** Starts Imago's API on the configured address: what `imago serve` and `npm start` run. */
import { createApp } from './app.js';
import type { Config } from './config.js';

export interface RunningServer {
  url: string;
  adminToken: string;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const app = await createApp(config);
  try {
    await app.http.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  if (app.adminToken.generated) {
    app.http.log.warn(`generated an admin token and saved it to ${app.adminToken.path}; use it as X-Auth-Token (or OS_TOKEN) for admin requests`);
  }
  return { url: `http://${host}:${port}`, adminToken: app.adminToken.token, close: () => app.close() };
}
