import { useId } from 'react';
import { useApiMessage } from './Message';

/** Field errors as sent in payload.errors: a list of messages, or nested objects. */
export function flattenErrors(value) {
  if (!value) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flattenErrors);
  if (typeof value === 'object') return Object.values(value).flatMap(flattenErrors);
  return [];
}

/** A labelled input with its hint and its errors tied to it for assistive technology. */
export default function Field({ label, errors, hint, type = 'text', id, children, ...inputProps }) {
  const autoId = useId();
  const inputId = id || `field-${autoId}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const translate = useApiMessage();
  const messages = flattenErrors(errors);
  const describedBy = [hint ? hintId : null, messages.length ? errorId : null].filter(Boolean).join(' ');
  const isCheckbox = type === 'checkbox';
  const input = (
    <input
      id={inputId}
      type={type}
      aria-invalid={messages.length ? 'true' : undefined}
      aria-describedby={describedBy || undefined}
      {...inputProps}
    />
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
