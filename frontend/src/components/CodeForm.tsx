import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import Form, { type FieldSpec, type Label, type RequestState } from './Form';

type CodeValues = { code: string };

interface Props {
  request: RequestState;
  /** Called with the code as typed, trimmed. */
  onSubmit: (code: string) => void;
  /** The field's label; "Code" when not given. */
  label?: Label;
  /** A hint under the field. */
  hint?: Label;
  /** Digits only (a verification or TOTP code: numeric keyboard, one-time-code autofill);
   * false for a recovery code, which has letters. */
  numeric?: boolean;
  submitLabel?: Label;
  /** Offers "Send a new code" when given. */
  resend?: { send: () => void; busy: boolean };
  /** Other buttons beside the submit button (e.g. Cancel). */
  actions?: ReactNode;
}

/** Enter a code — mailed, texted, from an authenticator app or a recovery code — and
 * optionally ask for a new one: the one code form of the SPA. */
export default function CodeForm({
  request,
  onSubmit,
  label = 'field.code',
  hint,
  numeric = true,
  submitLabel = 'code.submit',
  resend,
  actions,
}: Props) {
  const field: FieldSpec<CodeValues> = numeric
    ? { name: 'code', label, hint, inputMode: 'numeric', autoComplete: 'one-time-code', pattern: '[0-9]*' }
    : { name: 'code', label, hint, autoComplete: 'off' };
  return (
    <Form
      className="code-form"
      fields={[field]}
      initial={{ code: '' }}
      request={request}
      onSubmit={({ code }) => onSubmit(code.trim())}
      submitLabel={submitLabel}
      actions={
        <>
          {resend ? (
            <button type="button" className="button" onClick={resend.send} disabled={resend.busy}>
              <FormattedMessage id={resend.busy ? 'common.busy' : 'code.resend'} />
            </button>
          ) : null}
          {actions}
        </>
      }
    />
  );
}
