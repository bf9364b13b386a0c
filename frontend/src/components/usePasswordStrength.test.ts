import { judgePassword, loadZxcvbn } from './usePasswordStrength';

const POLICY = { min_length: 10, min_score: 3, max_length: 128 };

describe('judgePassword', () => {
  it('says nothing while zxcvbn is loading, then judges the value it is given', async () => {
    // a form submitted before the ~390 kB chunk arrived leaves guessability to the service
    expect(judgePassword('correct horse battery staple', POLICY)).toBeNull();
    await loadZxcvbn();
    expect(judgePassword('correct horse battery staple', POLICY)).toMatchObject({ ready: true, ok: true, tooShort: false });
    expect(judgePassword('password1234', POLICY)).toMatchObject({ ok: false, tooShort: false });
    expect(judgePassword('short', POLICY)).toMatchObject({ ok: false, tooShort: true });
    // the user's own words count as guessable: their address is strong for anyone else
    expect(judgePassword('ada.lovelace@example.org', POLICY)?.ok).toBe(true);
    expect(judgePassword('ada.lovelace@example.org', POLICY, ['ada.lovelace@example.org'])?.ok).toBe(false);
  });
});
