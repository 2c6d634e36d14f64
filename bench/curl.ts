/** The data-plane client is curl, as in the Glance benchmark: one process per transfer. */
import { run } from './processes.js';

export interface Transfer {
  status: number;
  /** Bytes per second as curl measured it. */
  speed: number;
  bytes: number;
  seconds: number;
}

const WRITE_OUT = '%{http_code} %{speed_upload} %{speed_download} %{size_upload} %{size_download} %{time_total}';

async function curl(args: string[]): Promise<{ status: number; up: number; down: number; sizeUp: number; sizeDown: number; seconds: number }> {
  const result = await run('curl', ['-s', '-o', '/dev/null', '-w', WRITE_OUT, ...args]);
  const [status, up, down, sizeUp, sizeDown, seconds] = result.stdout.trim().split(' ').map(Number);
  if (result.code !== 0 && !status) throw new Error(`curl ${args.at(-1)} failed (exit ${result.code}): ${result.stderr}`);
  return { status: status ?? 0, up: up ?? 0, down: down ?? 0, sizeUp: sizeUp ?? 0, sizeDown: sizeDown ?? 0, seconds: seconds ?? 0 };
}

function tokenHeader(token: string | undefined): string[] {
  return token ? ['-H', `X-Auth-Token: ${token}`] : [];
}

/** PUT a file as the request body (`curl -T`), as an image client uploads. */
export async function curlUpload(url: string, file: string, token?: string): Promise<Transfer> {
  const r = await curl([...tokenHeader(token), '-H', 'Content-Type: application/octet-stream', '-T', file, '-X', 'PUT', url]);
  return { status: r.status, speed: r.up, bytes: r.sizeUp, seconds: r.seconds };
}

/** GET to /dev/null. */
export async function curlDownload(url: string, token?: string): Promise<Transfer> {
  const r = await curl([...tokenHeader(token), url]);
  return { status: r.status, speed: r.down, bytes: r.sizeDown, seconds: r.seconds };
}
