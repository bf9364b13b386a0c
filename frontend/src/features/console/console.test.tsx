import fs from 'node:fs';
import path from 'node:path';
import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { createIntl } from 'react-intl';
import { USER, callsTo, fail, mockApi, renderApp, success } from '../../test/utils';
import en from '../../translations/en.json';
import sv from '../../translations/sv.json';
import { checkup } from './checkup';
import { exportFileName } from './consoleApi';
import { EVENT_TYPES, eventSentence } from './eventText';
import { dateLocale, formatMoment, phoneDisplay } from './format';

/** The first wait of a test: the whole app starts in it. */
const FIRST = { timeout: 15_000 };

/** The event types the back end records: the members of `EventType` in common/events.py. */
function backendEventTypes(): string[] {
  const source = fs.readFileSync(path.resolve(__dirname, '../../../../common/events.py'), 'utf8');
  const body = source.split('class EventType(')[1].split('\n\n\n')[0];
  return [...body.matchAll(/^ {4}(\w+) = "(\w+)"$/gm)].map((m) => m[2]);
}

/** Details of each type as the services record them (services/*, common/contact_list.py). */
const DETAILS: Record<string, Record<string, unknown>> = {
  login: { amr: ['pwd', 'otp', 'mfa'], method: 'totp' },
  login_failed: { method: 'password' },
  mfa_failed: { method: 'recovery_code' },
  password_changed: { sessions_ended: 2 },
  password_reset: { sessions_ended: 0 },
  email_added: { email: 'grace@example.org' },
  email_verified: { email: 'grace@example.org' },
  email_removed: { email: 'grace@example.org' },
  primary_email_changed: { email: 'grace@example.org' },
  phone_added: { number: '+46701234567' },
  phone_verified: { number: '+46701234567' },
  phone_removed: { number: '+46701234567' },
  credential_added: { type: 'webauthn', passkey: true, name: 'Laptop' },
  credential_removed: { type: 'totp', last: true },
  recovery_codes_generated: { count: 10 },
  session_revoked: { count: 3 },
  consent_granted: { client_id: 'demo-rp', scopes: ['openid'] },
  consent_revoked: { client_id: 'demo-rp' },
  new_device_login: { device: 'd1', label: 'Firefox on Linux' },
  device_forgotten: { device: 'd1' },
};

const event = (id: number, type: string, details: Record<string, unknown> = {}) => ({
  id: `e${id}`,
  type,
  at: new Date(Date.UTC(2026, 10, 30, 12, 0) - id * 60_000).toISOString(),
  ip: '192.0.2.7',
  user_agent: 'Chrome on Linux',
  details,
});

describe('event sentences', () => {
  it('word every type the back end records, in English and Swedish', () => {
    const types = backendEventTypes();
    expect(types).toEqual(expect.arrayContaining(['login', 'consent_granted', 'data_exported']));
    expect(types.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type))).toEqual([]);
    for (const [locale, messages] of [
      ['en', en],
      ['sv', sv],
    ] as const) {
      const intl = createIntl({ locale, messages, onError: (error) => { throw error; } });
      for (const type of EVENT_TYPES) {
        const { id, values } = eventSentence({ type, details: DETAILS[type] ?? {} });
        expect(id).toBe(`activity.${type}`);
        const text = intl.formatMessage({ id }, values);
        expect([type, /[{}]|activity\./.test(text), text.length > 5]).toEqual([type, false, true]);
      }
    }
  });

  it('say how, what and how many from the details', () => {
    const intl = createIntl({ locale: 'en', messages: en });
    const say = (type: string, details: Record<string, unknown>) => {
      const { id, values } = eventSentence({ type, details }, (number) => `tel ${number}`);
      return intl.formatMessage({ id }, values);
    };
    expect(say('login', { method: 'passkey' })).toBe('Signed in with a passkey');
    expect(say('login', { method: 'password' })).toBe('Signed in with password');
    expect(say('login', {})).toBe('Signed in with password');
    expect(say('mfa_failed', { method: 'totp' })).toBe('Failed second step: wrong authenticator app code');
    expect(say('credential_added', { type: 'webauthn', passkey: false, name: 'YubiKey' })).toBe('Security key added: YubiKey');
    expect(say('credential_added', { type: 'totp' })).toBe('Authenticator app added');
    expect(say('credential_removed', { type: 'webauthn', passkey: true, name: 'Phone', last: true })).toBe(
      'Passkey removed: Phone (two-step verification is now off)',
    );
    expect(say('session_revoked', { count: 1 })).toBe('Another session was signed out');
    expect(say('session_revoked', { count: 4 })).toBe('4 other sessions were signed out');
    expect(say('phone_verified', { number: '+46701234567' })).toBe('Phone number tel +46701234567 confirmed');
    expect(say('consent_granted', { client_id: 'demo-rp' })).toBe('demo-rp was given access to your account');
    expect(say('a_type_from_the_future', {})).toBe('Security event: a_type_from_the_future');
  });
});

