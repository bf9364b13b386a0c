import { expectSaga } from 'redux-saga-test-plan';
import { apiRequest } from '../../api/actions';
import { rootReducer } from '../../app/store';
import languageSaga from './languageSaga';
import { STORAGE_KEY, languageChanged } from './languageSlice';

const user = { user_id: 'u1', given_name: 'Ada', surname: 'Lovelace', display_name: null, language: 'en', emails: [] };

describe('languageSaga', () => {
  it('saves the language to the account when logged in, with only the accepted fields', async () => {
    const state = rootReducer(undefined, { type: '@@init' });
    const loggedIn = { ...state, session: { ...state.session, status: 'loggedIn' }, personalData: { user } };
    const { storeState } = await expectSaga(languageSaga)
      .withReducer(rootReducer, loggedIn)
      .put(
        apiRequest({
          method: 'POST',
          service: 'personal-data',
          route: 'user',
          body: { given_name: 'Ada', surname: 'Lovelace', language: 'sv' },
        }),
      )
      .dispatch(languageChanged('sv'))
      .silentRun(50);
    expect(storeState.language.current).toBe('sv');
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe('sv');
  });

  it('keeps the choice in the browser only when logged out', async () => {
    await expectSaga(languageSaga)
      .withReducer(rootReducer)
      .not.put.actionType(apiRequest.type)
      .dispatch(languageChanged('sv'))
      .silentRun(50);
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe('sv');
  });
});
