import { createSlice, isAnyOf, type PayloadAction, type UnknownAction } from '@reduxjs/toolkit';
import { routes } from '../../api/routes';
import type { PayloadOfRoute } from '../../api/routes';
import { isLoggedOutAction } from '../session/sessionSlice';

type EmailEntry = PayloadOfRoute<typeof routes.emailsAll>['emails'][number];
type PhoneEntry = PayloadOfRoute<typeof routes.phonesAll>['phones'][number];

/** The two kinds of contact: the list's name in payloads, its entries and their key. */
export interface ContactKinds {
  emails: { entry: EmailEntry; key: 'email' };
  phones: { entry: PhoneEntry; key: 'number' };
}
export type ContactKind = keyof ContactKinds;
export type ContactEntry = EmailEntry | PhoneEntry;

export interface ContactsState<E> {
  items: E[];
  loaded: boolean;
  /** The entry whose code form is open; it opens by itself for a new entry. */
  verifying: string | null;
  /** The entries before an addition whose answer did not name the new one. */
  before: string[] | null;
}

const ROUTES = {
  emails: { all: routes.emailsAll, added: routes.emailsNew, verified: routes.emailsVerify, changed: [routes.emailsNew, routes.emailsVerify, routes.emailsPrimary, routes.emailsRemove, routes.emailsResendCode] },
  phones: { all: routes.phonesAll, added: routes.phonesNew, verified: routes.phonesVerify, changed: [routes.phonesNew, routes.phonesVerify, routes.phonesPrimary, routes.phonesRemove, routes.phonesResendCode] },
} as const;

/**
 * Email addresses and phone numbers behave alike: a list of {<key>, verified, primary}
 * owned by one service. `kind` is 'emails' or 'phones', `key` 'email' or 'number'.
 */
export default function createContactsSlice<K extends ContactKind>(kind: K, key: ContactKinds[K]['key']) {
  type Entry = ContactKinds[K]['entry'];
  const { all, added, verified, changed } = ROUTES[kind];
  const idOf = (entry: Entry) => (entry as Record<string, unknown>)[key] as string;
  const listIn = (payload: unknown): Entry[] | null => {
    const list = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[kind] : undefined;
    return Array.isArray(list) && list.every((item) => item && typeof item[key] === 'string') ? (list as Entry[]) : null;
  };
  // Any answer of the service (or the user record) that carries the whole list.
  const answers = isAnyOf(all.success, routes.user.success, ...changed.map((route) => route.success));
  const carriesList = (action: UnknownAction): action is PayloadAction<unknown> => answers(action) && listIn(action.payload) !== null;

  const initialState: ContactsState<Entry> = { items: [], loaded: false, verifying: null, before: null };

  return createSlice({
    name: kind,
    initialState,
    reducers: {
      verifyOpened(state, action: PayloadAction<string>) {
        state.verifying = action.payload;
      },
      verifyClosed(state) {
        state.verifying = null;
      },
    },
    extraReducers: (builder) => {
      builder
        .addMatcher(added.success.match, (state, { payload }: { payload: unknown }) => {
          // The service may normalise what was typed (phones become E.164), so the new
          // entry is the one that was not in the list before.
          const named = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[key] : undefined;
          if (typeof named === 'string') state.verifying = named;
          else state.before = (state.items as Entry[]).map(idOf);
        })
        .addMatcher(verified.success.match, (state) => {
          state.verifying = null;
        })
        .addMatcher(carriesList, (state, action) => {
          const items = listIn(action.payload) ?? [];
          (state as ContactsState<Entry>).items = items;
          state.loaded = true;
          if (state.before) {
            const before = state.before;
            const fresh = items.find((item) => !before.includes(idOf(item)));
            if (fresh) state.verifying = idOf(fresh);
            state.before = null;
          }
        })
        .addMatcher(isLoggedOutAction, () => initialState);
    },
  });
}
