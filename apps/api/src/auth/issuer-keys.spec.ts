import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactJWSHeaderParameters, exportJWK, FlattenedJWSInput } from 'jose';
import { fileKeys, IssuerKeyError } from './issuer-keys';

// a self-signed test certificate (public part only)
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDJTCCAg2gAwIBAgIUDO6k0vDm+n21GgdCfWRIMnq6AcEwDQYJKoZIhvcNAQEL
BQAwITEfMB0GA1UEAwwWaHlwZXJmbGVldC10ZXN0LWlzc3VlcjAgFw0yNjExMjUw
MDE1MzJaGA8yMTI2MTEwMTAwMTUzMlowITEfMB0GA1UEAwwWaHlwZXJmbGVldC10
ZXN0LWlzc3VlcjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAOB1dAj0
t4H2I2uFFTkm/ivdnkd9uBHpv06uh1FPAlzkHX3TbTCxsJWGByrJetsGeIBTCtVY
iIyC47HUKB1yXAXcW+aSgTcwi8pxE2pwz75HuXLvkEpGmIRoEvuvobRMatuxpqVY
wVKYiKwEVYBGo5M8Nj7kJNcksE26EQ6O0LyNt/d6QwCYz+l09mym/cS4M1VYTOxP
CmsurMaIUTRkqRhOlJvAEVGrYHmhqUkFmyQ6Dbccu3rLJhXDD0NIrgUInXX2fvtU
FwfxA+cZiGWQfvWSimFGFsMTgDBNB4UBafCmp/wH0TkXyh62rHy1/jfmh6Lb0jGW
HLp5Vg2iyFCvJhcCAwEAAaNTMFEwHQYDVR0OBBYEFDZ6iiOHqKgusQfFKSVA45cY
lWOpMB8GA1UdIwQYMBaAFDZ6iiOHqKgusQfFKSVA45cYlWOpMA8GA1UdEwEB/wQF
MAMBAf8wDQYJKoZIhvcNAQELBQADggEBALPdAa1h2SweVKfRzPXdofmZZYtclGU6
BhUXFGx4BLd0MNLy3QDnMYtQyOwaStreKCPg58vU6pWHMfU+OtjLQEQJeLjpSVbj
E7UL8VKVJ61XuY3YMkXKADYTpZ+6zl+RDsfH1LkvWh61AXhCsb6vHVqFNW+ALgHl
sxa2Dp5mxpL2m2445UZpAHmryX1mCBgutBaAw4hHHwyLjJ2C709KqPbatbdXdmCD
pHhDRPbyPbwLEMlvX6KNtNeURuvujLRs+rMbPt13aemd1T9aOZ0QeE3ChnF14zq/
uV2NUKpwnJKPleo/w5xjWVNwOc/kA9IbkjsN9utyT9Xos0r8x6OX+MQ=
-----END CERTIFICATE-----
`;

describe(fileKeys.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hf-issuer-keys-'));
  let n = 0;
  const file = (content: string) => {
    const path = join(dir, `keys-${++n}`);
    writeFileSync(path, content);
    return path;
  };
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token: FlattenedJWSInput = { protected: '', payload: '', signature: '' };
  const header = (kid?: string): CompactJWSHeaderParameters => ({ alg: 'RS256', ...(kid ? { kid } : {}) });
  const modulusOf = async (key: unknown) => (await exportJWK(key as KeyObject)).n;

  it('reads a JWKS and picks the key named by kid', async () => {
    const [a, b] = [rsa(), rsa()];
    const keys = await fileKeys(file(JSON.stringify({ keys: [{ ...(await exportJWK(a.publicKey)), kid: 'a' }, { ...(await exportJWK(b.publicKey)), kid: 'b' }] })));
    const found = await keys(header('b'), token);
    expect(found).toHaveLength(1);
    expect(await modulusOf(found[0])).toBe((await exportJWK(b.publicKey)).n);
    expect(await keys(header('c'), token)).toEqual([]);
    expect(await keys(header(), token)).toHaveLength(2);
  });

  it('reads a single JWK', async () => {
    const { publicKey } = rsa();
    const keys = await fileKeys(file(JSON.stringify(await exportJWK(publicKey))));
    expect(await keys(header(), token)).toHaveLength(1);
  });

  it('reads PEM public keys (SPKI and PKCS#1) and certificates, all tried for every token', async () => {
    const [a, b] = [rsa(), rsa()];
    const pem = [a.publicKey.export({ type: 'spki', format: 'pem' }), b.publicKey.export({ type: 'pkcs1', format: 'pem' }), CERTIFICATE].join('\n');
    const keys = await fileKeys(file(pem));
    const found = await keys(header('whatever'), token);
    expect(await Promise.all(found.map(modulusOf))).toEqual([(await exportJWK(a.publicKey)).n, (await exportJWK(b.publicKey)).n, (await exportJWK(createPublicKey(CERTIFICATE))).n]);
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.pem'), /cannot be read \(ENOENT\)/],
    ['neither JSON nor PEM', () => file('hello'), /is neither a JSON Web Key Set nor PEM/],
    ['broken JSON', () => file('{"keys": ['), /not valid JSON/],
    ['a PEM private key', () => file(rsa().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), /contains a private key/],
    ['a JWK private key', () => file(JSON.stringify({ keys: [rsa().privateKey.export({ format: 'jwk' })] })), /contains a private key/],
    ['an EC public key', () => file(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string), /holds a ec key/],
    ['a JWKS without RSA keys', () => file(JSON.stringify({ keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })] })), /contains no RSA key/],
    ['a broken RSA JWK', () => file(JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k', e: 'AQAB' }] })), /key k is not a valid RSA key/],
    ['a short RSA key', () => file(JSON.stringify({ keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'k' }] })), /key k has 1024 bits; RS256 needs at least 2048/],
    ['a short PEM key', () => file(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string), /a PEM key has 1024 bits/],
    ['a broken PEM block', () => file('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), /a PEM block is not a public key or certificate/],
  ])('refuses %s, naming the file', async (_what, path, message) => {
    const p = path();
    const failure = fileKeys(p);
    await expect(failure).rejects.toBeInstanceOf(IssuerKeyError);
    await expect(failure).rejects.toThrow(`jwk_cert_file ${p}: `);
    await expect(failure).rejects.toThrow(message);
  });
});
