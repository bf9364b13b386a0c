import { FormattedMessage } from 'react-intl';
import Form, { type FieldSpec, type Label, type RequestState } from './Form';

type CodeValues = { code: string };

interface Props {
  request: RequestState;
  onSubmit: (code: string) => void;
  /** The field's label; "Code" when not given. */
  label?: Label;
  /** Offers "Send a new code" when given. */
  resend?: { send: () => void; busy: boolean };
}

/** Enter the code that was mailed or texted; optionally ask for a new one. */
export default function CodeForm({ request, onSubmit, label = 'field.code', resend }: Props) {
  const fields: FieldSpec<CodeValues>[] = [
    { name: 'code', label, inputMode: 'numeric', autoComplete: 'one-time-code', pattern: '[0-9]*' },
  ];
  return (
    <Form
      className="code-form"
      fields={fields}
      initial={{ code: '' }}
      request={request}
      onSubmit={({ code }) => onSubmit(code.trim())}
      submitLabel="code.submit"
      actions={
        resend ? (
          <button type="button" className="button" onClick={resend.send} disabled={resend.busy}>
            <FormattedMessage id={resend.busy ? 'common.busy' : 'code.resend'} />
          </button>
        ) : null
      }
    />
  );
}
