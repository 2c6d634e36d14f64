/**
 * Where the CLI sends requests and with which token: flags first, then Imago's variables,
 * then the OpenStack ones, so a shell already set up for `openstack` works with `imago`.
 */
import { stringOption, type OptionValues } from './args.js';

export const DEFAULT_URL = 'http://127.0.0.1:9292';

export interface Connection {
  baseUrl: string;
  token: string | undefined;
}

export function resolveConnection(values: OptionValues, env: NodeJS.ProcessEnv): Connection {
  const first = (...candidates: (string | undefined)[]): string | undefined => candidates.find((v) => v !== undefined && v.trim() !== '');
  return {
    baseUrl: first(stringOption(values, 'url'), env.IMAGO_URL, env.OS_IMAGE_URL) ?? DEFAULT_URL,
    token: first(stringOption(values, 'token'), env.IMAGO_TOKEN, env.OS_TOKEN, env.OS_AUTH_TOKEN),
  };
}
