import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import type { FieldErrors } from '../api/fsa';
import { useAppSelector } from '../app/hooks';
import { selectPasswordPolicy } from '../features/config/configSlice';
import Form, { type FieldSpec, type Label, type RequestState } from './Form';
import usePasswordStrength, { judgePassword, type PasswordPolicy, type Strength } from './usePasswordStrength';

const LEVELS = ['password.score_0', 'password.score_1', 'password.score_2', 'password.score_3', 'password.score_4'];

type PasswordValues = { password: string; repeat: string };

/**
 * The meter shows zxcvbn's score 0–4 as 1–5 once anything is typed, so a very weak
 * password shows a (red) bar rather than an empty meter that looks like nothing happened.
 * Red up to the policy's `min_score` − 1, green from it (`low`/`high`/`optimum`).
 */
function StrengthMeter({ password, strength, policy }: { password: string; strength: Strength; policy: PasswordPolicy }) {
  const intl = useIntl();
  return (
    <div className="strength" aria-live="polite">
      <meter
        min={0}
        max={5}
        low={policy.min_score}
        high={policy.min_score + 1}
        optimum={5}
        value={password && strength.ready ? strength.score + 1 : 0}
        aria-label={intl.formatMessage({ id: 'password.strength' })}
        aria-valuetext={password && strength.ready ? intl.formatMessage({ id: LEVELS[strength.score] }) : undefined}
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
  );
}

interface Props {
  request: RequestState;
  onSubmit: (password: string) => void;
  submitLabel: Label;
  /** Name, email…: count as guessable. */
  userInputs?: (string | null | undefined)[];
}

/**
 * Choose a password: the strength meter follows the platform's policy, and the form is
 * not sent until the password meets it and both entries match. The service's errors
 * for its own field name (`password`, `new_password`) are shown on the password.
 */
export default function NewPasswordForm({ request, onSubmit, submitLabel, userInputs }: Props) {
  const policy = useAppSelector(selectPasswordPolicy);
  const [password, setPassword] = useState('');
  const strength = usePasswordStrength(password, policy, userInputs);
  const { password: own, new_password: renamed, ...rest } = request.errors;
  const errors: FieldErrors = own || renamed ? { ...rest, password: own || renamed } : request.errors;

  // Checked here first so that the user hears about it without a round trip;
  // the service checks again and its answer lands in `errors`.
  const validate = (values: PasswordValues): FieldErrors => {
    const found: FieldErrors = {};
    // judged on the value sent, not on the last render's strength; while zxcvbn is still
    // loading only the length is checked here and the service judges guessability
    const judged = judgePassword(values.password, policy, userInputs);
    if (policy.max_length && values.password.length > policy.max_length) found.password = ['password.too_long'];
    else if (values.password.length < policy.min_length) found.password = ['password.too_short'];
    else if (judged && !judged.ok) found.password = ['password.too_guessable'];
    if (values.repeat !== values.password) found.repeat = ['password.mismatch'];
    return found;
  };
  const fields: FieldSpec<PasswordValues>[] = [
    {
      name: 'password',
      label: 'password.new',
      type: 'password',
      autoComplete: 'new-password',
      hint: { id: 'password.policy', values: { min: policy.min_length } },
      after: <StrengthMeter password={password} strength={strength} policy={policy} />,
    },
    { name: 'repeat', label: 'password.repeat', type: 'password', autoComplete: 'new-password' },
  ];
  return (
    <Form
      fields={fields}
      initial={{ password: '', repeat: '' }}
      request={{ busy: request.busy, errors, message: request.message }}
      validate={validate}
      onValues={(values) => setPassword(values.password)}
      onSubmit={(values) => onSubmit(values.password)}
      submitLabel={submitLabel}
    />
  );
}
