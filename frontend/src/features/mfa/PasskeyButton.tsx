import { useEffect, useRef } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import type { BodyOfRoute, routes } from '../../api/routes';
import { useApiMessage } from '../../components/Message';
import { getCredential, supportsAutofill, useCeremony } from './webauthn';

type Credential = BodyOfRoute<typeof routes.passkeyComplete> extends { credential: infer C } ? C : never;

/**
 * "Sign in with a passkey": /passkey/begin → the browser's passkey dialog → /complete.
 * Where the browser supports it, the passkeys are also offered in the email field's
 * autofill from the start (conditional mediation) when `autofill`; the button aborts
 * that and asks. A passkey also re-authenticates a logged-in session (the dialog).
 */
export default function PasskeyButton({ autofill: offerAutofill = false }: { autofill?: boolean }) {
  const [begin, { data, isLoading }] = api.endpoints.passkeyBegin.useMutation({ fixedCacheKey: 'passkeyBegin' });
  const complete = useRequest(api.endpoints.passkeyComplete);
  const translate = useApiMessage();
  const autofill = useRef(false);
  const [error] = useCeremony(
    data,
    (options) => getCredential(options, autofill.current),
    (credential) => complete.send({ credential: credential as Credential }),
  );
  useEffect(() => {
    if (!offerAutofill) return undefined;
    let mounted = true;
    supportsAutofill().then(
      (supported) => {
        if (!supported || !mounted) return;
        autofill.current = true;
        begin();
      },
      () => undefined,
    );
    return () => {
      mounted = false;
    };
  }, [begin, offerAutofill]);
  const busy = (isLoading && !autofill.current) || complete.busy;
  return (
    <div className="passkey-login">
      {error ? (
        <p className="notice error" role="alert">
          {translate(error)}
        </p>
      ) : null}
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() => {
          autofill.current = false;
          begin();
        }}
      >
        <FormattedMessage id={busy ? 'common.busy' : 'login.passkey'} />
      </button>
    </div>
  );
}