describe('dates', () => {
  it("are written in the browser's own variant of the UI's language", () => {
    expect(dateLocale('en', ['sv-SE', 'en-GB'])).toBe('en-GB');
    expect(dateLocale('sv', ['en-GB', 'sv-SE'])).toBe('sv-SE');
    expect(dateLocale('sv', ['en-US'])).toBe('sv');
    expect(formatMoment('2026-12-01T12:00:00Z', 'en-GB')).toMatch(/^1 Dec 2026, \d\d:\d\d$/);
    expect(formatMoment('2026-12-01T12:00:00Z', 'en-US')).toMatch(/^Dec 1, 2026, \d{1,2}:\d\d\s[AP]M$/);
  });
});

describe('phone numbers', () => {
  it("are shown as the phones service writes the user's numbers, else in E.164", () => {
    const phones = [{ number: '+46701234567', display: '+46 70 123 45 67' }, { number: '+4670000000' }];
    expect(phoneDisplay('+46701234567', phones)).toBe('+46 70 123 45 67');
    expect(phoneDisplay('+4670000000', phones)).toBe('+4670000000');
    expect(phoneDisplay('+4799999999', phones)).toBe('+4799999999');
  });
});

describe('checkup', () => {
  const phone = { number: '+46701234567', verified: true, primary: true };
  it('warns without a second factor or a verified phone, and says nothing of recovery codes then', () => {
    const lines = checkup({ credentials: [{ type: 'password' }], recoveryCodesLeft: 0, phones: [{ ...phone, verified: false }] });
    expect(lines.map((line) => [line.key, line.ok, line.message])).toEqual([
      ['second_factor', false, 'overview.mfa_off'],
      ['phone', false, 'overview.phone_missing'],
    ]);
  });

  it('warns at two recovery codes or fewer, and names the verified primary phone', () => {
    const other = { number: '+46700000000', verified: true, primary: false };
    const credentials = [{ type: 'password' }, { type: 'totp' }];
    const few = checkup({ credentials, recoveryCodesLeft: 2, phones: [other, phone] });
    expect(few.map((line) => [line.key, line.ok])).toEqual([
      ['second_factor', true],
      ['recovery_codes', false],
      ['phone', true],
    ]);
    expect(few[2].values).toEqual({ number: '+46701234567' });
    expect(checkup({ credentials, recoveryCodesLeft: 3, phones: [] })[1]).toMatchObject({ ok: true, values: { count: 3 } });
  });
});

const CREDENTIALS = {
  credentials: [
    { credential_id: 'p', type: 'password', created: '2026-01-01T00:00:00Z', last_used: null },
    { credential_id: 't', type: 'totp', name: null, created: '2026-01-02T00:00:00Z', last_used: null },
  ],
  recovery_codes_left: 1,
};

