import { isServerPage, safeNext } from './next';

const ORIGIN = 'http://localhost:8080';

describe('safeNext', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/dashboard/security', '/dashboard/security'],
    ['/consent?request=abc_DEF-123', '/consent?request=abc_DEF-123'],
    [
      '/api/oidc/authorize?response_type=code&client_id=demo-rp&redirect_uri=http%3A%2F%2F127.0.0.1%3A8090%2Fcallback&scope=openid&state=a%0Ab',
      '/api/oidc/authorize?response_type=code&client_id=demo-rp&redirect_uri=http%3A%2F%2F127.0.0.1%3A8090%2Fcallback&scope=openid&state=a%0Ab',
    ],
    ['/./api/oidc/authorize?x=1', '/api/oidc/authorize?x=1'], // normalised by the URL parser
    ['/logout?request=r#top', '/logout?request=r#top'],
  ])('keeps the same-origin path %j', (raw, expected) => {
    expect(safeNext(raw, ORIGIN)).toBe(expected);
  });

  it.each([
    // other origins, spelt every way a browser accepts
    'https://evil.example/',
    'http://localhost:8080.evil.example/',
    '//evil.example',
    '//evil.example/dashboard',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '\\/evil.example',
    'evil.example',
    'dashboard',
    // schemes
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '/javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http:/evil.example',
    'https:evil.example',
    // control characters the URL parser would strip or a header would split on
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/dash\u0000board',
    '/\u007f/evil.example',
    '/\u0085/evil.example',
    // encoded once more: a later decoder must not find one of the above
    '/%2F%2Fevil.example',
    '/%2fevil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/%09/evil.example',
    '/%0d%0a/evil.example',
    '/%00',
    '/javascript%3Aalert(1)',
    '/%E0%A4%A', // malformed percent-encoding
    // paths that would dot-segment out to elsewhere on the back end, and JSON routes
    '/api/authn/logout',
    '/api/security/terminate',
    '/dashboard/../api/security/export',
    '/api/oidc/authorize/../end-session',
    '/api/oidc/end-session?post_logout_redirect_uri=http://127.0.0.1:8090/',
    // empty and absurd
    '',
    ' /dashboard',
  ])('refuses %j', (raw) => {
    expect(safeNext(raw, ORIGIN)).toBeNull();
  });

  it('refuses an absurdly long path', () => {
    expect(safeNext(`/${'a'.repeat(5000)}`, ORIGIN)).toBeNull();
  });

  it('refuses nothing at all', () => {
    expect(safeNext(null, ORIGIN)).toBeNull();
    expect(safeNext(undefined, ORIGIN)).toBeNull();
  });

  it('reads the query as URLSearchParams decodes it', () => {
    const next = new URLSearchParams('next=%2F%2Fevil.example').get('next');
    expect(safeNext(next, ORIGIN)).toBeNull();
    const good = new URLSearchParams('next=%2Fapi%2Foidc%2Fauthorize%3Fclient_id%3Ddemo-rp').get('next');
    expect(safeNext(good, ORIGIN)).toBe('/api/oidc/authorize?client_id=demo-rp');
  });
});

describe('isServerPage', () => {
  it('loads the authorization endpoint as a page and routes SPA paths', () => {
    expect(isServerPage('/api/oidc/authorize?x=1')).toBe(true);
    expect(isServerPage('/consent?request=1')).toBe(false);
  });
});
