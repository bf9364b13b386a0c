import { useIntl } from 'react-intl';

// marshmallow's field messages are English text; the common ones have keys.
const VALIDATION_KEYS: Record<string, string> = {
  'Missing data for required field.': 'validation.required',
  'Field may not be null.': 'validation.required',
  'Not a valid email address.': 'validation.email',
  'Unknown field.': 'validation.unknown_field',
  'Not a valid string.': 'validation.invalid',
  'Not a valid boolean.': 'validation.invalid',
  'Not a valid integer.': 'validation.invalid',
  'Invalid value.': 'validation.invalid',
  'Must be equal to True.': 'validation.must_accept',
};

/**
 * Translates a message the API sent: for a field error of `field`, its sentence for that
 * field (`validation.required.given_name` → "Enter your given name") if the catalogue has
 * one; else the key (or marshmallow's text, from a service of before keyed field errors)
 * in the catalogue, else the `fallback` key, else the text as it came.
 */
export function useApiMessage() {
  const intl = useIntl();
  const known = (id: string) => Object.prototype.hasOwnProperty.call(intl.messages, id);
  return (message: string, fallback?: string, field?: string): string => {
    const key = VALIDATION_KEYS[message] || message;
    const id = [field ? `${key}.${field}` : null, key].find((candidate): candidate is string => Boolean(candidate && known(candidate)));
    if (id) return intl.formatMessage({ id });
    return fallback === undefined ? message : intl.formatMessage({ id: fallback });
  };
}