describe('overview', () => {
  it('shows who the user is, the checkup with links to fix it, and the five latest events', async () => {
    const events = Array.from({ length: 7 }, (_, i) => event(i, i === 0 ? 'login_failed' : 'login', { method: 'password' }));
    mockApi(
      {
        'GET /api/personal-data/user': success('GET_PERSONAL_DATA_USER', {
          ...USER,
          phones: [{ number: '+46701234567', display: '+46 70 123 45 67', verified: false, primary: true }],
        }),
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', CREDENTIALS),
        'GET /api/security/events': success('GET_SECURITY_EVENTS', { events, next: 'cursor' }),
      },
      { loggedIn: true },
    );
    const { container } = renderApp('/dashboard');
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' }, FIRST)).toBeInTheDocument();
    const details = container.querySelector('dl.details') as HTMLElement;
    expect(details).toHaveTextContent('Ada Lovelace');
    expect(details).toHaveTextContent('ada@example.org');
    expect(details).toHaveTextContent('+46 70 123 45 67');

    const checkupList = await screen.findByRole('list', { name: 'Security checkup' });
    const lines = within(checkupList).getAllByRole('listitem');
    expect(lines.map((line) => line.textContent)).toEqual([
      'Done: Two-step verification is on.Manage sign-in methods',
      'To do: You have only one recovery code left.Create new codes',
      'To do: You have no verified phone number.Add a phone number',
    ]);
    expect(within(lines[1]).getByRole('link', { name: 'Create new codes' })).toHaveAttribute('href', '/dashboard/security');
    expect(within(lines[2]).getByRole('link', { name: 'Add a phone number' })).toHaveAttribute('href', '/dashboard/phones');

    const recent = await screen.findByRole('list', { name: 'Recent activity' });
    const shown = within(recent).getAllByRole('listitem');
    expect(shown).toHaveLength(5);
    expect(shown[0]).toHaveTextContent('Failed sign-in: wrong password');
    expect(shown[0]).toHaveTextContent('Chrome on Linux · 192.0.2.7');
    expect(screen.getByRole('link', { name: 'See all activity' })).toHaveAttribute('href', '/dashboard/security/activity');
    expect(await axe(container)).toHaveNoViolations();
  });
});

