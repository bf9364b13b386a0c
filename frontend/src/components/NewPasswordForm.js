import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useSelector } from 'react-redux';
import { selectPasswordPolicy } from '../features/config/configSlice';
import Field from './Field';
import Form from './Form';
import SubmitButton from './SubmitButton';
import usePasswordStrength from './usePasswordStrength';

const LEVELS = ['password.score_0', 'password.score_1', 'password.score_2', 'password.score_3', 'password.score_4'];

/**
 * Choose a password: the strength meter follows the platform's policy, and the
 * form is not sent until the password meets it and both entries match.
 * `field` is the body field the route expects ('password' or 'new_password').
 */
export default function NewPasswordForm({ field = 'password', busy, errors, onSubmit, submitLabel, userInputs }) {
  const intl = useIntl();
  const policy = useSelector(selectPasswordPolicy);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [clientErrors, setClientErrors] = useState({});
  const strength = usePasswordStrength(password, policy, userInputs);

  // Checked here first so that the user hears about it without a round trip;
  // the service checks again and its answer lands in `errors`.
  const submit = () => {
    const found = {};
    if (policy.max_length && password.length > policy.max_length) found[field] = ['password.too_long'];
    else if (!strength.ok) found[field] = [strength.tooShort ? 'password.too_short' : 'password.too_guessable'];
    if (repeat !== password) found.repeat = ['password.mismatch'];
    setClientErrors(found);
    if (Object.keys(found).length === 0) onSubmit({ [field]: password });
  };
  const shown = Object.keys(clientErrors).length ? clientErrors : errors;

  return (
    <Form busy={busy} errors={shown} onSubmit={submit}>
      <Field
        label={intl.formatMessage({ id: 'password.new' })}
        type="password"
        name={field}
        autoComplete="new-password"
        value={password}
        onChange={(e) => {
          setPassword(e.target.value);
          setClientErrors({});
        }}
        hint={intl.formatMessage({ id: 'password.policy' }, { min: policy.min_length })}
        errors={shown[field] || shown.password || shown.new_password}
        required
      >
        <div className="strength" aria-live="polite">
          <meter
            min={0}
            max={4}
            low={Math.max(1, policy.min_score - 1)}
            high={policy.min_score}
            optimum={4}
            value={password ? strength.score : 0}
            aria-label={intl.formatMessage({ id: 'password.strength' })}
          />
          <span className="strength-text">
            {password ? (
              <>
                <FormattedMessage id={LEVELS[strength.score]} />
                {' — '}
                {strength.tooShort ? (
                  <FormattedMessage id="password.hint_too_short" values={{ min: policy.min_length }} />
                ) : (
                  <FormattedMessage id={strength.ok ? 'password.good_enough' : 'password.too_weak'} />
                )}
              </>
            ) : null}
          </span>
        </div>
      </Field>
      <Field
        label={intl.formatMessage({ id: 'password.repeat' })}
        type="password"
        name="repeat"
        autoComplete="new-password"
        value={repeat}
        onChange={(e) => {
          setRepeat(e.target.value);
          setClientErrors({});
        }}
        errors={shown.repeat}
        required
      />
      <SubmitButton busy={busy}>
        {submitLabel}
      </SubmitButton>
    </Form>
  );
}
