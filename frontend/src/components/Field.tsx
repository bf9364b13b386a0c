import { useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { useApiMessage } from './Message';

/** Field errors as sent in payload.errors: a list of messages, or nested objects. */
export function flattenErrors(value: unknown): string[] {
  if (!value) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flattenErrors);
  if (typeof value === 'object') return Object.values(value).flatMap(flattenErrors);
  return [];
}

export interface Option {
  value: string;
  label: string;
}

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement & HTMLSelectElement>, 'children'> {
  label: string;
  errors?: unknown;
  hint?: string;
  /** Makes the field a select of these options. */
  options?: Option[];
  /** Shown under the input (e.g. the password strength meter). */
  children?: ReactNode;
}

/**
 * "Show password": a toggle button (aria-pressed) beside a password input that shows the
 * text while pressed (WCAG 3.3.8 asks that a password may be checked before it is sent).
 */
function ShowPassword({ shown, onToggle, controls }: { shown: boolean; onToggle: () => void; controls: string }) {
  const intl = useIntl();
  return (
    <button type="button" className="link-button show-password" aria-pressed={shown} aria-controls={controls} onClick={onToggle}>
      {intl.formatMessage({ id: 'password.show' })}
    </button>
  );
}

/** A labelled input (or select) with its hint and its errors tied to it for assistive
 * technology; a password input has a "Show password" toggle. Field errors are translated
 * for this field (`name`) where the catalogue has a sentence for it. */
export default function Field({ label, errors, hint, type = 'text', id, options, children, ...inputProps }: FieldProps) {
  const autoId = useId();
  const inputId = id || `field-${autoId}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const translate = useApiMessage();
  const [shown, setShown] = useState(false);
  const isPassword = type === 'password';
  const messages = flattenErrors(errors);
  const describedBy = [hint ? hintId : null, messages.length ? errorId : null].filter(Boolean).join(' ');
  const isCheckbox = type === 'checkbox';
  const common = {
    id: inputId,
    'aria-invalid': messages.length ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
  const input = options ? (
    <select {...common} {...inputProps}>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  ) : (
    <input {...common} type={isPassword && shown ? 'text' : type} {...inputProps} />
  );
  return (
    <div className={`field${isCheckbox ? ' field-checkbox' : ''}${messages.length ? ' field-invalid' : ''}`}>
      {isCheckbox ? input : null}
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {isCheckbox ? null : input}
      {isPassword ? <ShowPassword shown={shown} onToggle={() => setShown(!shown)} controls={inputId} /> : null}
      {children}
      {messages.length ? (
        <ul className="field-errors" id={errorId}>
          {messages.map((message) => (
            <li key={message}>{translate(message, undefined, inputProps.name)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
