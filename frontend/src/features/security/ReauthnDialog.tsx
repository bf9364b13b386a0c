import { useEffect, useRef } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import Form, { type FieldSpec } from '../../components/Form';
import { useApiMessage } from '../../components/Message';
import { MfaStep } from '../mfa/lazy';
import PasskeyButton from '../mfa/PasskeyButton';
import { mfaAbandoned, selectMfaMethods } from '../session/sessionSlice';
import { reauthnCancelled, selectSecurity } from './securitySlice';

const FIELDS: FieldSpec<{ password: string }>[] = [
  { name: 'password', label: 'field.password', type: 'password', autoComplete: 'current-password' },
];

/** The dialog asks for the password alone (the address is known): the login's answer to
 * any wrong combination ("Wrong email address or password") says it as such here. */
const PASSWORD_ONLY: Record<string, string> = { 'authn.invalid_credentials': 'reauthn.wrong_password' };

/**
 * Asks for the password again when a *recent* route refused an old login, then the
 * second factor when the account has one (`mfa_required`); a passkey does both at once.
 * The reauthn saga sends the refused request again after this succeeds.
 * The content exists only while open, so a closed dialog leaves nothing to find
 * (and the password field starts empty each time). Cancelling also forgets the last
 * answer, empties the form of the refused action (`reauthnCancels`) and says that it was
 * cancelled (the notifications).
 */
export default function ReauthnDialog() {
  const dispatch = useAppDispatch();
  const { reauthnOpen } = useAppSelector(selectSecurity);
  const mfaMethods = useAppSelector(selectMfaMethods);
  const reauthenticate = useRequest(api.endpoints.reauthenticate);
  // the same request state, to forget a wrong password's answer when the dialog is cancelled
  const [, { reset }] = api.endpoints.reauthenticate.useMutation({ fixedCacheKey: api.endpoints.reauthenticate.name });
  const translate = useApiMessage();
  const dialog = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<Element | null>(null);

  useEffect(() => {
    const node = dialog.current;
    if (!node) return;
    if (reauthnOpen && !node.open) {
      returnFocus.current = document.activeElement;
      if (node.showModal) node.showModal();
      else node.setAttribute('open', '');
      node.querySelector('input')?.focus();
    } else if (!reauthnOpen && node.open) {
      if (node.close) node.close();
      else node.removeAttribute('open');
      (returnFocus.current as HTMLElement | null)?.focus?.();
    }
  }, [reauthnOpen]);

  const cancel = () => {
    reset();
    dispatch(mfaAbandoned());
    dispatch(reauthnCancelled());
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="reauthn-title"
      onCancel={(e) => {
        e.preventDefault();
        cancel();
      }}
    >
      {reauthnOpen ? (
        <>
          <h2 id="reauthn-title">
            <FormattedMessage id="reauthn.title" />
          </h2>
          <p>
            <FormattedMessage id={mfaMethods ? 'reauthn.mfa_text' : 'reauthn.text'} />
          </p>
          {reauthenticate.message && !mfaMethods ? (
            <p className="notice error" role="alert">
              {translate(PASSWORD_ONLY[reauthenticate.message] ?? reauthenticate.message, 'notifications.generic_error')}
            </p>
          ) : null}
          {mfaMethods ? (
            <>
              <MfaStep methods={mfaMethods} />
              <div className="actions">
                <button type="button" className="button" onClick={cancel}>
                  <FormattedMessage id="common.cancel" />
                </button>
              </div>
            </>
          ) : (
            <>
              <Form
                fields={FIELDS}
                initial={{ password: '' }}
                request={reauthenticate}
                onSubmit={reauthenticate.send}
                submitLabel="reauthn.submit"
                actions={
                  <button type="button" className="button" onClick={cancel} disabled={reauthenticate.busy}>
                    <FormattedMessage id="common.cancel" />
                  </button>
                }
              />
              <PasskeyButton />
            </>
          )}
        </>
      ) : null}
    </dialog>
  );
}
