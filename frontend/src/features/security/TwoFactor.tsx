import { useRef, useState } from 'react';
import { FormattedDate, FormattedMessage, useIntl } from 'react-intl';
import { api, useRequest } from '../../api/api';
import type { BodyOfRoute, routes } from '../../api/routes';
import { useAppSelector } from '../../app/hooks';
import Form, { type FieldSpec } from '../../components/Form';
import CodeForm from '../../components/CodeForm';
import ConfirmAction from '../../components/ConfirmAction';
import Loading from '../../components/Loading';
import { useApiMessage } from '../../components/Message';
import useSuccessCount from '../../components/useSuccessCount';
import { createCredential, useCeremony } from '../mfa/webauthn';
import { selectSecurity, type Credential } from './securitySlice';

type NewKey = BodyOfRoute<typeof routes.webauthnRegisterComplete>;

/** A date and time, or `none` ("Never"; a credential's last use: "Not yet" — a password
 * just changed has not been used, which "Never" made sound wrong). */
export function When({ value, none = 'security.never' }: { value: string | null | undefined; none?: string }) {
  if (!value) return <FormattedMessage id={none} />;
  return <FormattedDate value={value} dateStyle="medium" timeStyle="short" />;
}

const TYPE_LABELS: Record<Credential['type'], string> = {
  password: 'security.password',
  totp: 'security.type_totp',
  webauthn: 'security.type_webauthn',
};

function typeLabel(credential: Credential) {
  return credential.type === 'webauthn' && credential.passkey ? 'security.type_passkey' : TYPE_LABELS[credential.type];
}

/** Remove a second factor, after the user confirmed it. */
function Remove({ credential }: { credential: Credential }) {
  const remove = useRequest(api.endpoints.credentialsRemove);
  const intl = useIntl();
  const name = credential.name || intl.formatMessage({ id: typeLabel(credential) });
  return (
    <ConfirmAction
      request={remove}
      onConfirm={() => remove.send({ credential_id: credential.credential_id })}
      buttonClassName="button small"
      question={<FormattedMessage id="security.remove_confirm" values={{ name }} />}
      questionId={`remove-${credential.credential_id}`}
      confirmLabel="security.remove_yes"
    >
      <FormattedMessage id="security.remove" />
      <span className="visually-hidden"> {name}</span>
    </ConfirmAction>
  );
}

/** Columns a phone's screen leaves out (styles.css). */
const SECONDARY = ['security.type', 'security.created'];

