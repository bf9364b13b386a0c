import { useIntl } from 'react-intl';

// marshmallow's field messages are English text; the common ones have keys.
const VALIDATION_KEYS = {
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

/** The key of a message the API sent, or null when the catalogue does not know it. */
export function useApiMessage() {
  const intl = useIntl();
  return (message, fallback) => {
    const key = VALIDATION_KEYS[message] || message;
    if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(intl.messages, key)) {
      return intl.formatMessage({ id: key });
    }
    return fallback === undefined ? message : intl.formatMessage({ id: fallback });
  };
}
