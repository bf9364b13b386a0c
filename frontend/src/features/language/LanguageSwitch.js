import { useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { languageChanged, selectAvailableLanguages, selectLanguage } from './languageSlice';

/** Offers the other languages as buttons, each labelled in its own language. */
export default function LanguageSwitch() {
  const intl = useIntl();
  const dispatch = useDispatch();
  const current = useSelector(selectLanguage);
  const languages = useSelector(selectAvailableLanguages);
  return (
    <nav className="language-switch" aria-label={intl.formatMessage({ id: 'language.switch' })}>
      {languages.filter((code) => code !== current).map((code) => (
        <button
          key={code}
          type="button"
          className="link-button"
          lang={code}
          onClick={() => dispatch(languageChanged(code))}
        >
          {intl.formatMessage({ id: `language.native.${code}` })}
        </button>
      ))}
    </nav>
  );
}
