/**
 * Configuration: an optional YAML file, then IMAGO_* environment variables on top, validated
 * once into a frozen object. Every bad key is reported in one error so an operator fixes
 * them all in one go. Names in the file are snake_case; the variable for `image_size_cap`
 * is IMAGO_IMAGE_SIZE_CAP.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { maxLimit, UNLIMITED } from './domain/quota.js';

export interface TokenGrant {
  token: string;
  project: string;
  roles: string[];
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Where the SQLite catalog, the local store and the generated admin token live. */
  readonly dataDir: string;
  /** `sqlite:PATH` (default `sqlite:<data_dir>/imago.db`) or `postgres://…`. */
  readonly databaseUrl: string;
  /** Largest image accepted, in bytes (Glance's image_size_cap, default 1 TiB). */
  readonly imageSizeCap: number;
  /** Largest virtual (guest-visible) size an uploaded image may declare, in bytes (default 1 TiB). */
  readonly maxVirtualSize: number;
  /** Refuse data whose detected format differs from disk_format (Glance's require_image_format_match). */
  readonly requireImageFormatMatch: boolean;
  /** Accept encrypted qcow2 images (default false: their content cannot be inspected). */
  readonly allowEncryptedImages: boolean;
  readonly imageTagQuota: number;
  readonly imagePropertyQuota: number;
  /** Most members (projects it is shared with) one image may have (Glance's image_member_quota; -1 = unlimited). */
  readonly imageMemberQuota: number;
  /** An operator policy file (YAML or JSON: action -> rule string) overriding single default rules. */
  readonly policyFile: string | undefined;
  /** Default per-project quotas (Glance's unified-limit names and units; -1 = unlimited). */
  readonly quotaImageCountTotal: number;
  /** MiB. */
  readonly quotaImageSizeTotal: number;
  /** MiB. */
  readonly quotaImageStageTotal: number;
  readonly quotaImageCountUploading: number;
  readonly listLimitDefault: number;
  readonly listLimitMax: number;
  /** The admin token; when unset, one is generated on first start and kept in the data dir. */
  readonly adminToken: string | undefined;
  readonly tokens: readonly TokenGrant[];
  /** Public base URL for links (`self`, `next`, Location); defaults to the listen address. */
  readonly publicUrl: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Standalone identity: lifetime of the tokens Imago issues (Keystone's default is 3600 too). */
  readonly tokenTtlSeconds: number;
  /** Standalone identity: password of the "admin" user created on first start (else generated). */
  readonly bootstrapPassword: string | undefined;
  /** Keystone mode (tokens validated by an existing Keystone) when set; see docs/keystone.md. */
  readonly keystone: KeystoneConfig | undefined;
}

