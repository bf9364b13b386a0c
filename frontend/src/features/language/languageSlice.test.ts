import { rootReducer } from '../../app/store';
import { browserLanguage, languageChanged, remember, STORAGE_KEY } from './languageSlice';

const start = () => rootReducer(undefined, { type: '@@init' });

afterEach(() => {
  window.localStorage.clear();
  jest.restoreAllMocks();
});

describe('the first visit\'s language', () => {
  it('is the first of the browser\'s languages this UI has', () => {
    expect(browserLanguage(['sv-SE', 'en-GB'])).toBe('sv');
    expect(browserLanguage(['fi-FI', 'SV', 'en'])).toBe('sv');
    expect(browserLanguage(['en-US', 'sv'])).toBe('en');
    expect(browserLanguage(['fi', 'de-DE'])).toBeNull();
    expect(browserLanguage([])).toBeNull();
  });

  it('follows navigator.languages until the user chooses, and the choice wins', () => {
    jest.spyOn(navigator, 'languages', 'get').mockReturnValue(['sv-SE', 'en']);
    expect(start().language.current).toBe('sv');
    // the deployment's default does not override the browser
    const configured = rootReducer(start(), { type: 'GET_JSCONFIG_CONFIG_SUCCESS', payload: { default_language: 'en' } });
    expect(configured.language.current).toBe('sv');
    remember('en');
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe('en');
    expect(start().language.current).toBe('en');
    expect(rootReducer(start(), languageChanged('sv')).language.current).toBe('sv');
  });
});
