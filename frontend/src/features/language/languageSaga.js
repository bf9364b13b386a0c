import { put, select, takeEvery } from 'redux-saga/effects';
import { apiRequest } from '../../api/actions';
import { selectLoggedIn } from '../session/sessionSlice';
import { selectUser, userUpdateBody } from '../personalData/personalDataSlice';
import { STORAGE_KEY, languageChanged } from './languageSlice';

export function* saveLanguage({ payload: language }) {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  const loggedIn = yield select(selectLoggedIn);
  const user = yield select(selectUser);
  if (loggedIn && user) {
    yield put(
      apiRequest({
        method: 'POST',
        service: 'personal-data',
        route: 'user',
        body: userUpdateBody({ ...user, language }),
      }),
    );
  }
}

export default function* languageSaga() {
  yield takeEvery(languageChanged.type, saveLanguage);
}
