import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { USER, callsTo, fail, mockApi, renderApp, success } from '../../test/utils';

// The browser's WebAuthn (navigator.credentials) does not exist in jsdom: the library
// that wraps it stands in for the authenticator; the network stays the fake service.
jest.mock('@simplewebauthn/browser', () => ({
  startAuthentication: jest.fn(),
  startRegistration: jest.fn(),
  browserSupportsWebAuthnAutofill: jest.fn(async () => false),
}));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const webauthn = require('@simplewebauthn/browser') as Record<string, jest.Mock>;

const location = () => screen.getByTestId('location').textContent;
const MFA_DUE = { logged_in: false, mfa_required: true, methods: ['totp', 'recovery_code'], user_id: null, csrf_token: 'c2' };
const LOGGED_IN = { logged_in: true, mfa_required: false, methods: [], user_id: 'u1', csrf_token: 'c3' };
const ASSERTION = { id: 'k1', rawId: 'k1', type: 'public-key', response: { clientDataJSON: 'a', authenticatorData: 'b', signature: 'c' } };

const loggedInApis = {
  // logged out, then a pending second step, then logged in
  'GET /api/authn/session': [
    success('GET_AUTHN_SESSION', { logged_in: false }),
    success('GET_AUTHN_SESSION', { logged_in: false, mfa_pending: true }),
    success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1' }),
  ],
  'GET /api/emails/all': success('GET_EMAILS_ALL', { emails: USER.emails }),
  'GET /api/phones/all': success('GET_PHONES_ALL', { phones: [] }),
};

async function typePassword(user: ReturnType<typeof renderApp>['user']) {
  await user.type(await screen.findByLabelText('Email address'), 'ada@example.org');
  await user.type(screen.getByLabelText('Password'), 'secret words');
  await user.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('login with a second factor', () => {
  beforeEach(() => jest.clearAllMocks());

  it('asks for the TOTP code after the password, and logs in with it', async () => {
    const api = mockApi({
      ...loggedInApis,
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', MFA_DUE),
      'POST /api/authn/mfa/totp': [fail('POST_AUTHN_MFA_TOTP', 'authn.invalid_code'), success('POST_AUTHN_MFA_TOTP', LOGGED_IN)],
    });
    const { user, container } = renderApp('/login');
    await typePassword(user);

    expect(await screen.findByRole('heading', { level: 1, name: 'Two-step verification' })).toBeInTheDocument();
    expect(location()).toBe('/login');
    expect(screen.getByRole('radio', { name: 'Authenticator app' })).toBeChecked();
    expect(await axe(container)).toHaveNoViolations();

    await user.type(screen.getByLabelText('Code from your authenticator app'), '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(callsTo(api, 'POST /api/authn/mfa/totp')).toHaveLength(1));
    expect(location()).toBe('/login');

    await user.clear(screen.getByLabelText('Code from your authenticator app'));
    await user.type(screen.getByLabelText('Code from your authenticator app'), '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(location()).toBe('/dashboard'));
    expect(callsTo(api, 'POST /api/authn/mfa/totp')).toEqual([{ code: '000000' }, { code: '123456' }]);
  });

  it('completes the login with a recovery code', async () => {
    const api = mockApi({
      ...loggedInApis,
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', MFA_DUE),
      'POST /api/authn/mfa/recovery-code': success('POST_AUTHN_MFA_RECOVERY_CODE', LOGGED_IN),
    });
    const { user } = renderApp('/login');
    await typePassword(user);
    await user.click(await screen.findByRole('radio', { name: 'Recovery code' }));
    await user.type(screen.getByRole('textbox', { name: 'Recovery code' }), ' abcd-efgh ');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(location()).toBe('/dashboard'));
    expect(callsTo(api, 'POST /api/authn/mfa/recovery-code')).toEqual([{ code: 'abcd-efgh' }]);
  });

  it('completes the login with a security key', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const api = mockApi({
      ...loggedInApis,
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', { ...MFA_DUE, methods: ['webauthn', 'totp'] }),
      'POST /api/authn/mfa/webauthn/begin': success('POST_AUTHN_MFA_WEBAUTHN_BEGIN', { options: { challenge: 'ch' } }),
      'POST /api/authn/mfa/webauthn/complete': success('POST_AUTHN_MFA_WEBAUTHN_COMPLETE', LOGGED_IN),
    });
    const { user } = renderApp('/login');
    await typePassword(user);
    expect(await screen.findByRole('radio', { name: 'Security key or passkey' })).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Use my security key' }));
    await waitFor(() => expect(location()).toBe('/dashboard'));
    expect(webauthn.startAuthentication).toHaveBeenCalledWith({ optionsJSON: { challenge: 'ch' }, useBrowserAutofill: false });
    expect(callsTo(api, 'POST /api/authn/mfa/webauthn/complete')).toEqual([{ credential: ASSERTION }]);
  });

  it('says so when the user cancels the security key, and sends nothing', async () => {
    webauthn.startAuthentication.mockRejectedValueOnce(Object.assign(new Error('no'), { name: 'NotAllowedError' }));
    const api = mockApi({
      ...loggedInApis,
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', { ...MFA_DUE, methods: ['webauthn'] }),
      'POST /api/authn/mfa/webauthn/begin': success('POST_AUTHN_MFA_WEBAUTHN_BEGIN', { options: { challenge: 'ch' } }),
    });
    const { user } = renderApp('/login');
    await typePassword(user);
    await user.click(await screen.findByRole('button', { name: 'Use my security key' }));
    expect(await screen.findByText(/The security key or passkey was not used/)).toHaveAttribute('role', 'alert');
    expect(callsTo(api, 'POST /api/authn/mfa/webauthn/complete')).toEqual([]);
  });

  it('logs in with a passkey alone', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const api = mockApi({
      ...loggedInApis,
      // no second step after a passkey: the session is logged out, then logged in (the
      // re-read after /complete must not say "second step due", which logs the SPA out again)
      'GET /api/authn/session': [loggedInApis['GET /api/authn/session'][0], loggedInApis['GET /api/authn/session'][2]],
      'POST /api/authn/passkey/begin': success('POST_AUTHN_PASSKEY_BEGIN', { options: { challenge: 'pk' } }),
      'POST /api/authn/passkey/complete': success('POST_AUTHN_PASSKEY_COMPLETE', LOGGED_IN),
    });
    const { user } = renderApp('/login');
    expect(await screen.findByLabelText('Email address')).toHaveAttribute('autocomplete', 'username webauthn');
    await user.click(screen.getByRole('button', { name: 'Sign in with a passkey' }));
    await waitFor(() => expect(location()).toBe('/dashboard'));
    expect(callsTo(api, 'POST /api/authn/passkey/complete')).toEqual([{ credential: ASSERTION }]);
    expect(callsTo(api, 'POST /api/authn/login')).toEqual([]);
  });
});

