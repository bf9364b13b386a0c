/**
 * How the console shows phone numbers and moments.
 */

/**
 * A phone number (E.164, as the phones service keeps it) as people write it: the
 * `display` the phones service gives each of the user's numbers (`+46 70 123 45 67`,
 * libphonenumber's international format — no phone library in the bundle). A number no
 * longer on the account (an old event's) is shown in E.164, unambiguous everywhere.
 */
export function phoneDisplay(number: string, phones: readonly { number: string; display?: string }[]): string {
  return phones.find((phone) => phone.number === number)?.display || number;
}

/**
 * The locale to write dates and times in: the browser's own tag for the UI's language
 * (`en-GB` when the UI is English and the browser prefers British English: "1 Dec 2026,
 * 14:05", not "Dec 1, 2026, 2:05 PM"), else the UI's language itself.
 */
export function dateLocale(
  language: string,
  preferred: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages || [navigator.language],
): string {
  return preferred.find((tag) => tag.toLowerCase().split('-')[0] === language.toLowerCase()) ?? language;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `at` (ISO 8601) as a medium date and short time in `locale` and the browser's time zone. */
export function formatMoment(at: string, locale: string): string {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    formats.set(locale, format);
  }
  return format.format(new Date(at));
}