describe('activity timeline', () => {
  it('pages with "Show older" through the next cursor and moves focus to the first older event', async () => {
    const first = Array.from({ length: 3 }, (_, i) => event(i, 'logout'));
    const older = [event(3, 'data_exported'), event(4, 'email_added', { email: 'old@example.org' })];
    const api = mockApi(
      {
        'GET /api/security/events': success('GET_SECURITY_EVENTS', { events: first, next: '1764504000000.0123456789abcdef01234567' }),
        'GET /api/security/events?before=1764504000000.0123456789abcdef01234567': success('GET_SECURITY_EVENTS', {
          events: older,
          next: null,
        }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security/activity');
    expect(await screen.findByRole('heading', { level: 1, name: 'Account activity' }, FIRST)).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: /newest first/ });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(await axe(container)).toHaveNoViolations();

    await user.click(screen.getByRole('button', { name: 'Show older' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(5));
    const items = within(list).getAllByRole('listitem');
    expect(items[3]).toHaveTextContent('Your data was downloaded');
    expect(items[4]).toHaveTextContent('Email address old@example.org added');
    await waitFor(() => expect(items[3]).toHaveFocus());
    expect(screen.queryByRole('button', { name: 'Show older' })).not.toBeInTheDocument();
    expect(screen.getByText('That is all activity of the last year.')).toBeInTheDocument();
    expect(callsTo(api, 'GET /api/security/events?before=1764504000000.0123456789abcdef01234567')).toHaveLength(1);
  });
});

const SESSIONS = [
  { id: 'A'.repeat(22), current: true, created: '2026-11-30T10:00:00Z', last_seen: '2026-11-30T11:00:00Z', ip: '127.0.0.1', user_agent: 'Firefox on Linux', amr: ['pwd'] },
  { id: 'B'.repeat(22), current: false, created: '2026-11-29T10:00:00Z', last_seen: '2026-11-29T12:00:00Z', ip: '192.0.2.9', user_agent: 'Chrome on Mac OS X', amr: ['pwd'] },
  { id: 'C'.repeat(22), current: false, created: '2026-11-28T10:00:00Z', last_seen: null, ip: null, user_agent: null, amr: ['pwd'] },
];

describe('sessions', () => {
  const securityApis = {
    'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', CREDENTIALS),
    'GET /api/security/sessions': success('GET_SECURITY_SESSIONS', { sessions: SESSIONS }),
  };

  it('lists every session with this browser marked, and signs out one after confirmation', async () => {
    const api = mockApi(
      {
        ...securityApis,
        'POST /api/security/sessions/revoke': success('POST_SECURITY_SESSIONS_REVOKE', { sessions: [SESSIONS[0], SESSIONS[2]] }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security');
    const list = await screen.findByRole('list', { name: 'Where you are signed in' }, FIRST);
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((row) => row.querySelector('.session-browser')?.textContent)).toEqual([
      'Firefox on Linux',
      'Chrome on Mac OS X',
      'Unknown browser',
    ]);
    expect(rows[0]).toHaveTextContent('This browser');
    expect(within(rows[0]).queryByRole('button')).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('192.0.2.9');
    expect(await axe(container)).toHaveNoViolations();

    await user.click(within(rows[1]).getByRole('button', { name: 'Sign out Chrome on Mac OS X' }));
    expect(callsTo(api, 'POST /api/security/sessions/revoke')).toEqual([]);
    expect(within(rows[1]).getByText('Sign out Chrome on Mac OS X (192.0.2.9)? It will have to sign in again.')).toBeInTheDocument();
    await user.click(within(rows[1]).getByRole('button', { name: 'Yes, sign it out' }));

    expect(await screen.findByText('That session has been signed out.')).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/sessions/revoke')).toEqual([{ id: 'B'.repeat(22) }]);
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(list).toHaveFocus();
  });

  it('signs out all other sessions after confirmation', async () => {
    const api = mockApi(
      {
        ...securityApis,
        'POST /api/security/sessions/revoke-others': success('POST_SECURITY_SESSIONS_REVOKE_OTHERS', { sessions: [SESSIONS[0]] }),
      },
      { loggedIn: true },
    );
    const { user } = renderApp('/dashboard/security');
    await user.click(await screen.findByRole('button', { name: 'Sign out all other sessions' }, FIRST));
    await user.click(screen.getByRole('button', { name: 'Yes, sign them out' }));
    expect(await screen.findByText('You are not signed in anywhere else.')).toBeInTheDocument();
    expect(callsTo(api, 'POST /api/security/sessions/revoke-others')).toEqual([undefined]);
    expect(within(screen.getByRole('list', { name: 'Where you are signed in' })).getAllByRole('listitem')).toHaveLength(1);
  });
});

describe('data export', () => {
  it('names the file after the local date', () => {
    expect(exportFileName(new Date(2026, 0, 5, 23, 59))).toBe('tessera-export-2026-01-05.json');
  });

  it('asks for the password of an old login, then saves the document as a JSON file', async () => {
    const document_ = { user: { given_name: 'Ada' }, events: [], services: {}, sessions: [], consents: [] };
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', CREDENTIALS),
        'GET /api/security/sessions': success('GET_SECURITY_SESSIONS', { sessions: [SESSIONS[0]] }),
        'GET /api/security/export': [
          fail('GET_SECURITY_EXPORT', 'authn.reauthn_required', undefined, { reauthn_required: true }),
          success('GET_SECURITY_EXPORT', { export: document_ }),
        ],
        'POST /api/authn/reauthenticate': success('POST_AUTHN_REAUTHENTICATE', { logged_in: true, mfa_required: false, user_id: 'u1' }),
      },
      { loggedIn: true },
    );
    const saved: { name: string; blob: Blob }[] = [];
    const urls = new Map<string, Blob>();
    URL.createObjectURL = jest.fn((blob: Blob) => {
      urls.set('blob:1', blob);
      return 'blob:1';
    });
    URL.revokeObjectURL = jest.fn();
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: urls.get(this.getAttribute('href') ?? '') as Blob });
    });

    const { user } = renderApp('/dashboard/security');
    await user.click(await screen.findByRole('button', { name: 'Download my data' }, FIRST));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    await user.type(within(dialog).getByLabelText('Password'), 'old password');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText('Your data has been downloaded.')).toBeInTheDocument();
    expect(callsTo(api, 'GET /api/security/export')).toHaveLength(2);
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toBe(exportFileName());
    expect(saved[0].blob.type).toBe('application/json');
    // jsdom's Blob has no text(): read it as a browser would read a file
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(saved[0].blob);
    });
    expect(JSON.parse(text)).toEqual(document_);
  });
});
