/**
 * The message catalogues, one chunk per language ("messages-en", "messages-sv"), loaded
 * when a language is first shown: a visitor downloads only the language they read
 * (issue 14/15: ~7 kB gzipped each, kept out of the initial JS). In the build each
 * message is already react-intl's AST (scripts/icu-ast-loader.cjs); in jest, the ICU
 * strings.
 *
 * index.tsx loads the first language before the first render, so no screen ever shows
 * message ids; a later switch keeps showing the current language until the next one
 * has arrived.
 */
import { useEffect, useReducer, useRef } from 'react';
import type { MessageFormatElement } from 'react-intl';
import type { Language } from '../features/language/languageSlice';

export type Messages = Record<string, string> | Record<string, MessageFormatElement[]>;

const LOADERS: Record<Language, () => Promise<{ default: Messages }>> = {
  en: () => import(/* webpackChunkName: "messages-en" */ './en.json'),
  sv: () => import(/* webpackChunkName: "messages-sv" */ './sv.json'),
};

const loaded: Partial<Record<Language, Messages>> = {};
const pending: Partial<Record<Language, Promise<Messages>>> = {};

/** Loads `language`'s catalogue once (a failed load is tried again on the next call). */
export function loadCatalogue(language: Language): Promise<Messages> {
  if (!pending[language]) {
    pending[language] = LOADERS[language]().then(
      (module) => (loaded[language] = module.default),
      (error: unknown) => {
        delete pending[language];
        throw error;
      },
    );
  }
  return pending[language];
}

/**
 * The catalogue to show for `language`: its own once loaded (loading it if needed),
 * until then the one shown before, or English; null only before any has loaded.
 */
export function useCatalogue(language: Language): { locale: Language; messages: Messages } | null {
  const [, loadedOne] = useReducer((count: number) => count + 1, 0);
  const shown = useRef<{ locale: Language; messages: Messages } | null>(null);
  useEffect(() => {
    if (!loaded[language]) loadCatalogue(language).then(loadedOne, () => undefined);
  }, [language]);
  const own = loaded[language];
  if (own && shown.current?.messages !== own) shown.current = { locale: language, messages: own };
  if (!shown.current && loaded.en) shown.current = { locale: 'en', messages: loaded.en };
  return shown.current;
}
