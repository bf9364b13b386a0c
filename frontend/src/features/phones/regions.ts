import phonesDocument from '../../api/openapi/phones.json';
import type { Option } from '../../components/Field';

/**
 * The regions POST /api/phones/new accepts as `default_region` (ISO 3166-1 alpha-2 and
 * the few libphonenumber adds), read from the phones service's OpenAPI document.
 */
export const REGIONS: string[] = (
  phonesDocument.components.schemas.NewNumberRequest.properties.default_region.enum as (string | null)[]
).filter((code): code is string => typeof code === 'string');

/**
 * The region of the browser's locale (`sv-SE` → `SE`), offered as a hint beside the
 * configured region; undefined when no preferred locale names one.
 */
export function browserRegion(
  languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages || [navigator.language],
): string | undefined {
  for (const tag of languages) {
    try {
      const { region } = new Intl.Locale(tag);
      if (region && REGIONS.includes(region)) return region;
    } catch {
      // not a BCP 47 tag: try the next one
    }
  }
  return undefined;
}

/** `Sweden (SE)` in the UI's language, or the code where the browser has no name for it. */
export function regionName(code: string, locale: string): string {
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([locale], { type: 'region' }).of(code);
  } catch {
    name = undefined;
  }
  return name && name !== code ? `${name} (${code})` : code;
}

/** The select's options, sorted by name in the UI's language. */
export function regionOptions(locale: string): Option[] {
  return REGIONS.map((code) => ({ value: code, label: regionName(code, locale) })).sort((a, b) =>
    a.label.localeCompare(b.label, locale),
  );
}
