import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { USER, callsTo, fail, mockApi, renderApp, success } from '../../test/utils';

const PRIMARY = { email: 'ada@example.org', verified: true, primary: true };

describe('email addresses', () => {
  it('adds an address, verifies it with the code and makes it primary', async () => {
    let emails = [PRIMARY];
    const api = mockApi(
      {
        'GET /api/emails/all': () => success('GET_EMAILS_ALL', { emails }),
        'POST /api/emails/new': ({ email }) => {
          emails = [...emails, { email, verified: false, primary: false }];
          return success('POST_EMAILS_NEW', { emails });
        },
        'POST /api/emails/verify': ({ email }) => {
          emails = emails.map((e) => (e.email === email ? { ...e, verified: true } : e));
          return success('POST_EMAILS_VERIFY', { emails });
        },
        'POST /api/emails/primary': ({ email }) => {
          emails = emails.map((e) => ({ ...e, primary: e.email === email }));
          return success('POST_EMAILS_PRIMARY', { emails });
        },
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/emails');
    expect(await screen.findByText('ada@example.org')).toBeInTheDocument();
    expect(await axe(container)).toHaveNoViolations();

    await user.type(screen.getByRole('textbox', { name: 'Email address' }), 'ada@work.example');
    await user.click(screen.getByRole('button', { name: 'Add' }));

    const code = await screen.findByLabelText('Code sent to ada@work.example');
    expect(screen.getByText(/The address was added\./)).toBeInTheDocument();
    // the form is renewed once RTK Query marks the request finished (just after the answer)
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Email address' })).toHaveValue(''));
    await user.type(code, '654321');
    await user.click(screen.getByRole('button', { name: 'Confirm code' }));
    await waitFor(() => expect(screen.queryByLabelText('Code sent to ada@work.example')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: /Make primary ?: ada@work\.example/ }));
    const item = screen.getByText('ada@work.example', { selector: '.contact-value' }).closest('li') as HTMLElement;
    await waitFor(() => expect(within(item).getByText('Primary')).toBeInTheDocument());
    // The old primary may now be removed; the new one may not.
    expect(screen.getByRole('button', { name: 'Remove ada@example.org' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove ada@work.example' })).not.toBeInTheDocument();

    expect(callsTo(api, 'POST /api/emails/new')).toEqual([{ email: 'ada@work.example' }]);
    expect(callsTo(api, 'POST /api/emails/verify')).toEqual([{ email: 'ada@work.example', code: '654321' }]);
    expect(callsTo(api, 'POST /api/emails/primary')).toEqual([{ email: 'ada@work.example' }]);
  });

  it('re-reads the list when an answer does not carry it, and shows a wrong code next to the field', async () => {
    let emails = [PRIMARY, { email: 'new@example.org', verified: false, primary: false }];
    const api = mockApi(
      {
        'GET /api/emails/all': () => success('GET_EMAILS_ALL', { emails }),
        'POST /api/emails/verify': fail('POST_EMAILS_VERIFY', 'emails.code_invalid', { code: ['emails.code_invalid'] }),
        'POST /api/emails/remove': ({ email }) => {
          emails = emails.filter((e) => e.email !== email);
          return success('POST_EMAILS_REMOVE');
        },
        'POST /api/emails/resend-code': success('POST_EMAILS_RESEND_CODE'),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/emails');
    await user.click(await screen.findByRole('button', { name: 'Verify new@example.org' }));
    await user.type(screen.getByLabelText('Code sent to new@example.org'), '000000');
    await user.click(screen.getByRole('button', { name: 'Confirm code' }));
    const code = screen.getByLabelText('Code sent to new@example.org');
    await waitFor(() => expect(code).toHaveAccessibleDescription('The code is wrong or has expired.'));

    await user.click(screen.getByRole('button', { name: 'Send a new code' }));
    expect(await screen.findByText('A new code has been sent.')).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/emails/resend-code')).toEqual([{ email: 'new@example.org' }]);

    // removing asks first (issue 14, defect 2), and focus follows the confirmation (defect 3)
    await user.click(screen.getByRole('button', { name: 'Remove new@example.org' }));
    expect(screen.getByText('Remove new@example.org from your account?')).toHaveFocus();
    expect(callsTo(api, 'POST /api/emails/remove')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(screen.queryByText('new@example.org')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Email addresses', level: 1 })).toHaveFocus());
    expect(callsTo(api, 'GET /api/emails/all').length).toBe(2);
  });
});

describe('phone numbers', () => {
  it('reads a number without + in the configured region, whatever the browser says, and shows the E.164 number', async () => {
    // issue 10: an en-US browser sent default_region US, and "070-123 45 67" was refused
    jest.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-US', 'en']);
    let phones: { number: string; verified: boolean; primary: boolean }[] = [];
    const api = mockApi(
      {
        'GET /api/phones/all': () => success('GET_PHONES_ALL', { phones }),
        'POST /api/phones/new': () => {
          phones = [{ number: '+46701234567', verified: false, primary: false }];
          return success('POST_PHONES_NEW', { phones });
        },
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/phones');
    expect(await screen.findByText('No phone numbers yet.')).toBeInTheDocument();
    // the deployment's region (jsconfig phone_default_region SE), visible; the browser's only a hint
    const region = screen.getByRole('combobox', { name: 'Country or region of numbers without +' });
    expect(region).toHaveValue('SE');
    expect(region).toHaveDisplayValue('Sweden (SE)');
    expect(region).toHaveAccessibleDescription(expect.stringContaining('suggest United States (US)'));
    expect(await axe(container)).toHaveNoViolations();

    await user.type(screen.getByRole('textbox', { name: 'Phone number' }), '070-123 45 67');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByLabelText('Code sent to +46701234567')).toBeInTheDocument();
    expect(screen.getByText('+46701234567', { selector: '.contact-value' })).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/phones/new')).toEqual([{ number: '070-123 45 67', default_region: 'SE' }]);
  });

  it('sends the region the user chose', async () => {
    // English in Sweden: the page is in English (the first of the browser's languages)
    jest.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-SE']);
    const api = mockApi(
      {
        'GET /api/phones/all': success('GET_PHONES_ALL', { phones: [] }),
        'POST /api/phones/new': success('POST_PHONES_NEW', { phones: [] }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/phones');
    const region = await screen.findByRole('combobox', { name: 'Country or region of numbers without +' });
    // the browser agrees with the configuration: no suggestion to make
    expect(region).not.toHaveAccessibleDescription(expect.stringContaining('suggest'));
    await user.selectOptions(region, 'NO');
    await user.type(screen.getByRole('textbox', { name: 'Phone number' }), '412 34 567');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(callsTo(api, 'POST /api/phones/new')).toEqual([{ number: '412 34 567', default_region: 'NO' }]));
  });
});

describe('security', () => {
  it('asks for the password again when the change needs a recent login, then retries', async () => {
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', {
          credentials: [{ type: 'password', created: '2025-01-01T10:00:00Z', last_used: null }],
        }),
        'POST /api/security/change-password': [
          fail('POST_SECURITY_CHANGE_PASSWORD', 'authn.reauthn_required', undefined, { reauthn_required: true }),
          success('POST_SECURITY_CHANGE_PASSWORD', { csrf_token: 'csrf-5' }),
        ],
        'POST /api/authn/reauthenticate': [
          fail('POST_AUTHN_REAUTHENTICATE', 'authn.invalid_credentials'),
          success('POST_AUTHN_REAUTHENTICATE'),
        ],
      },
      { loggedIn: true },
    );
    const { user, store } = renderApp('/dashboard/security');
    // a password never used since it was set is "Not yet" (issue 14, defect 9)
    expect(await screen.findByText('Not yet')).toBeInTheDocument();

    await user.type(screen.getByLabelText('New password'), 'correct horse battery staple');
    await user.type(screen.getByLabelText('Repeat the password'), 'correct horse battery staple');
    await screen.findByText(/good enough/);
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    const password = within(dialog).getByLabelText('Password');
    await waitFor(() => expect(password).toHaveFocus());
    await user.type(password, 'wrong');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Wrong password.');

    await user.clear(password);
    await user.type(password, 'old password');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText(/Your password has been changed/)).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/change-password')).toEqual([
      { new_password: 'correct horse battery staple' },
      { new_password: 'correct horse battery staple' },
    ]);
    expect(callsTo(api, 'POST /api/authn/reauthenticate')).toEqual([{ password: 'wrong' }, { password: 'old password' }]);
    expect(store.getState().config.csrfToken).toBe('csrf-5');
    expect(screen.getByLabelText('New password')).toHaveValue('');
  });

  it('deletes the account only after confirmation and then leaves the dashboard', async () => {
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', { credentials: [] }),
        'POST /api/security/terminate': success('POST_SECURITY_TERMINATE'),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    await user.click(await screen.findByRole('button', { name: 'Delete my account' }));
    expect(callsTo(api, 'POST /api/security/terminate')).toEqual([]);
    expect(screen.getByText(/Are you sure\?/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Yes, delete my account' }));

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByText('Your account has been deleted.')).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/terminate')).toEqual([undefined]);
  });
});

describe('personal data', () => {
  it('saves the edited names and shows what the service stored', async () => {
    const api = mockApi(
      {
        'POST /api/personal-data/user': fail('POST_PERSONAL_DATA_USER', 'request.invalid', {
          surname: ['validation.required'],
        }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/personal-data');
    const surname = await screen.findByLabelText('Surname');
    await user.clear(surname);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(surname).toHaveFocus());
    expect(surname).toHaveAccessibleDescription('Enter your surname.');
    expect(callsTo(api, 'POST /api/personal-data/user')).toEqual([
      { given_name: USER.given_name, surname: '', display_name: 'Ada', language: 'en' },
    ]);
  });
});
