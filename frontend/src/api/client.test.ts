import { callApi, networkError, serviceUrl } from './client';

const json = (body: unknown, status = 200) => ({ status, json: async () => body }) as unknown as Response;
/** Replace fetch; the mock keeps its calls. */
const mockFetch = (impl: () => Promise<Response>): jest.Mock => {
  const mock = jest.fn(impl);
  global.fetch = mock as unknown as typeof fetch;
  return mock;
};

describe('callApi', () => {
  it('sends JSON with the CSRF token and same-origin credentials on POST', async () => {
    const fsa = { type: 'POST_EMAILS_NEW_SUCCESS', payload: {} };
    const fetchMock = mockFetch(async () => json(fsa));
    const result = await callApi({
      url: '/api/emails/new',
      method: 'POST',
      body: { email: 'a@example.org' },
      csrfToken: 'tok',
      type: 'POST_EMAILS_NEW',
    });
    expect(result).toEqual(fsa);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/emails/new');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['X-CSRF-Token']).toBe('tok');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ email: 'a@example.org' });
  });

  it('sends no token and no body on GET', async () => {
    const fetchMock = mockFetch(async () => json({ type: 'GET_EMAILS_ALL_SUCCESS', payload: {} }));
    await callApi({ url: '/api/emails/all', method: 'GET', csrfToken: 'tok', type: 'GET_EMAILS_ALL' });
    const [, init] = fetchMock.mock.calls[0];
    expect(init.headers['X-CSRF-Token']).toBeUndefined();
    expect(init.body).toBeUndefined();
  });

  it('passes error FSAs through unchanged', async () => {
    const fsa = { type: 'POST_AUTHN_LOGIN_FAIL', error: true, payload: { message: 'authn.invalid_credentials' } };
    mockFetch(async () => json(fsa, 401));
    await expect(callApi({ url: '/x', method: 'POST', type: 'POST_AUTHN_LOGIN' })).resolves.toEqual(fsa);
  });

  it('turns a network failure into a synthetic FAIL', async () => {
    mockFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(callApi({ url: '/x', method: 'GET', type: 'GET_EMAILS_ALL' })).resolves.toEqual({
      type: 'GET_EMAILS_ALL_FAIL',
      error: true,
      payload: { message: 'network.error' },
    });
  });

  it('turns a body that is not JSON, or not an FSA, into a synthetic FAIL', async () => {
    mockFetch(
      async () =>
        ({
          json: async () => {
            throw new SyntaxError('Unexpected token <');
          },
        }) as unknown as Response,
    );
    await expect(callApi({ url: '/x', method: 'GET', type: 'GET_A_B' })).resolves.toEqual(networkError('GET_A_B'));
    mockFetch(async () => json({ hello: 'world' }));
    await expect(callApi({ url: '/x', method: 'GET', type: 'GET_A_B' })).resolves.toEqual(networkError('GET_A_B'));
  });
});

describe('serviceUrl', () => {
  it('uses the base URL from jsconfig', () => {
    expect(serviceUrl({ emails: '/mail-api/' }, 'emails', 'resend-code')).toBe('/mail-api/resend-code');
    expect(serviceUrl({ emails: '/mail-api' }, 'emails', 'all')).toBe('/mail-api/all');
  });

  it('finds the services jsconfig names with an underscore', () => {
    const services = { personal_data: '/pd/', reset_password: '/api/reset-password/' };
    expect(serviceUrl(services, 'personal-data', 'user')).toBe('/pd/user');
    expect(serviceUrl(services, 'reset-password', 'start')).toBe('/api/reset-password/start');
  });

  it('falls back to /api/<service>/ before jsconfig is known', () => {
    expect(serviceUrl({}, 'jsconfig', 'config')).toBe('/api/jsconfig/config');
  });
});
