import { claimValue, IdentityPolicy, normalizeIdentity, resolveIdentity } from './identity';

describe(resolveIdentity.name, () => {
  const email: IdentityPolicy = { identityClaim: 'email' };
  const withHeader: IdentityPolicy = { identityClaim: 'email', identityHeader: 'X-HyperFleet-Identity' };

  it('takes the identity claim, trimmed', () => {
    expect(resolveIdentity({ email: '  ann@example.com ' }, email, undefined)).toEqual({ identity: 'ann@example.com' });
  });

  it('lets a non-empty identity header win over the claim', () => {
    expect(resolveIdentity({ email: 'svc@example.com' }, withHeader, 'service-account:sentinel')).toEqual({ identity: 'service-account:sentinel' });
  });

  it('falls back to the claim when the identity header is absent or blank', () => {
    expect(resolveIdentity({ email: 'svc@example.com' }, withHeader, undefined)).toEqual({ identity: 'svc@example.com' });
    expect(resolveIdentity({ email: 'svc@example.com' }, withHeader, '   ')).toEqual({ identity: 'svc@example.com' });
  });

  it('ignores the identity header when the issuer has none configured', () => {
    expect(resolveIdentity({ email: 'ann@example.com' }, email, 'mallory')).toEqual({ identity: 'ann@example.com' });
  });

  it('refuses an invalid identity header instead of falling back to the claim', () => {
    expect(resolveIdentity({ email: 'svc@example.com' }, withHeader, 'a\tb')).toEqual({ problem: 'header "X-HyperFleet-Identity" value contains invalid characters' });
    expect(resolveIdentity({ email: 'svc@example.com' }, withHeader, 'x'.repeat(257))).toEqual({ problem: 'header "X-HyperFleet-Identity" value exceeds maximum length 256' });
  });

  it('says which claim is missing or empty', () => {
    expect(resolveIdentity({ sub: '123' }, email, undefined)).toEqual({ problem: 'identity claim "email" not found or empty' });
    expect(resolveIdentity({ email: '   ' }, email, undefined)).toEqual({ problem: 'identity claim "email" not found or empty' });
    expect(resolveIdentity({ email: 42 }, email, undefined)).toEqual({ problem: 'identity claim "email" not found or empty' });
  });

  it('applies the pattern to header and claim values alike', () => {
    const policy: IdentityPolicy = { ...withHeader, identityPattern: /^[a-z]+@example\.com$/ };
    expect(resolveIdentity({ email: 'ann@example.com' }, policy, undefined)).toEqual({ identity: 'ann@example.com' });
    expect(resolveIdentity({ email: 'ann@evil.com' }, policy, undefined)).toEqual({ problem: 'identity claim value does not match required pattern' });
    expect(resolveIdentity({ email: 'ann@example.com' }, policy, 'bob@evil.com')).toEqual({ problem: 'identity header value does not match required pattern' });
  });
});

describe(normalizeIdentity.name, () => {
  it('counts the limit in UTF-8 bytes', () => {
    expect(normalizeIdentity('é'.repeat(128), 's')).toEqual({ identity: 'é'.repeat(128) });
    expect(normalizeIdentity('é'.repeat(128) + 'a', 's')).toEqual({ problem: 's value exceeds maximum length 256' });
  });

  it.each(['a\u0000b', 'a\nb', 'a\u001fb', 'a\u007fb', 'a\ud800b', '\udfff'])('refuses control characters and unpaired surrogates (%j)', (value) => {
    expect(normalizeIdentity(value, 's')).toEqual({ problem: 's value contains invalid characters' });
  });

  it('accepts non-email identities', () => {
    expect(normalizeIdentity('service-account:sentinel', 's')).toEqual({ identity: 'service-account:sentinel' });
  });
});

describe(claimValue.name, () => {
  it.each([
    ['username', { preferred_username: 'ann' }, 'ann'],
    ['preferred_username', { username: 'ann' }, 'ann'],
    ['first_name', { given_name: 'Ann' }, 'Ann'],
    ['given_name', { first_name: 'Ann' }, 'Ann'],
    ['given_name', { name: 'Ann Lee' }, 'Ann'],
    ['last_name', { family_name: 'Lee' }, 'Lee'],
    ['family_name', { last_name: 'Lee' }, 'Lee'],
    ['family_name', { name: 'Ann Lee' }, 'Lee'],
    ['clientId', { clientId: 'sentinel' }, 'sentinel'],
    ['iss', { iss: 'https://sso.example.com' }, 'https://sso.example.com'],
    ['sub', { sub: 'abc' }, 'abc'],
  ])('reads %s from %j', (name, claims, expected) => {
    expect(claimValue(claims, name)).toBe(expected);
  });

  it.each([
    ['email', { preferred_username: 'ann' }],
    ['clientId', { azp: 'sentinel' }],
    ['family_name', { name: 'Ann' }],
    ['username', { username: '', preferred_username: '' }],
  ])('finds no %s in %j', (name, claims) => {
    expect(claimValue(claims, name)).toBeUndefined();
  });

  it('prefers the named claim over its equivalent', () => {
    expect(claimValue({ username: 'u', preferred_username: 'p' }, 'preferred_username')).toBe('p');
    expect(claimValue({ username: 'u', preferred_username: 'p' }, 'username')).toBe('u');
  });
});
