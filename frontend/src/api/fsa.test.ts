import { isFailFsa, isServerFsa, requestType } from './fsa';
import { routes } from './routes';

describe('requestType', () => {
  it('builds the FSA prefix the services use', () => {
    expect(requestType('POST', 'emails', 'resend-code')).toBe('POST_EMAILS_RESEND_CODE');
    expect(requestType('GET', 'personal-data', 'user')).toBe('GET_PERSONAL_DATA_USER');
    expect(requestType('POST', 'reset-password', 'new-password')).toBe('POST_RESET_PASSWORD_NEW_PASSWORD');
  });

  it('gives every route of the table its answers’ types', () => {
    expect(routes.resetNewPassword.success.type).toBe('POST_RESET_PASSWORD_NEW_PASSWORD_SUCCESS');
    expect(routes.saveUser.fail.type).toBe('POST_PERSONAL_DATA_USER_FAIL');
    expect(routes.config.success.match({ type: 'GET_JSCONFIG_CONFIG_SUCCESS', payload: {} })).toBe(true);
    expect(routes.config.success.match({ type: 'GET_JSCONFIG_CONFIG_FAIL', payload: {} })).toBe(false);
  });
});

describe('FSA guards', () => {
  it('tell a failure, and its message key', () => {
    const refused = { type: 'GET_EMAILS_ALL_FAIL', error: true, payload: { message: 'authn.required' } };
    expect(isFailFsa(refused)).toBe(true);
    expect(isFailFsa(refused, 'authn.required')).toBe(true);
    expect(isFailFsa(refused, 'csrf.invalid')).toBe(false);
    expect(isFailFsa({ type: 'GET_EMAILS_ALL_SUCCESS', payload: { message: 'x' } })).toBe(false);
  });

  it('tell a service’s answer from the SPA’s own actions', () => {
    expect(isServerFsa({ type: 'POST_EMAILS_NEW_SUCCESS' })).toBe(true);
    expect(isServerFsa({ type: 'api/executeMutation/fulfilled' })).toBe(false);
    expect(isServerFsa({ type: 'language/changed' })).toBe(false);
  });
});