/** Every credential: its name and kind, when it was added and last used; a second factor can be removed. */
export function Credentials() {
  const { credentials, credentialsLoaded } = useAppSelector(selectSecurity);
  if (!credentialsLoaded) return <Loading />;
  const columns = ['security.credential', ...SECONDARY, 'security.last_used', 'security.actions'];
  return (
    <table className="credentials">
      <thead>
        <tr>
          {columns.map((id) => (
            <th scope="col" key={id} className={SECONDARY.includes(id) ? 'secondary' : undefined}>
              <FormattedMessage id={id} />
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {credentials.map((credential, index) => (
          <tr key={credential.credential_id || index}>
            <th scope="row">{credential.name || <FormattedMessage id={typeLabel(credential)} />}</th>
            <td className="secondary">
              <FormattedMessage id={typeLabel(credential)} />
            </td>
            <td className="secondary">
              <When value={credential.created} />
            </td>
            <td>
              <When value={credential.last_used} none="security.not_used_yet" />
            </td>
            <td>{credential.type === 'password' ? null : <Remove credential={credential} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The QR code as an image of the service's SVG, never its markup in our DOM: an SVG in
 * an <img> runs no script and loads nothing (the CSP allows `data:` images only).
 */
function svgDataUrl(svg: string): string {
  const binary = Array.from(new TextEncoder().encode(svg), (byte) => String.fromCharCode(byte)).join('');
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Add an authenticator app: a new secret (QR code and text), then a code from the app. */
function AddTotp() {
  const [begin, { data, isLoading, reset }] = api.endpoints.totpBegin.useMutation({ fixedCacheKey: 'totpBegin' });
  const complete = useRequest(api.endpoints.totpComplete);
  const done = useSuccessCount(complete.busy, complete.succeeded);
  const started = useRef(done);
  // an enrolment begun before this mounted (e.g. of a factor since removed) is not shown again
  const stale = useRef(data);
  const shown = data && data !== stale.current && started.current === done ? data : undefined;
  if (!shown) {
    return (
      <button
        type="button"
        className="button"
        disabled={isLoading}
        onClick={() => {
          started.current = done;
          reset();
          begin();
        }}
      >
        <FormattedMessage id={isLoading ? 'common.busy' : 'security.totp_add'} />
      </button>
    );
  }
  return (
    <div className="totp-enrol">
      <p>
        <FormattedMessage id="security.totp_scan" />
      </p>
      <img className="qr" src={svgDataUrl(shown.qr_svg)} alt="" width={200} height={200} />
      <p>
        <FormattedMessage id="security.totp_manual" />{' '}
        <code className="secret" data-testid="totp-secret">
          {shown.secret}
        </code>
      </p>
      <CodeForm
        request={complete}
        onSubmit={(code) => complete.send({ code })}
        label="security.totp_code"
        submitLabel="security.totp_submit"
        actions={
          <button type="button" className="button" onClick={() => reset()}>
            <FormattedMessage id="common.cancel" />
          </button>
        }
      />
    </div>
  );
}

type KeyValues = { name: string; passkey: boolean };
const KEY: FieldSpec<KeyValues>[] = [
  { name: 'name', label: 'security.key_name', hint: 'security.key_name_hint', autoComplete: 'off' },
  { name: 'passkey', label: 'security.key_passkey', type: 'checkbox', optional: true },
];

/** Add a security key or passkey: its name, the browser's registration, then /complete. */
function AddKey() {
  const [begin, { data, isLoading }] = api.endpoints.webauthnRegisterBegin.useMutation({
    fixedCacheKey: 'webauthnRegisterBegin',
  });
  const complete = useRequest(api.endpoints.webauthnRegisterComplete);
  const translate = useApiMessage();
  const name = useRef('');
  const [error] = useCeremony(data, createCredential, (credential) =>
    complete.send({ credential: credential as NewKey['credential'], name: name.current }),
  );
  const generation = useSuccessCount(complete.busy, complete.succeeded);
  const { reauthnCancels } = useAppSelector(selectSecurity);
  return (
    <>
      {error ? (
        <p className="notice error" role="alert">
          {translate(error)}
        </p>
      ) : null}
      <Form
        key={`${generation}-${reauthnCancels}`}
        fields={KEY}
        initial={{ name: '', passkey: true }}
        request={{ busy: isLoading || complete.busy, errors: complete.errors }}
        validate={({ name: value }) => (value.trim() ? null : { name: ['validation.required'] })}
        onSubmit={(values) => {
          name.current = values.name.trim();
          begin({ passkey: values.passkey });
        }}
        submitLabel="security.key_add"
      />
    </>
  );
}

/** The recovery codes, shown once after they are made, to copy or download. */
function RecoveryCodes({ hasFactor }: { hasFactor: boolean }) {
  const [generate, { data, isLoading }] = api.endpoints.recoveryCodes.useMutation({ fixedCacheKey: 'recoveryCodes' });
  const { recoveryCodesLeft } = useAppSelector(selectSecurity);
  const [copied, setCopied] = useState(false);
  if (!hasFactor) return null;
  const codes = data?.codes;
  const text = codes ? `${codes.join('\n')}\n` : '';
  return (
    <>
      {recoveryCodesLeft !== null && recoveryCodesLeft <= 2 && !codes ? (
        <p className="notice warning" role="status">
          <FormattedMessage id="security.recovery_low" values={{ count: recoveryCodesLeft }} />
        </p>
      ) : null}
      {codes ? (
        <div className="recovery-codes">
          <p className="warning">
            <FormattedMessage id="security.recovery_once" />
          </p>
          <ul aria-label="recovery codes">
            {codes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={() => navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}
            >
              <FormattedMessage id={copied ? 'security.recovery_copied' : 'security.recovery_copy'} />
            </button>
            <a className="button" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="tessera-recovery-codes.txt">
              <FormattedMessage id="security.recovery_download" />
            </a>
          </div>
        </div>
      ) : null}
      <button type="button" className="button" disabled={isLoading} onClick={() => generate()}>
        <FormattedMessage id={isLoading ? 'common.busy' : 'security.recovery_generate'} />
      </button>
    </>
  );
}

/** The security page's two-factor part: add an app or key, recovery codes. */
export default function TwoFactor() {
  const { credentials } = useAppSelector(selectSecurity);
  const hasTotp = credentials.some((c) => c.type === 'totp');
  const hasFactor = credentials.some((c) => c.type !== 'password');
  return (
    <>
      {hasTotp ? null : (
        <>
          <h3>
            <FormattedMessage id="security.totp_title" />
          </h3>
          <AddTotp />
        </>
      )}
      <h3>
        <FormattedMessage id="security.key_title" />
      </h3>
      <AddKey />
      {hasFactor ? (
        <h3>
          <FormattedMessage id="security.recovery_title" />
        </h3>
      ) : null}
      <RecoveryCodes hasFactor={hasFactor} />
    </>
  );
}
