import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import Field from './Field';
import Form from './Form';
import SubmitButton from './SubmitButton';

/** Enter the code that was mailed or texted; optionally ask for a new one. */
export default function CodeForm({ busy, errors, onSubmit, onResend, resendBusy, label }) {
  const intl = useIntl();
  const [code, setCode] = useState('');
  return (
    <Form busy={busy} errors={errors} onSubmit={() => onSubmit(code.trim())} className="code-form">
      <Field
        label={label || intl.formatMessage({ id: 'field.code' })}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        errors={errors.code}
        required
      />
      <div className="actions">
        <SubmitButton busy={busy}>
          <FormattedMessage id="code.submit" />
        </SubmitButton>
        {onResend ? (
          <button type="button" className="button" onClick={onResend} disabled={resendBusy}>
            <FormattedMessage id={resendBusy ? 'common.busy' : 'code.resend'} />
          </button>
        ) : null}
      </div>
    </Form>
  );
}
