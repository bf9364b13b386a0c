import { useEffect, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { apiRequest } from '../../api/actions';
import CodeForm from '../../components/CodeForm';
import Field from '../../components/Field';
import Form from '../../components/Form';
import Loading from '../../components/Loading';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';

/**
 * The region of the browser's locale (`sv-SE` → `SE`), which says how the phones service
 * reads a number typed without `+`; undefined when no preferred locale names one (then
 * the service uses its configured region).
 */
export function browserRegion(languages = typeof navigator === 'undefined' ? [] : navigator.languages || [navigator.language]) {
  for (const tag of languages) {
    try {
      const { region } = new Intl.Locale(tag);
      if (region && /^[A-Z]{2}$/.test(region)) return region;
    } catch {
      // not a BCP 47 tag: try the next one
    }
  }
  return undefined;
}

// Names the entry for screen readers without crowding a phone screen.
const hidden = (chunks) => <span className="visually-hidden">{chunks}</span>;

/**
 * The page for email addresses or phone numbers. `service` is 'emails' or 'phones',
 * `field` the body field ('email' or 'number'), `prefix` the translation prefix,
 * `actions` the slice's verifyOpened/verifyClosed.
 */
export default function ContactsPage({
  service,
  field,
  prefix,
  inputType,
  autoComplete,
  selectList,
  actions,
  extraNewBody,
}) {
  const intl = useIntl();
  const dispatch = useDispatch();
  const { items, loaded, verifying } = useSelector(selectList);
  const add = useRequest('POST', service, 'new');
  const verify = useRequest('POST', service, 'verify');
  const resend = useRequest('POST', service, 'resend-code');
  const primary = useRequest('POST', service, 'primary');
  const remove = useRequest('POST', service, 'remove');
  const [value, setValue] = useState('');
  const wasBusy = useRef(false);

  useEffect(() => {
    dispatch(apiRequest({ service, route: 'all' }));
  }, [dispatch, service]);

  // Empty the input once the new entry was accepted.
  useEffect(() => {
    if (wasBusy.current && !add.busy && !add.failed) setValue('');
    wasBusy.current = add.busy;
  }, [add.busy, add.failed]);

  const anyBusy = primary.busy || remove.busy;

  return (
    <section className="card">
      <PageHeading>
        <FormattedMessage id={`${prefix}.title`} />
      </PageHeading>
      {!loaded ? (
        <Loading />
      ) : (
        <ul className="contact-list" aria-busy={anyBusy ? 'true' : 'false'}>
          {items.length === 0 ? (
            <li className="empty">
              <FormattedMessage id={`${prefix}.none`} />
            </li>
          ) : null}
          {items.map((item) => {
            const id = item[field];
            return (
              <li key={id} className="contact">
                <div className="contact-main">
                  <span className="contact-value" dir="ltr">
                    {id}
                  </span>
                  <span className="badges">
                    {item.primary ? (
                      <span className="badge primary">
                        <FormattedMessage id="contacts.primary" />
                      </span>
                    ) : null}
                    <span className={`badge ${item.verified ? 'verified' : 'unverified'}`}>
                      <FormattedMessage id={item.verified ? 'contacts.verified' : 'contacts.unverified'} />
                    </span>
                  </span>
                </div>
                <div className="actions">
                  {!item.verified ? (
                    <button
                      type="button"
                      className="button"
                      aria-expanded={verifying === id}
                      onClick={() => dispatch(verifying === id ? actions.verifyClosed() : actions.verifyOpened(id))}
                    >
                      <FormattedMessage id="contacts.verify" values={{ value: id, hidden }} />
                    </button>
                  ) : null}
                  {item.verified && !item.primary ? (
                    <button
                      type="button"
                      className="button"
                      disabled={anyBusy}
                      onClick={() => primary.send({ [field]: id })}
                    >
                      <FormattedMessage id="contacts.make_primary" values={{ value: id, hidden }} />
                    </button>
                  ) : null}
                  {service === 'phones' || !item.primary ? (
                    <button
                      type="button"
                      className="button danger"
                      disabled={anyBusy}
                      onClick={() => remove.send({ [field]: id })}
                    >
                      <FormattedMessage id="contacts.remove" values={{ value: id, hidden }} />
                    </button>
                  ) : null}
                </div>
                {verifying === id ? (
                  <CodeForm
                    label={intl.formatMessage({ id: 'contacts.code_for' }, { value: id })}
                    busy={verify.busy}
                    errors={verify.errors}
                    onSubmit={(code) => verify.send({ [field]: id, code })}
                    onResend={() => resend.send({ [field]: id })}
                    resendBusy={resend.busy}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <h2>
        <FormattedMessage id={`${prefix}.add_title`} />
      </h2>
      <Form busy={add.busy} errors={add.errors} onSubmit={() => add.send({ [field]: value.trim(), ...(extraNewBody ? extraNewBody() : {}) })}>
        <Field
          label={intl.formatMessage({ id: `${prefix}.new_label` })}
          hint={intl.formatMessage({ id: `${prefix}.new_hint` })}
          type={inputType}
          name={field}
          autoComplete={autoComplete}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          errors={add.errors[field]}
          required
        />
        <SubmitButton busy={add.busy}>
          <FormattedMessage id="contacts.add" />
        </SubmitButton>
      </Form>
    </section>
  );
}
