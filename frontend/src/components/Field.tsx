import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
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

/** A labelled input (or select) with its hint and its errors tied to it for assistive technology. */
export default function Field({ label, errors, hint, type = 'text', id, options, children, ...inputProps }: FieldProps) {
  const autoId = useId();
  const inputId = id || `field-${autoId}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const translate = useApiMessage();
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
    <input {...common} type={type} {...inputProps} />
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
      {children}
      {messages.length ? (
        <ul className="field-errors" id={errorId}>
          {messages.map((message) => (
            <li key={message}>{translate(message)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
