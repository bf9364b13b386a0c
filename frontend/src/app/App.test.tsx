import { screen, waitFor } from '@testing-library/react';
import { axe } from 'jest-axe';
import { CONFIG, USER, callsTo, deferred, fail, mockApi, renderApp, success } from '../test/utils';

const location = () => screen.getByTestId('location').textContent;

describe('startup and login', () => {
  it('redirects a deep link to login when logged out, then comes back after login', async () => {
    const api = mockApi({
      'POST /api/authn/login': success('POST_AUTHN_LOGIN', { csrf_token: 'csrf-2' }),
      'GET /api/authn/session': [
        success('GET_AUTHN_SESSION', { logged_in: false }),
        success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1' }),
      ],
      'GET /api/emails/all': success('GET_EMAILS_ALL', { emails: USER.emails }),
    });
    const { user, store } = renderApp('/dashboard/emails');

    expect(await screen.findByRole('heading', { level: 1, name: 'Log in' })).toBeInTheDocument();
    expect(location()).toBe('/login');

    await user.type(screen.getByLabelText('Email address'), 'ada@example.org');
    await user.type(screen.getByLabelText('Password'), 'secret words');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Email addresses' })).toBeInTheDocument();
    expect(location()).toBe('/dashboard/emails');
    expect(callsTo(api, 'POST /api/authn/login')).toEqual([{ email: 'ada@example.org', password: 'secret words' }]);
    const [, init] = api.mock.calls.find(([url]) => url === '/api/authn/login');
    expect(init.headers['X-CSRF-Token']).toBe(CONFIG.csrf_token);
    expect(init.credentials).toBe('same-origin');
    expect(store.getState().config.csrfToken).toBe('csrf-2');
    expect(await screen.findByText('ada@example.org')).toBeInTheDocument();
  });

  it('shows the translated error of a failed login and stays busy while waiting', async () => {
    const pending = deferred();
    mockApi({ 'POST /api/authn/login': () => pending.promise });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText('Email address'), 'ada@example.org');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    const busyButton = await screen.findByRole('button', { name: 'Working…' });
    expect(busyButton).toBeDisabled();
    expect(busyButton.closest('form')).toHaveAttribute('aria-busy', 'true');

    pending.resolve(fail('POST_AUTHN_LOGIN', 'authn.invalid_credentials'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email address or password.');
    // the answer is in the store first, then RTK Query marks the request finished
    expect(await screen.findByRole('button', { name: 'Log in' })).toBeEnabled();
  });

  it.each([
    ['says network.error when the service cannot be reached', () => new TypeError('Failed to fetch'), 'Could not reach Tessera'],
    ['falls back to a generic message for an unknown key', fail('POST_AUTHN_LOGIN', 'authn.something_new'), 'Something went wrong. Please try again.'],
  ])('%s', async (_, answer, shown) => {
    mockApi({ 'POST /api/authn/login': answer });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText('Email address'), 'a@b.se');
    await user.type(screen.getByLabelText('Password'), 'x');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(shown);
  });

  it('has no axe violations on the login page', async () => {
    mockApi();
    const { container } = renderApp('/login');
    await screen.findByRole('heading', { name: 'Log in' });
    expect(await axe(container)).toHaveNoViolations();
  });

  it('shows a retry when jsconfig cannot be loaded', async () => {
    mockApi({ 'GET /api/jsconfig/config': [() => new TypeError('down'), success('GET_JSCONFIG_CONFIG', CONFIG)] });
    const { user } = renderApp('/login');
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
  });
});

