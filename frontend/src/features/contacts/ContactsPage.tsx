import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import CodeForm from '../../components/CodeForm';
import Form, { type FieldSpec, type Values } from '../../components/Form';
import Loading from '../../components/Loading';
import useSuccessCount from '../../components/useSuccessCount';
import type { RootState } from '../../app/store';
import type { ContactEntry, ContactKind, ContactsState } from './createContactsSlice';

// Names the entry for screen readers without crowding a phone screen.
const hidden = (chunks: ReactNode[]) => <span className="visually-hidden">{chunks}</span>;

/**
 * The endpoints of a kind of contact. Their bodies differ only in the key's name
 * (`email` or `number`), so the page builds them from the key and erases the
 * difference here, in one place; the services validate every body.
 */
type ContactBody = Record<string, string>;
type ContactEndpoint = Parameters<typeof useRequest<ContactBody, unknown>>[0];
const ENDPOINTS: Record<ContactKind, Record<'add' | 'verify' | 'resend' | 'primary' | 'remove', unknown>> = {
  emails: {
    add: api.endpoints.emailsNew,
    verify: api.endpoints.emailsVerify,
    resend: api.endpoints.emailsResendCode,
    primary: api.endpoints.emailsPrimary,
    remove: api.endpoints.emailsRemove,
  },
  phones: {
    add: api.endpoints.phonesNew,
    verify: api.endpoints.phonesVerify,
    resend: api.endpoints.phonesResendCode,
    primary: api.endpoints.phonesPrimary,
    remove: api.endpoints.phonesRemove,
  },
};
const endpoint = (kind: ContactKind, name: keyof (typeof ENDPOINTS)['emails']) =>
  ENDPOINTS[kind][name] as ContactEndpoint;

/**
 * What differs between the two pages. Each page reads its list itself (its GET `all`
 * query, subscribed while the page is shown; a change that does not answer with the
 * list makes it stale, and it is read again).
 */
export interface ContactsPageProps<V extends Values> {
  kind: ContactKind;
  /** The body field and the entries' key: 'email' or 'number'. */
  field: 'email' | 'number';
  /** The add form's fields (the first is the new entry) and their initial values. */
  addFields: FieldSpec<V>[];
  addInitial: V;
  /** The body of POST new from the add form's values. */
  addBody: (values: V) => ContactBody;
  selectList: (state: RootState) => ContactsState<ContactEntry>;
  actions: { verifyOpened: (id: string) => { type: string; payload: string }; verifyClosed: () => { type: string } };
}

interface EntryButtonProps {
  message: string;
  value: string;
  onClick: () => void;
  className?: string;
  disabled?: boolean;
  expanded?: boolean;
}

function EntryButton({ message, value, onClick, className = 'button', disabled, expanded }: EntryButtonProps) {
  return (
    <button type="button" className={className} disabled={disabled} aria-expanded={expanded} onClick={onClick}>
      <FormattedMessage id={message} values={{ value, hidden }} />
    </button>
  );
}

/** The page for email addresses or phone numbers (`kind`). */
export default function ContactsPage<V extends Values>({ kind, field, addFields, addInitial, addBody, selectList, actions }: ContactsPageProps<V>) {
  const dispatch = useAppDispatch();
  const { items, loaded, verifying } = useAppSelector(selectList);
  const add = useRequest(endpoint(kind, 'add'));
  const verify = useRequest(endpoint(kind, 'verify'));
  const resend = useRequest(endpoint(kind, 'resend'));
  const primary = useRequest(endpoint(kind, 'primary'));
  const remove = useRequest(endpoint(kind, 'remove'));
  // The add form is renewed (emptied) once the new entry was accepted.
  const added = useSuccessCount(add.busy, add.succeeded);
  const anyBusy = primary.busy || remove.busy;
  const idOf = (item: ContactEntry) => (item as unknown as Record<string, string>)[field];

  return (
    <Card title={`${kind}.title`}>
      {!loaded ? (
        <Loading />
      ) : (
        <ul className="contact-list" aria-busy={anyBusy ? 'true' : 'false'}>
          {items.length === 0 ? (
            <li className="empty">
              <FormattedMessage id={`${kind}.none`} />
            </li>
          ) : null}
          {items.map((item) => {
            const id = idOf(item);
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
                    <EntryButton
                      message="contacts.verify"
                      value={id}
                      expanded={verifying === id}
                      onClick={() => dispatch(verifying === id ? actions.verifyClosed() : actions.verifyOpened(id))}
                    />
                  ) : null}
                  {item.verified && !item.primary ? (
                    <EntryButton message="contacts.make_primary" value={id} disabled={anyBusy} onClick={() => primary.send({ [field]: id })} />
                  ) : null}
                  {kind === 'phones' || !item.primary ? (
                    <EntryButton message="contacts.remove" value={id} className="button danger" disabled={anyBusy} onClick={() => remove.send({ [field]: id })} />
                  ) : null}
                </div>
                {verifying === id ? (
                  <CodeForm
                    label={{ id: 'contacts.code_for', values: { value: id } }}
                    request={verify}
                    onSubmit={(code) => verify.send({ [field]: id, code })}
                    resend={{ send: () => resend.send({ [field]: id }), busy: resend.busy }}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <h2>
        <FormattedMessage id={`${kind}.add_title`} />
      </h2>
      <Form
        key={added}
        fields={addFields}
        initial={addInitial}
        request={add}
        onSubmit={(values) => add.send(addBody(values))}
        submitLabel="contacts.add"
      />
    </Card>
  );
}
