import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import type { FieldErrors } from '../api/fsa';
import { useAppDispatch } from '../app/hooks';
import { shownInForm } from '../features/notifications/notificationsSlice';
import Field, { type Option } from './Field';
import SubmitButton from './SubmitButton';

/** A message id, or one with values. */
export type Label = string | { id: string; values?: Record<string, string | number> };

export type Values = Record<string, string | boolean>;

/** One field of a form, declared: `name` is its key in the values and in `errors`. */
export interface FieldSpec<V extends Values> {
  name: keyof V & string;
  label: Label;
  type?: 'text' | 'email' | 'password' | 'tel' | 'checkbox';
  autoComplete?: string;
  hint?: Label;
  /** Fields are required unless marked optional. */
  optional?: boolean;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  pattern?: string;
  /** A select of these options. */
  options?: Option[];
  /** Shown under the input (e.g. the password strength meter). */
  after?: ReactNode;
}

/** The request a form sends: whether it runs, and the field errors of its last answer. */
export interface RequestState {
  busy: boolean;
  errors: FieldErrors;
  /** The message key of its last failure (`useRequest` gives it). */
  message?: string | null;
}

/** Where focus goes when it was lost while a request ran (its busy button was disabled):
 * the error banner that answers it, else the form's first field or button. */
function rescueFocus(form: HTMLFormElement | null) {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  const target =
    document.querySelector<HTMLElement>('.notifications [role="alert"] .notice') ??
    form?.querySelector<HTMLElement>('input, select, button:not([disabled])');
  target?.focus();
}

interface FormProps<V extends Values> {
  fields: FieldSpec<V>[];
  initial: V;
  request: RequestState;
  onSubmit: (values: V) => void;
  submitLabel: Label;
  submitClassName?: string;
  /** Checked before sending; what it finds is shown like the service's field errors. */
  validate?: (values: V) => FieldErrors | null;
  /** Told every change (e.g. to rate a password as it is typed). */
  onValues?: (values: V) => void;
  /** Buttons beside the submit button (cancel, send a new code). */
  actions?: ReactNode;
  /** Shown before the fields. */
  children?: ReactNode;
  className?: string;
  'aria-labelledby'?: string;
}

/**
 * The one form of the SPA: its fields declared as data, each labelled, with its hint and
 * its errors tied to it; the submit button busy while the request runs. Nothing is sent
 * twice while busy, and when an answer comes back with field errors, focus moves to the
 * first invalid field (WCAG 3.3.1).
 */
export default function Form<V extends Values>({
  fields,
  initial,
  request,
  onSubmit,
  submitLabel,
  submitClassName,
  validate,
  onValues,
  actions,
  children,
  ...props
}: FormProps<V>) {
  const intl = useIntl();
  const dispatch = useAppDispatch();
  const ref = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<V>(initial);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const errors = clientErrors ?? request.errors;
  const hasErrors = Object.keys(errors).length > 0;
  const wasBusy = useRef(false);
  const t = (label: Label) =>
    typeof label === 'string' ? intl.formatMessage({ id: label }) : intl.formatMessage({ id: label.id }, label.values);

  // The errors this form shows by its fields are not repeated in a banner (one place per
  // error); before paint, so the banner never flashes.
  const shown = fields.filter(({ name }) => request.errors[name]).map(({ name }) => name);
  const failure = shown.length ? request.message : null;
  useLayoutEffect(() => {
    if (failure) dispatch(shownInForm(failure));
  }, [failure, request.errors, dispatch]);

  useEffect(() => {
    if (hasErrors) ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    else if (wasBusy.current && !request.busy) rescueFocus(ref.current);
    wasBusy.current = request.busy;
  }, [errors, hasErrors, request.busy]);

  const change = (name: keyof V, value: string | boolean) => {
    const next = { ...values, [name]: value };
    setValues(next);
    setClientErrors(null);
    onValues?.(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (request.busy) return;
    const found = validate?.(values) ?? null;
    setClientErrors(found && Object.keys(found).length ? found : null);
    if (!found || Object.keys(found).length === 0) onSubmit(values);
  };

  return (
    <form ref={ref} noValidate aria-busy={request.busy ? 'true' : 'false'} onSubmit={submit} {...props}>
      {children}
      {fields.map(({ name, label, hint, optional, after, type = 'text', ...input }) => (
        <Field
          key={name}
          {...input}
          type={type}
          name={name}
          label={t(label)}
          hint={hint ? t(hint) : undefined}
          required={!optional}
          errors={errors[name]}
          {...(type === 'checkbox'
            ? { checked: Boolean(values[name]), onChange: (e) => change(name, e.target.checked) }
            : { value: String(values[name] ?? ''), onChange: (e) => change(name, e.target.value) })}
        >
          {after}
        </Field>
      ))}
      <div className="actions">
        <SubmitButton busy={request.busy} className={submitClassName}>
          {t(submitLabel)}
        </SubmitButton>
        {actions}
      </div>
    </form>
  );
}
