/**
 * Where the CLI sends requests and with which token: flags first, then Imago's variables,
 * then the OpenStack ones, so a shell already set up for `openstack` works with `imago`.
 * With no token but OpenStack credentials (OS_AUTH_URL with OS_USERNAME/OS_PASSWORD or
 * OS_APPLICATION_CREDENTIAL_ID/SECRET), the CLI logs in first and takes the image endpoint
 * from the token's catalog.
 */
import { catalogUrl, IdentityClient } from '../client/identity-client.js';
import type { LoginCredentials } from '../client/identity-types.js';
import { stringOption, UsageError, type OptionValues } from './args.js';

export const DEFAULT_URL = 'http://127.0.0.1:9292';

export interface Connection {
  baseUrl: string;
  token: string | undefined;
  /** The identity endpoint: OS_AUTH_URL, else Imago's own under the image endpoint. */
  authUrl: string;
  /** Set when there is no token but there are credentials to log in with. */
  login?: {
    credentials: LoginCredentials;
    /** An image URL was given explicitly: it wins over the catalog's. */
    imageUrlGiven: boolean;
  };
}

export function resolveConnection(values: OptionValues, env: NodeJS.ProcessEnv): Connection {
  const first = (...candidates: (string | undefined)[]): string | undefined => candidates.find((v) => v !== undefined && v.trim() !== '');
  const givenUrl = first(stringOption(values, 'url'), env.IMAGO_URL, env.OS_IMAGE_URL);
  const baseUrl = givenUrl ?? DEFAULT_URL;
  const token = first(stringOption(values, 'token'), env.IMAGO_TOKEN, env.OS_TOKEN, env.OS_AUTH_TOKEN);
  const authUrl = first(env.OS_AUTH_URL) ?? `${baseUrl.replace(/\/+$/, '').replace(/\/v2$/, '')}/identity/v3`;
  const connection: Connection = { baseUrl, token, authUrl };
  if (token !== undefined || first(env.OS_AUTH_URL) === undefined) return connection;

  const credentialId = first(env.OS_APPLICATION_CREDENTIAL_ID);
  const credentialSecret = first(env.OS_APPLICATION_CREDENTIAL_SECRET);
  const username = first(env.OS_USERNAME);
  const password = first(env.OS_PASSWORD);
  let credentials: LoginCredentials | undefined;
  if (credentialId !== undefined && credentialSecret !== undefined) {
    credentials = { kind: 'application_credential', id: credentialId, secret: credentialSecret };
  } else if (username !== undefined && password !== undefined) {
    const projectName = first(env.OS_PROJECT_NAME, env.OS_TENANT_NAME);
    const userDomain = first(env.OS_USER_DOMAIN_NAME, env.OS_DOMAIN_NAME);
    const projectDomain = first(env.OS_PROJECT_DOMAIN_NAME, env.OS_DOMAIN_NAME);
    credentials = {
      kind: 'password', username, password,
      ...(projectName !== undefined ? { projectName } : {}),
      ...(userDomain !== undefined ? { userDomain } : {}),
      ...(projectDomain !== undefined ? { projectDomain } : {}),
    };
  }
  return credentials ? { ...connection, login: { credentials, imageUrlGiven: givenUrl !== undefined } } : connection;
}

/** Logs in when the connection says to, and returns it with the token (and catalog URL) filled in. */
export async function establish(connection: Connection, fetchImpl?: typeof fetch): Promise<Connection> {
  if (connection.token !== undefined || connection.login === undefined) return connection;
  let client: IdentityClient;
  try {
    client = new IdentityClient({ authUrl: connection.authUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  } catch (err) {
    throw new UsageError(`OS_AUTH_URL: ${(err as Error).message}`);
  }
  const session = await client.logIn(connection.login.credentials);
  const imageUrl = connection.login.imageUrlGiven ? connection.baseUrl : catalogUrl(session.record, 'image') ?? connection.baseUrl;
  return { baseUrl: imageUrl, token: session.token, authUrl: connection.authUrl };
}
