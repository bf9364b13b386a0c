import { useEffect, useRef, type ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import CodeForm from '../../components/CodeForm';
import ConfirmAction from '../../components/ConfirmAction';
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

/** The primary entry first, the others in the service's order. */
export function primaryFirst<E extends { primary: boolean }>(items: E[]): E[] {
  return [...items.filter((item) => item.primary), ...items.filter((item) => !item.primary)];
}

/**
 * Once an entry was removed its confirmation (which had focus) is gone: focus moves to
 * the page's heading, above the list, so a keyboard user is not thrown to the top.
 */
function useFocusAfterRemoval(busy: boolean, succeeded: boolean, heading: () => HTMLElement | null) {
  const wasBusy = useRef(false);
  useEffect(() => {
    if (wasBusy.current && !busy && succeeded) heading()?.focus();
    wasBusy.current = busy;
  }, [busy, succeeded, heading]);
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
  const listRef = useRef<HTMLDivElement>(null);
  useFocusAfterRemoval(remove.busy, remove.succeeded, () => listRef.current?.closest('section')?.querySelector('h1') ?? null);

  return (
    <Card title={`${kind}.title`}>
      <div ref={listRef}>
      {!loaded ? (
        <Loading />
      ) : (
        <ul className="contact-list" aria-busy={anyBusy ? 'true' : 'false'}>
          {items.length === 0 ? (
            <li className="empty">
              <FormattedMessage id={`${kind}.none`} />
            </li>
          ) : null}
          {primaryFirst(items).map((item, index) => {
            const id = idOf(item);
            // a phone number grouped as people write it (the service formats it); the value stays the key
            const display = (item as { display?: unknown }).display;
            const shown = typeof display === 'string' && display ? display : id;
            return (
              <li key={id} className="contact">
                <div className="contact-main">
                  <span className="contact-value" dir="ltr">
                    {shown}
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
                  {!item.verified && verifying !== id ? (
                    <EntryButton message="contacts.verify" value={shown} onClick={() => dispatch(actions.verifyOpened(id))} />
                  ) : null}
                  {item.verified && !item.primary ? (
                    <EntryButton message="contacts.make_primary" value={shown} disabled={anyBusy} onClick={() => primary.send({ [field]: id })} />
                  ) : null}
                  {kind === 'phones' || !item.primary ? (
                    <ConfirmAction
                      request={remove}
                      onConfirm={() => remove.send({ [field]: id })}
                      buttonClassName="button danger"
                      question={<FormattedMessage id="contacts.remove_confirm" values={{ value: shown }} />}
                      questionId={`remove-${kind}-${index}`}
                      confirmLabel="contacts.remove_yes"
                    >
                      <FormattedMessage id="contacts.remove" values={{ value: shown, hidden }} />
                    </ConfirmAction>
                  ) : null}
                </div>
                {verifying === id ? (
                  <CodeForm
                    label={{ id: 'contacts.code_for', values: { value: shown } }}
                    request={verify}
                    onSubmit={(code) => verify.send({ [field]: id, code })}
                    resend={{ send: () => resend.send({ [field]: id }), busy: resend.busy }}
                    actions={
                      <button type="button" className="button" onClick={() => dispatch(actions.verifyClosed())}>
                        <FormattedMessage id="common.cancel" />
                      </button>
                    }
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      </div>
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