export interface KeystoneConfig {
  /** Keystone's identity v3 root, always ending in /v3, without a trailing slash. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly userDomain: string;
  readonly projectDomain: string;
  /** How long a validated token is trusted before Keystone is asked again (0: every request). */
  readonly cacheSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const KEYSTONE_KEYS = [
  'keystone_url', 'keystone_username', 'keystone_password', 'keystone_project_name',
  'keystone_user_domain', 'keystone_project_domain', 'keystone_cache_seconds',
] as const;

/** Every key the file and the environment may set. */
const KEYS = [
  'host', 'port', 'data_dir', 'database_url', 'image_size_cap', 'max_virtual_size',
  'require_image_format_match', 'allow_encrypted_images', 'image_tag_quota',
  'image_property_quota', 'list_limit_default', 'list_limit_max', 'admin_token', 'tokens',
  'public_url', 'log_level',
  'image_member_quota', 'policy_file',
  'token_ttl_seconds', 'bootstrap_password',
  'quota_image_count_total', 'quota_image_size_total', 'quota_image_stage_total', 'quota_image_count_uploading',
  ...KEYSTONE_KEYS,
] as const;

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Path of a YAML file; when omitted, IMAGO_CONFIG names one (or none is read). */
  file?: string;
  /** Values that win over both (used by tests and by `imago serve --port`). */
  overrides?: Raw;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const file = sources.file ?? env.IMAGO_CONFIG;
  let raw: Raw = {};
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`${file}: the top level must be a mapping`);
        else raw = { ...(parsed as Raw) };
      }
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) problems.push(`${key}: unknown key`);
  }
  for (const key of KEYS) {
    const value = env[`IMAGO_${key.toUpperCase()}`];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  Object.assign(raw, sources.overrides ?? {});

  const str = (key: string, fallback: string): string => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' && typeof v !== 'number') { problems.push(`${key}: must be a string`); return fallback; }
    return String(v);
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = raw[key];
    if (v === undefined) return fallback;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) { problems.push(`${key}: must be a whole number from ${min} to ${max}`); return fallback; }
    return n;
  };

  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    problems.push(`${key}: must be true or false`);
    return fallback;
  };

  const dataDir = resolve(str('data_dir', './data'));
  const logLevel = str('log_level', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`log_level: must be one of ${LOG_LEVELS.join(', ')}`);
  const databaseUrl = str('database_url', `sqlite:${resolve(dataDir, 'imago.db')}`);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) problems.push('database_url: must start with sqlite: or postgres://');
  const publicUrl = raw.public_url === undefined ? undefined : str('public_url', '').replace(/\/+$/, '');
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) problems.push('public_url: must be an http(s) URL');
  const adminToken = raw.admin_token === undefined ? undefined : str('admin_token', '');
  if (adminToken !== undefined && adminToken.length < 8) problems.push('admin_token: must be at least 8 characters');
  const bootstrapPassword = raw.bootstrap_password === undefined ? undefined : str('bootstrap_password', '');
  if (bootstrapPassword !== undefined && bootstrapPassword.length < 8) problems.push('bootstrap_password: must be at least 8 characters');

  const config: Config = {
    host: str('host', '127.0.0.1'),
    port: int('port', 9292, 0, 65535),
    dataDir,
    databaseUrl,
    imageSizeCap: int('image_size_cap', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
    maxVirtualSize: int('max_virtual_size', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
    requireImageFormatMatch: bool('require_image_format_match', true),
    allowEncryptedImages: bool('allow_encrypted_images', false),
    imageTagQuota: int('image_tag_quota', 128, 0, 100_000),
    imagePropertyQuota: int('image_property_quota', 128, 0, 100_000),
    imageMemberQuota: int('image_member_quota', 128, -1, 100_000),
    policyFile: raw.policy_file === undefined || raw.policy_file === '' ? undefined : resolve(str('policy_file', '')),
    quotaImageCountTotal: int('quota_image_count_total', UNLIMITED, UNLIMITED, maxLimit('image_count_total')),
    quotaImageSizeTotal: int('quota_image_size_total', UNLIMITED, UNLIMITED, maxLimit('image_size_total')),
    quotaImageStageTotal: int('quota_image_stage_total', UNLIMITED, UNLIMITED, maxLimit('image_stage_total')),
    quotaImageCountUploading: int('quota_image_count_uploading', UNLIMITED, UNLIMITED, maxLimit('image_count_uploading')),
    listLimitDefault: int('list_limit_default', 25, 1, 100_000),
    listLimitMax: int('list_limit_max', 1000, 1, 100_000),
    adminToken,
    tokens: parseTokens(raw.tokens, problems),
    publicUrl,
    logLevel: logLevel as Config['logLevel'],
    tokenTtlSeconds: int('token_ttl_seconds', 3600, 60, 30 * 86_400),
    bootstrapPassword,
    keystone: parseKeystone(raw, str, int, problems),
  };
  if (config.listLimitDefault > config.listLimitMax) problems.push('list_limit_default: must not exceed list_limit_max');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/**
 * Project tokens: in the file a list of {token, project, roles}; in the environment
 * `TOKEN:PROJECT[:ROLE+ROLE],…` (roles default to member+reader).
 */
function parseTokens(value: unknown, problems: string[]): TokenGrant[] {
  if (value === undefined) return [];
  const grants: TokenGrant[] = [];
  const entries: unknown[] = typeof value === 'string' ? value.split(',').filter((s) => s.trim() !== '') : Array.isArray(value) ? value : [value];
  for (const [i, entry] of entries.entries()) {
    let token: unknown; let project: unknown; let roles: unknown;
    if (typeof entry === 'string') [token, project, roles] = entry.trim().split(':');
    else if (entry && typeof entry === 'object') ({ token, project, roles } = entry as Raw);
    const roleList = roles === undefined ? ['member', 'reader'] : typeof roles === 'string' ? roles.split('+') : roles;
    if (typeof token !== 'string' || token.length < 8 || typeof project !== 'string' || project === ''
      || !Array.isArray(roleList) || !roleList.every((r) => typeof r === 'string' && r !== '')) {
      problems.push(`tokens[${i}]: needs a token of at least 8 characters, a project and optional roles`);
      continue;
    }
    grants.push({ token, project, roles: roleList as string[] });
  }
  return grants;
}

/**
 * Keystone mode's keys. The URL may be Keystone's root or its /v3 (both are common in
 * OpenStack configuration); the service user's name, password and project are then required.
 */
function parseKeystone(
  raw: Raw,
  str: (key: string, fallback: string) => string,
  int: (key: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): KeystoneConfig | undefined {
  if (raw.keystone_url === undefined) {
    for (const key of KEYSTONE_KEYS) if (raw[key] !== undefined) problems.push(`${key}: only used together with keystone_url`);
    return undefined;
  }
  let url = str('keystone_url', '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) problems.push('keystone_url: must be an http(s) URL');
  if (!url.endsWith('/v3')) url += '/v3';
  const required = (key: string): string => {
    const value = str(key, '');
    if (value === '') problems.push(`${key}: required with keystone_url`);
    return value;
  };
  return {
    url,
    username: required('keystone_username'),
    password: required('keystone_password'),
    projectName: required('keystone_project_name'),
    userDomain: str('keystone_user_domain', 'Default'),
    projectDomain: str('keystone_project_domain', 'Default'),
    cacheSeconds: int('keystone_cache_seconds', 300, 0, 86_400),
  };
}
