import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { callsTo, fail, mockApi, renderApp, success } from '../../test/utils';

const REAUTHN = { reauthn_required: true };
const CREDENTIALS = success('GET_SECURITY_CREDENTIALS', {
  credentials: [{ credential_id: 'p', type: 'password', created: '2025-01-01T10:00:00Z', last_used: null }],
  recovery_codes_left: 0,
});
const NEW_PASSWORD = 'correct horse battery staple';
// whole screens typed into, a lazy chunk loaded: more than the default on a busy machine
const SLOW = 90000;

async function changePassword(user: ReturnType<typeof renderApp>['user']) {
  // the page is a lazy chunk: its first load may take a while on a busy machine
  await user.type(await screen.findByLabelText('New password', {}, { timeout: 15000 }), NEW_PASSWORD);
  await user.type(screen.getByLabelText('Repeat the password'), NEW_PASSWORD);
  await screen.findByText(/good enough/);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
  return screen.findByRole('dialog', { name: 'Confirm it is you' });
}

describe('the re-authentication dialog', () => {
  it('says a wrong password is wrong (it asks for no address), and cancelling empties the form and says so', async () => {
    const api = mockApi(
      {
        'GET /api/security/credentials': CREDENTIALS,
        'POST /api/security/change-password': fail('POST_SECURITY_CHANGE_PASSWORD', 'authn.reauthn_required', undefined, REAUTHN),
        'POST /api/authn/reauthenticate': fail('POST_AUTHN_REAUTHENTICATE', 'authn.invalid_credentials'),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security');
    const dialog = await changePassword(user);
    await user.type(within(dialog).getByLabelText('Password'), 'wrong');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Wrong password.');
    expect(alert).not.toHaveTextContent(/email/i);
    expect(await axe(container)).toHaveNoViolations();

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByText('Cancelled. Nothing was changed.')).toBeInTheDocument();
    expect(screen.getByLabelText('New password')).toHaveValue('');
    expect(screen.getByLabelText('Repeat the password')).toHaveValue('');
    expect(callsTo(api, 'POST /api/security/change-password')).toHaveLength(1); // not retried

    // asked again: the last answer is not shown again
    const again = await changePassword(user);
    expect(within(again).getByLabelText('Password')).toHaveValue('');
    expect(within(again).queryByRole('alert')).not.toBeInTheDocument();
  }, SLOW);

  it('introduces the second step as such', async () => {
    mockApi(
      {
        'GET /api/security/credentials': CREDENTIALS,
        'POST /api/security/change-password': fail('POST_SECURITY_CHANGE_PASSWORD', 'authn.reauthn_required', undefined, REAUTHN),
        'POST /api/authn/reauthenticate': success('POST_AUTHN_REAUTHENTICATE', {
          logged_in: true,
          mfa_required: true,
          methods: ['totp'],
          user_id: 'u1',
          csrf_token: 'c2',
        }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    const dialog = await changePassword(user);
    expect(within(dialog).getByText('For your security, enter your password again to continue.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Password'), 'old password');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(await within(dialog).findByText('Confirm with your second factor.')).toBeInTheDocument();
    expect(within(dialog).queryByText('For your security, enter your password again to continue.')).not.toBeInTheDocument();
    expect(await within(dialog).findByLabelText('Code from your authenticator app', {}, { timeout: 15000 })).toBeInTheDocument();
  }, SLOW);
});
