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
 * Translates a message the API sent: its key (or marshmallow's text) in the catalogue,
 * else the `fallback` key, else the text as it came.
 */
export function useApiMessage() {
  const intl = useIntl();
  return (message: string, fallback?: string): string => {
    const key = VALIDATION_KEYS[message] || message;
    if (Object.prototype.hasOwnProperty.call(intl.messages, key)) return intl.formatMessage({ id: key });
    return fallback === undefined ? message : intl.formatMessage({ id: fallback });
  };
}
