import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import Form, { type FieldSpec, type Label, type RequestState } from './Form';
import useCountdown from './useCountdown';

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
  /** Offers "Send a new code" when given; disabled with a countdown while the service
   * said a new one may not be sent yet (`wait` seconds, said `said` times). */
  resend?: Resend;
  /** Other buttons beside the submit button (e.g. Cancel). */
  actions?: ReactNode;
}

export interface Resend {
  send: () => void;
  busy: boolean;
  wait?: number;
  said?: number;
}

/** "Send a new code", counting down while it may not be used yet. */
function ResendButton({ send, busy, wait = 0, said = 0 }: Resend) {
  const left = useCountdown(wait, said);
  return (
    <button type="button" className="button" onClick={send} disabled={busy || left > 0}>
      {busy ? <FormattedMessage id="common.busy" /> : <FormattedMessage id={left > 0 ? 'code.resend_in' : 'code.resend'} values={{ seconds: left }} />}
    </button>
  );
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
          {resend ? <ResendButton {...resend} /> : null}
          {actions}
        </>
      }
    />
  );
}
