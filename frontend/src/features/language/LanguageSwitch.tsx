import { useIntl } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { GlobeIcon } from '../../components/icons';
import { selectUser, userUpdateBody } from '../personalData/personalDataSlice';
import { selectLoggedIn } from '../session/sessionSlice';
import { languageChanged, languageSaving, remember, selectAvailableLanguages, selectLanguage } from './languageSlice';

/**
 * Offers the other languages as buttons, each labelled in its own language. The choice
 * is kept in this browser, and saved to the account when logged in (it follows the
 * user to any browser).
 */
export default function LanguageSwitch() {
  const intl = useIntl();
  const dispatch = useAppDispatch();
  const current = useAppSelector(selectLanguage);
  const languages = useAppSelector(selectAvailableLanguages);
  const loggedIn = useAppSelector(selectLoggedIn);
  const user = useAppSelector(selectUser);
  const save = useRequest(api.endpoints.saveUser);
  const choose = (language: string) => {
    dispatch(languageChanged(language));
    remember(language);
    if (loggedIn && user) {
      dispatch(languageSaving());
      save.send(userUpdateBody({ ...user, language }));
    }
  };
  return (
    <nav className="language-switch" aria-label={intl.formatMessage({ id: 'language.switch' })}>
      {languages
        .filter((code) => code !== current)
        .map((code) => (
          <button key={code} type="button" className="link-button" lang={code} onClick={() => choose(code)}>
            <GlobeIcon />
            {intl.formatMessage({ id: `language.native.${code}` })}
          </button>
        ))}
    </nav>
  );
}
