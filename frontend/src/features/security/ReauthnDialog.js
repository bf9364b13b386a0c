import { useEffect, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import Field from '../../components/Field';
import Form from '../../components/Form';
import SubmitButton from '../../components/SubmitButton';
import { useApiMessage } from '../../components/Message';
import useRequest from '../../components/useRequest';
import { reauthnCancelled, selectSecurity } from './securitySlice';

/**
 * Asks for the password again when a *recent* route refused an old login.
 * The reauthn saga sends the refused request again after this succeeds.
 * The content exists only while open, so a closed dialog leaves nothing to find.
 */
export default function ReauthnDialog() {
  const intl = useIntl();
  const dispatch = useDispatch();
  const { reauthnOpen } = useSelector(selectSecurity);
  const { send, busy, errors, message } = useRequest('POST', 'authn', 'reauthenticate');
  const translate = useApiMessage();
  const [password, setPassword] = useState('');
  const dialog = useRef(null);
  const returnFocus = useRef(null);

  useEffect(() => {
    const node = dialog.current;
    if (!node) return;
    if (reauthnOpen && !node.open) {
      returnFocus.current = document.activeElement;
      setPassword('');
      if (node.showModal) node.showModal();
      else node.setAttribute('open', '');
      node.querySelector('input')?.focus();
    } else if (!reauthnOpen && node.open) {
      if (node.close) node.close();
      else node.removeAttribute('open');
      returnFocus.current?.focus?.();
    }
  }, [reauthnOpen]);

  const cancel = () => dispatch(reauthnCancelled());

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
        <FormattedMessage id="reauthn.text" />
      </p>
      {message ? (
        <p className="notice error" role="alert">
          {translate(message, 'notifications.generic_error')}
        </p>
      ) : null}
      <Form busy={busy} errors={errors} onSubmit={() => send({ password })}>
        <Field
          label={intl.formatMessage({ id: 'field.password' })}
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          errors={errors.password}
          required
        />
        <div className="actions">
          <SubmitButton busy={busy}>
            <FormattedMessage id="reauthn.submit" />
          </SubmitButton>
          <button type="button" className="button" onClick={cancel} disabled={busy}>
            <FormattedMessage id="common.cancel" />
          </button>
        </div>
      </Form>
        </>
      ) : null}
    </dialog>
  );
}
