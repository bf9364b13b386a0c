import { useState } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import type { BodyOfRoute, routes } from '../../api/routes';
import CodeForm from '../../components/CodeForm';
import { useApiMessage } from '../../components/Message';
import type { MfaMethod } from '../session/sessionSlice';
import { getCredential, useCeremony } from './webauthn';

type Credential = BodyOfRoute<typeof routes.mfaWebauthnComplete> extends { credential: infer C } ? C : never;

function TotpCode() {
  const totp = useRequest(api.endpoints.mfaTotp);
  return <CodeForm request={totp} onSubmit={(code) => totp.send({ code })} label="mfa.totp_code" submitLabel="mfa.verify" />;
}

function RecoveryCode() {
  const recovery = useRequest(api.endpoints.mfaRecoveryCode);
  return (
    <CodeForm
      request={recovery}
      onSubmit={(code) => recovery.send({ code })}
      label="mfa.recovery_code"
      hint="mfa.recovery_code_hint"
      numeric={false}
      submitLabel="mfa.verify"
    />
  );
}

function SecurityKey() {
  const [begin, { data, isLoading }] = api.endpoints.mfaWebauthnBegin.useMutation({ fixedCacheKey: 'mfaWebauthnBegin' });
  const complete = useRequest(api.endpoints.mfaWebauthnComplete);
  const translate = useApiMessage();
  const [error] = useCeremony(data, getCredential, (credential) => complete.send({ credential: credential as Credential }));
  const busy = isLoading || complete.busy;
  return (
    <>
      <p>
        <FormattedMessage id="mfa.webauthn_text" />
      </p>
      {error ? (
        <p className="notice error" role="alert">
          {translate(error)}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button primary" onClick={() => begin()} disabled={busy} aria-busy={busy}>
          <FormattedMessage id={busy ? 'common.busy' : 'mfa.webauthn_use'} />
        </button>
      </div>
    </>
  );
}

const LABELS: Record<MfaMethod, string> = {
  totp: 'mfa.method_totp',
  webauthn: 'mfa.method_webauthn',
  recovery_code: 'mfa.method_recovery_code',
};

/**
 * The second step of a login or a re-authentication: the user chooses one of `methods`
 * (an authenticator app's code, a security key or passkey, a recovery code) and
 * completes it. A security key is offered first when the account has one (phishing
 * resistant, NIST SP 800-63B AAL2+); a recovery code last.
 */
export default function MfaStep({ methods }: { methods: MfaMethod[] }) {
  const order: MfaMethod[] = (['webauthn', 'totp', 'recovery_code'] as const).filter((m) => methods.includes(m));
  const [method, setMethod] = useState<MfaMethod>(order[0] ?? 'recovery_code');
  return (
    <div className="mfa-step">
      <p id="mfa-intro">
        <FormattedMessage id="mfa.intro" />
      </p>
      {order.length > 1 ? (
        <fieldset className="mfa-methods">
          <legend>
            <FormattedMessage id="mfa.choose" />
          </legend>
          {order.map((m) => (
            <label key={m} className="radio">
              <input type="radio" name="mfa-method" value={m} checked={method === m} onChange={() => setMethod(m)} />
              <FormattedMessage id={LABELS[m]} />
            </label>
          ))}
        </fieldset>
      ) : null}
      {method === 'totp' ? <TotpCode /> : method === 'webauthn' ? <SecurityKey /> : <RecoveryCode />}
    </div>
  );
}
