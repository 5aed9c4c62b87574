/**
 * The service key: one 32-byte secret kept outside the database, in `DOSETWIN_SECRET_KEY` (base64)
 * or in the file `service.key` of the data directory (created with mode 0600 at the first start;
 * a file readable by others is refused). Three keys are derived from it by HKDF-SHA256: the Ed25519
 * key that signs validations (the key id is its public key's fingerprint), the AES-256-GCM key
 * that seals TOTP secrets in the database, and the HMAC key of the audit trail's hash chain.
 * Whoever holds the database alone can neither forge a signature, nor read a second-factor secret,
 * nor rewrite the audit trail unnoticed.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign as edSign,
  verify as edVerify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE = 'service.key';
export const KEY_ENV = 'DOSETWIN_SECRET_KEY';

export interface ServiceKeys {
  /** Fingerprint of the signing key's public key (first 16 hex digits of its SHA-256). */
  keyId: string;
  /** The public key (PEM), to verify signatures without the secret. */
  publicKeyPem: string;
  /** Ed25519 signature of `data` (base64url). */
  sign(data: string): string;
  /** Whether `signature` is this key's signature of `data`. */
  verify(data: string, signature: string): boolean;
  /** HMAC-SHA256 (hex) under a key of its own: the audit trail's hash chain (audit/chain.ts). */
  auditMac(data: string): string;
  /** AES-256-GCM: `v1.iv.tag.ciphertext` (base64url). */
  seal(plain: string): string;
  open(sealed: string): string;
}

// An Ed25519 private key in PKCS#8 DER is this prefix followed by its 32-byte seed (RFC 8410).
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

const derive = (secret: Buffer, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `dosetwin ${info}`, 32));

export function serviceKeys(secret: Buffer): ServiceKeys {
  if (secret.length < 32) throw new Error('the service key must be at least 32 bytes');
  const priv: KeyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8, derive(secret, 'signature v1')]),
    format: 'der',
    type: 'pkcs8',
  });
  const pub = createPublicKey(priv);
  const publicKeyPem = pub.export({ format: 'pem', type: 'spki' }).toString();
  const keyId = createHash('sha256')
    .update(pub.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
  const aes = derive(secret, 'seal v1');
  const auditKey = derive(secret, 'audit chain v1');
  return {
    keyId,
    publicKeyPem,
    sign: (data) => edSign(null, Buffer.from(data, 'utf8'), priv).toString('base64url'),
    verify: (data, signature) => {
      try {
        return edVerify(null, Buffer.from(data, 'utf8'), pub, Buffer.from(signature, 'base64url'));
      } catch {
        return false;
      }
    },
    auditMac: (data) => createHmac('sha256', auditKey).update(data, 'utf8').digest('hex'),
    seal: (plain) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', aes, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv, c.getAuthTag(), ct]
        .map((x) => (typeof x === 'string' ? x : x.toString('base64url')))
        .join('.');
    },
    open: (sealed) => {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
      const d = createDecipheriv('aes-256-gcm', aes, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    },
  };
}

/** A key that lives as long as the process: tests and benchmarks (signatures do not outlive it). */
export const ephemeralKeys = (): ServiceKeys => serviceKeys(randomBytes(32));

/**
 * The service key from `DOSETWIN_SECRET_KEY`, else from `<dataDir>/service.key`, created (0600,
 * never overwritten) when absent. Refuses a key file that group or others may read.
 */
export function loadServiceKeys(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { keys: ServiceKeys; source: string } {
  const fromEnv = env[KEY_ENV];
  if (fromEnv) {
    const secret = Buffer.from(fromEnv.trim(), 'base64');
    if (secret.length < 32)
      throw new Error(`${KEY_ENV} must hold at least 32 bytes in base64 (openssl rand -base64 32)`);
    return { keys: serviceKeys(secret), source: KEY_ENV };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    // 'wx': two services starting at once cannot each write their own key.
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    chmodSync(file, 0o600);
  }
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new Error(
      `${file} may be read by other accounts (mode ${mode.toString(8)}): chmod 600 it (it signs validations)`,
    );
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new Error(`${file} does not hold a 32-byte key in base64`);
  return { keys: serviceKeys(secret), source: file };
}