const PASSWORD = { credential_id: 'p', type: 'password', created: '2025-01-01T10:00:00Z', last_used: null };
const TOTP = { credential_id: 't1', type: 'totp', created: '2025-01-02T10:00:00Z', last_used: null };
const KEY = { credential_id: 'k1', type: 'webauthn', name: 'Work laptop', passkey: true, created: '2025-01-03T10:00:00Z', last_used: '2025-01-04T10:00:00Z' };
const list = (credentials: object[], left = 0) => ({ credentials, recovery_codes_left: left });
const REAUTHN = { reauthn_required: true };

describe('the security page’s second factors', () => {
  beforeEach(() => jest.clearAllMocks());

  it('adds an authenticator app from the QR code (an image of the SVG) after a re-authentication with TOTP', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', list([PASSWORD, KEY], 5)),
        'POST /api/security/totp/begin': [
          fail('POST_SECURITY_TOTP_BEGIN', 'authn.reauthn_required', undefined, REAUTHN),
          success('POST_SECURITY_TOTP_BEGIN', { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_svg: svg }),
        ],
        'POST /api/authn/reauthenticate': success('POST_AUTHN_REAUTHENTICATE', { ...MFA_DUE, methods: ['totp'] }),
        'POST /api/authn/mfa/totp': success('POST_AUTHN_MFA_TOTP', LOGGED_IN),
        'POST /api/security/totp/complete': success('POST_SECURITY_TOTP_COMPLETE', list([PASSWORD, KEY, TOTP], 5)),
        'POST /api/security/credentials/remove': success('POST_SECURITY_CREDENTIALS_REMOVE', list([PASSWORD, KEY], 5)),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security');
    expect(await screen.findByRole('rowheader', { name: 'Work laptop' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add an authenticator app' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await user.type(within(dialog).getByLabelText('Password'), 'secret words');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    await user.type(await within(dialog).findByLabelText('Code from your authenticator app'), '123456');
    await user.click(within(dialog).getByRole('button', { name: 'Verify' }));

    expect(await screen.findByTestId('totp-secret')).toHaveTextContent('JBSWY3DPEHPK3PXP');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const img = container.querySelector('img.qr') as HTMLImageElement;
    expect(img.src.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(atob(img.src.split(',')[1])).toBe(svg);
    expect(container.querySelector('script')).toBeNull();
    expect(await axe(container)).toHaveNoViolations();

    await user.type(screen.getByLabelText('Code from the app'), '654321');
    await user.click(screen.getByRole('button', { name: 'Add the app' }));
    expect(await screen.findByRole('rowheader', { name: 'Authenticator app' })).toBeInTheDocument();
    expect(screen.queryByTestId('totp-secret')).not.toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/totp/complete')).toEqual([{ code: '654321' }]);

    // removed again: the page offers a new enrolment, not the used secret
    await user.click(screen.getByRole('button', { name: 'Remove Authenticator app' }));
    await user.click(screen.getByRole('button', { name: 'Yes, remove it' }));
    expect(await screen.findByRole('button', { name: 'Add an authenticator app' })).toBeInTheDocument();
    expect(screen.queryByTestId('totp-secret')).not.toBeInTheDocument();
  });

  it('registers a named passkey through the browser', async () => {
    const attestation = { id: 'n', rawId: 'n', type: 'public-key', response: { clientDataJSON: 'a', attestationObject: 'b' } };
    webauthn.startRegistration.mockResolvedValue(attestation);
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', list([PASSWORD])),
        'POST /api/security/webauthn/register/begin': success('POST_SECURITY_WEBAUTHN_REGISTER_BEGIN', { options: { challenge: 'r' } }),
        'POST /api/security/webauthn/register/complete': success('POST_SECURITY_WEBAUTHN_REGISTER_COMPLETE', list([PASSWORD, KEY])),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    await user.type(await screen.findByLabelText('Name'), 'Work laptop');
    expect(screen.getByLabelText(/Use it as a passkey/)).toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Add a security key or passkey' }));
    expect(await screen.findByRole('rowheader', { name: 'Work laptop' })).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/webauthn/register/begin')).toEqual([{ passkey: true }]);
    expect(webauthn.startRegistration).toHaveBeenCalledWith({ optionsJSON: { challenge: 'r' } });
    expect(callsTo(api, 'POST /api/security/webauthn/register/complete')).toEqual([{ credential: attestation, name: 'Work laptop' }]);
  });

  it('removes a factor only after confirmation', async () => {
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', list([PASSWORD, KEY, TOTP], 3)),
        'POST /api/security/credentials/remove': success('POST_SECURITY_CREDENTIALS_REMOVE', list([PASSWORD, TOTP])),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    // a factor without a name is named by its kind
    expect(await screen.findByRole('button', { name: 'Remove Authenticator app' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Remove Work laptop' }));
    expect(callsTo(api, 'POST /api/security/credentials/remove')).toEqual([]);
    expect(screen.getByText('Remove Work laptop? You can no longer sign in with it.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Yes, remove it' }));
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'Work laptop' })).not.toBeInTheDocument());
    expect(callsTo(api, 'POST /api/security/credentials/remove')).toEqual([{ credential_id: 'k1' }]);
  });

  it('warns when two or fewer recovery codes are left, and shows new ones once with copy and download', async () => {
    const codes = ['aaaa-bbbb', 'cccc-dddd'];
    mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', list([PASSWORD, TOTP], 2)),
        'POST /api/security/recovery-codes': success('POST_SECURITY_RECOVERY_CODES', { ...list([PASSWORD, TOTP], 10), codes }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security');
    expect(await screen.findByText('You have 2 recovery codes left. Make new ones.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Make new recovery codes' }));
    const shown = await screen.findByRole('list', { name: 'recovery codes' });
    expect(within(shown).getAllByRole('listitem').map((li) => li.textContent)).toEqual(codes);
    expect(screen.queryByText(/recovery codes left/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    // user-event's clipboard stands in for the browser's
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe('aaaa-bbbb\ncccc-dddd\n');
    const download = screen.getByRole('link', { name: 'Download (.txt)' });
    expect(download).toHaveAttribute('download', 'tessera-recovery-codes.txt');
    expect(decodeURIComponent(download.getAttribute('href')!.split(',')[1])).toBe('aaaa-bbbb\ncccc-dddd\n');
    expect(await axe(container)).toHaveNoViolations();
  });
});

describe('a reload during the second step', () => {
  it('shows the second step again, with the methods the session names', async () => {
    mockApi({
      'GET /api/authn/session': success('GET_AUTHN_SESSION', {
        logged_in: false,
        mfa_pending: true,
        mfa_methods: ['totp', 'recovery_code'],
      }),
    });
    renderApp('/login');
    expect(await screen.findByRole('heading', { level: 1, name: 'Two-step verification' })).toBeInTheDocument();
    // the second step is a lazy chunk
    expect(await screen.findByRole('radio', { name: 'Authenticator app' }, { timeout: 15000 })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Recovery code' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  });
});
