import { screen, waitFor, within } from '@testing-library/react';
import { axe } from 'jest-axe';
import { callsTo, mockApi, renderApp, success } from '../../test/utils';

const THIS = { id: 'AAAAAAAAAAAAAAAA', label: 'Firefox on Linux', first_seen: '2026-11-01T10:00:00Z', last_seen: '2026-12-01T09:00:00Z', current: true };
const OTHER = { id: 'BBBBBBBBBBBBBBBB', label: 'Chrome on Mac OS X', first_seen: '2026-11-20T10:00:00Z', last_seen: '2026-11-21T10:00:00Z', current: false };
// a whole page from a lazy chunk, on a busy machine
const SLOW = 90000;

describe('known devices on the security page', () => {
  it('lists the known browsers, this one marked, and forgets another after confirmation', async () => {
    const api = mockApi(
      {
        'GET /api/security/credentials': success('GET_SECURITY_CREDENTIALS', { credentials: [], recovery_codes_left: 0 }),
        'GET /api/security/devices': success('GET_SECURITY_DEVICES', { devices: [THIS, OTHER] }),
        'POST /api/security/devices/forget': success('POST_SECURITY_DEVICES_FORGET', { devices: [THIS] }),
      },
      { loggedIn: true },
    );
    const { user, container } = renderApp('/dashboard/security');
    const list = await screen.findByRole('list', { name: 'Known devices' }, { timeout: 15000 });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first).toHaveTextContent('Firefox on Linux');
    expect(first).toHaveTextContent('This browser');
    expect(second).toHaveTextContent('Chrome on Mac OS X');
    expect(second).not.toHaveTextContent('This browser');
    expect(await axe(container)).toHaveNoViolations();

    await user.click(within(second).getByRole('button', { name: 'Forget Chrome on Mac OS X' }));
    expect(callsTo(api, 'POST /api/security/devices/forget')).toEqual([]);
    expect(within(second).getByText(/Its next sign-in will be emailed to you/)).toBeInTheDocument();
    await user.click(within(second).getByRole('button', { name: 'Yes, forget it' }));

    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(callsTo(api, 'POST /api/security/devices/forget')).toEqual([{ id: OTHER.id }]);
    expect(await screen.findByText('The browser was forgotten.')).toBeInTheDocument();
  }, SLOW);
});
