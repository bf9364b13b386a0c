import { apiRequest, requestType } from './actions';

describe('requestType', () => {
  it('builds the FSA prefix the services use', () => {
    expect(requestType('POST', 'emails', 'resend-code')).toBe('POST_EMAILS_RESEND_CODE');
    expect(requestType('GET', 'personal-data', 'user')).toBe('GET_PERSONAL_DATA_USER');
    expect(requestType('POST', 'reset-password', 'new-password')).toBe('POST_RESET_PASSWORD_NEW_PASSWORD');
  });

  it('is carried by the request action', () => {
    expect(apiRequest({ service: 'jsconfig', route: 'config' }).payload).toMatchObject({
      method: 'GET',
      requestType: 'GET_JSCONFIG_CONFIG',
    });
  });
});
