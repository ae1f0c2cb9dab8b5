import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { issuerList, readJwtIssuers } from './jwt.config';

const ISSUERS = 'HYPERFLEET_SERVER_JWT_ISSUERS';
const WHERE = 'HYPERFLEET_SERVER_JWT_ISSUERS (server.jwt.issuers)';

function problemsOf(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig(env, argv);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('server.jwt configuration', () => {
  it('is off with no issuers by default', () => {
    expect(loadConfig({}, []).server.jwt).toEqual({ enabled: false, issuers: [] });
  });

  it('reads issuers from JSON in the environment and applies the defaults', () => {
    const config = loadConfig({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', [ISSUERS]: JSON.stringify([{ issuer_url: 'https://sso.example.com/realms/hf', jwk_cert_url: 'https://sso.example.com/certs', audience: 'hyperfleet' }]) }, []);
    expect(config.server.jwt).toEqual({
      enabled: true,
      issuers: [{ issuerUrl: 'https://sso.example.com/realms/hf', jwkCertUrl: 'https://sso.example.com/certs', audience: 'hyperfleet', header: 'Authorization', identityClaim: 'email' }],
    });
  });

  it('reads an issuer list from the YAML file, every field included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-jwt-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'server:',
        '  jwt:',
        '    enabled: true',
        '    issuers:',
        '      - issuer_url: http://localhost:8180/realms/dev',
        '        jwk_cert_file: /etc/hyperfleet/keys.pem',
        '        jwk_cert_url: http://127.0.0.1:8180/certs',
        '        header: X-Token',
        '        identity_claim: preferred_username',
        "        identity_claim_pattern: '^[a-z]+$'",
        '        identity_header: X-HyperFleet-Identity',
        '      - issuer_url: https://other.example.com',
        '        jwk_cert_url: https://other.example.com/jwks',
      ].join('\n'),
    );
    const { jwt } = loadConfig({}, ['--config', file]).server;
    expect(jwt.enabled).toBe(true);
    expect(jwt.issuers).toEqual([
      { issuerUrl: 'http://localhost:8180/realms/dev', jwkCertFile: '/etc/hyperfleet/keys.pem', jwkCertUrl: 'http://127.0.0.1:8180/certs', header: 'X-Token', identityClaim: 'preferred_username', identityClaimPattern: '^[a-z]+$', identityHeader: 'X-HyperFleet-Identity' },
      { issuerUrl: 'https://other.example.com', jwkCertUrl: 'https://other.example.com/jwks', header: 'Authorization', identityClaim: 'email' },
    ]);
  });

  it('refuses to enable authentication without an issuer, naming the key', () => {
    expect(problemsOf({ HYPERFLEET_SERVER_JWT_ENABLED: 'true' })).toEqual([`${WHERE}: at least one issuer is required when server.jwt.enabled is true`]);
    expect(problemsOf({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', [ISSUERS]: '[]' })).toHaveLength(1);
  });

  it('rejects issuers that are not a list of objects', () => {
    for (const bad of ['{"issuer_url":"https://x"}', 'not json', '["https://x"]']) {
      const problems = problemsOf({ HYPERFLEET_SERVER_JWT_ENABLED: 'true', [ISSUERS]: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^HYPERFLEET_SERVER_JWT_ISSUERS \(server\.jwt\.issuers\): .* is not valid, expected a list of issuer objects/);
    }
    expect(problemsOf({ HYPERFLEET_SERVER_JWT_ENABLED: 'maybe' })[0]).toContain('HYPERFLEET_SERVER_JWT_ENABLED (server.jwt.enabled)');
  });

  it('checks every issuer field and reports each problem with its index', () => {
    const problems = problemsOf({
      [ISSUERS]: JSON.stringify([
        { jwk_cert_url: 'http://keys.example.com/jwks' },
        { issuer_url: 'ftp://x', header: 'Cookie', identity_header: 'Authorization', identity_claim_pattern: '([a-z', audience: 7, extra: true },
        { issuer_url: 'https://ok.example.com', jwk_cert_file: '/k.pem', jwk_cert_ca_file: '/ca.pem', header: 'Bad Header', identity_header: 'bad header' },
        { issuer_url: 'https://ok.example.com', jwk_cert_url: 'https://ok.example.com/jwks', header: 'X-Token', identity_header: 'x-token', identity_claim: '' },
      ]),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        `${WHERE}[0].issuer_url: is required`,
        `${WHERE}[0].jwk_cert_url: must use https (http is allowed only for localhost, 127.0.0.1 and ::1)`,
        `${WHERE}[1].issuer_url: must use https (http is allowed only for localhost, 127.0.0.1 and ::1)`,
        `${WHERE}[1]: needs jwk_cert_url or jwk_cert_file (or both)`,
        `${WHERE}[1].header: 'Cookie' must not carry tokens`,
        `${WHERE}[1].identity_header: 'Authorization' is not allowed`,
        expect.stringMatching(/^HYPERFLEET_SERVER_JWT_ISSUERS \(server\.jwt\.issuers\)\[1\]\.identity_claim_pattern: not a valid regular expression/),
        `${WHERE}[1].audience: must be a non-empty string`,
        expect.stringMatching(/\[1\]\.extra: unknown field/),
        `${WHERE}[2].jwk_cert_ca_file: not supported; add the CA to NODE_EXTRA_CA_CERTS instead`,
        `${WHERE}[2].header: 'Bad Header' is not a valid header name`,
        `${WHERE}[2].identity_header: 'bad header' is not a valid header name`,
        `${WHERE}[3].identity_header: must differ from header 'X-Token'`,
        `${WHERE}[3].identity_claim: must be a non-empty string`,
      ]),
    );
    expect(problems).toHaveLength(14);
  });

  it('accepts http issuer and key URLs on loopback hosts only', () => {
    const check = (url: string) => readJwtIssuers([{ issuer_url: url, jwk_cert_url: url }], 'x').problems;
    expect(check('http://localhost:8080/realm')).toEqual([]);
    expect(check('http://127.0.0.1/realm')).toEqual([]);
    expect(check('http://[::1]:9000/realm')).toEqual([]);
    expect(check('http://localhost.example.com/realm')).toHaveLength(2);
    expect(check('not a url')).toEqual(['x[0].issuer_url: must be an absolute URL', 'x[0].jwk_cert_url: must be an absolute URL']);
  });

  it('reads the raw list from JSON text or a YAML list, and nothing else', () => {
    expect(issuerList('[{"issuer_url":"https://a"}]')).toEqual([{ issuer_url: 'https://a' }]);
    expect(issuerList([{ issuer_url: 'https://a' }])).toEqual([{ issuer_url: 'https://a' }]);
    expect(issuerList('https://a')).toBeUndefined();
    expect(issuerList([null])).toBeUndefined();
    expect(issuerList(true)).toBeUndefined();
  });
});