describe('signup', () => {
  it('shows field errors next to their fields and focuses the first one', async () => {
    mockApi({
      'POST /api/signup/register': fail('POST_SIGNUP_REGISTER', 'request.invalid', {
        email: ['validation.email'],
        tou_accepted: ['signup.tou_required'],
      }),
    });
    const { user } = renderApp('/signup');
    await user.type(await screen.findByLabelText('Given name'), 'Ada');
    await user.type(screen.getByLabelText('Surname'), 'Lovelace');
    await user.type(screen.getByLabelText('Email address'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    const email = screen.getByLabelText('Email address');
    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'));
    expect(email).toHaveAccessibleDescription('Enter an email address like name@example.com.');
    expect(screen.getByLabelText('I accept the terms of use')).toHaveAccessibleDescription('You must accept the terms of use.');
    expect(email).toHaveFocus();
    // said once, by the fields: no banner repeating it (issue 14, defect 5)
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
  });

  it('goes from register to code to a password that meets the policy, then logs in', async () => {
    const api = mockApi({
      'POST /api/signup/register': success('POST_SIGNUP_REGISTER'),
      'POST /api/signup/verify': success('POST_SIGNUP_VERIFY'),
      'POST /api/signup/password': success('POST_SIGNUP_PASSWORD', { csrf_token: 'csrf-3' }),
      'GET /api/authn/session': [
        success('GET_AUTHN_SESSION', { logged_in: false }),
        success('GET_AUTHN_SESSION', { logged_in: true, user_id: 'u1' }),
      ],
    });
    const { user, container } = renderApp('/signup');
    await user.type(await screen.findByLabelText('Given name'), 'Ada');
    await user.type(screen.getByLabelText('Surname'), 'Lovelace');
    await user.type(screen.getByLabelText('Email address'), 'ada@example.org');
    await user.click(screen.getByLabelText('I accept the terms of use'));
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    await user.type(await screen.findByLabelText('Code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Confirm code' }));

    const password = await screen.findByLabelText('New password');
    await user.type(password, 'short');
    expect(await screen.findByText(/at least 10 characters needed/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Repeat the password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(password).toHaveAccessibleDescription(expect.stringContaining('The password is too short.'));
    expect(callsTo(api, 'POST /api/signup/password')).toEqual([]);

    await user.clear(password);
    await user.type(password, 'correct horse battery staple');
    await user.clear(screen.getByLabelText('Repeat the password'));
    await user.type(screen.getByLabelText('Repeat the password'), 'correct horse battery staple');
    expect(await screen.findByText(/good enough/)).toBeInTheDocument();
    expect(await axe(container)).toHaveNoViolations();
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    // a new account lands on the dashboard's home
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/signup/register')).toEqual([
      { email: 'ada@example.org', given_name: 'Ada', surname: 'Lovelace', tou_accepted: true, language: 'en' },
    ]);
    expect(callsTo(api, 'POST /api/signup/verify')).toEqual([{ email: 'ada@example.org', code: '123456' }]);
    expect(callsTo(api, 'POST /api/signup/password')).toEqual([{ password: 'correct horse battery staple' }]);
  });
});

describe('language', () => {
  it('switches to Swedish and remembers it locally when logged out', async () => {
    const api = mockApi();
    const { user } = renderApp('/login');
    await user.click(await screen.findByRole('button', { name: 'Svenska' }));
    expect(await screen.findByRole('heading', { name: 'Logga in' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('sv');
    expect(window.localStorage.getItem('tessera.language')).toBe('sv');
    expect(callsTo(api, 'POST /api/personal-data/user')).toEqual([]);
  });

  it('saves the language to the account when logged in', async () => {
    const api = mockApi(
      { 'POST /api/personal-data/user': (body) => success('POST_PERSONAL_DATA_USER', { ...USER, ...body }) },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/personal-data');
    expect(await screen.findByLabelText('Given name')).toHaveValue('Ada');
    await user.click(screen.getByRole('button', { name: 'Svenska' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Personuppgifter' })).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/personal-data/user')).toEqual([
      { given_name: 'Ada', surname: 'Lovelace', display_name: 'Ada', language: 'sv' },
    ]);
  });
});

describe('logout', () => {
  it('ends the session and goes to login', async () => {
    mockApi({ 'POST /api/authn/logout': success('POST_AUTHN_LOGOUT', { csrf_token: 'csrf-9' }) }, { loggedIn: true });
    const { user, store } = renderApp('/dashboard');
    await user.click(await screen.findByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByText('You are logged out.')).toBeInTheDocument();
    expect(store.getState().config.csrfToken).toBe('csrf-9');
  });
});
