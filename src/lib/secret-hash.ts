/**
 * Passwords and application-credential secrets, hashed with scrypt (memory-hard, in
 * node:crypto, off the event loop). The stored form describes itself, PHC-style:
 *
 *   $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
 *
 * so the cost can be raised later and old hashes still verify with their own parameters.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConcurrencyGate } from './concurrency-gate.js';

export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB per hash: OWASP's floor for scrypt is 2^17 × 8 × 1 at 128 MiB. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

/**
 * Derivations at once. Each holds one of libuv's four thread-pool threads, which the image
 * data's file reads and writes share, for about 80 ms at the default cost, and 32 MiB. Login
 * attempts need no valid credentials, so without a limit a burst of them could take every
 * thread and 128 MiB; past the limit they wait their turn and only the logins slow down.
 */
const DERIVATIONS_AT_ONCE = 1;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds a stored hash's parameters must respect: a tampered row cannot make us allocate gigabytes. */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(secret: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // Node refuses anything above 32 MiB unless maxmem says more; allow exactly what is needed.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * cost.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface Parsed { cost: ScryptCost; salt: Buffer; key: Buffer }

function parse(encoded: string): Parsed | undefined {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!match) return undefined;
  const cost = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (cost.ln < 1 || cost.ln > MAX_LN || cost.r < 1 || cost.r > MAX_R || cost.p < 1 || cost.p > MAX_P) return undefined;
  const salt = Buffer.from(match[4]!, 'base64');
  const key = Buffer.from(match[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { cost, salt, key };
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

export class SecretHasher {
  /** A hash of a random secret, verified against when there is no real hash to check. */
  private decoy: Promise<string> | undefined;
  constructor(
    private readonly cost: ScryptCost = DEFAULT_SCRYPT_COST,
    private readonly gate = new ConcurrencyGate(DERIVATIONS_AT_ONCE),
  ) {}

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await this.derive(secret, salt, this.cost, KEY_BYTES);
    return `$scrypt$ln=${this.cost.ln},r=${this.cost.r},p=${this.cost.p}$${b64(salt)}$${b64(key)}`;
  }

  /**
   * Whether the secret matches. With no hash (unknown user, user without password) it still
   * runs one derivation at the configured cost, so the answer takes as long either way and
   * timing does not tell which users exist.
   */
  async verify(secret: string, encoded: string | null | undefined): Promise<boolean> {
    const parsed = encoded ? parse(encoded) : undefined;
    if (!parsed) {
      this.decoy ??= this.hash(randomBytes(16).toString('hex'));
      const decoy = parse(await this.decoy)!;
      await this.derive(secret, decoy.salt, decoy.cost, decoy.key.length);
      return false;
    }
    const key = await this.derive(secret, parsed.salt, parsed.cost, parsed.key.length);
    return timingSafeEqual(key, parsed.key);
  }

  private derive(secret: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
    return this.gate.run(() => derive(secret, salt, cost, length));
  }
}
