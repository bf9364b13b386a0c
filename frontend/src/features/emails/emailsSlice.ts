import createContactsSlice, { type ContactsState, type ContactKinds } from '../contacts/createContactsSlice';

const emailsSlice = createContactsSlice('emails', 'email');

export const { verifyOpened, verifyClosed } = emailsSlice.actions;
export default emailsSlice.reducer;
export const selectEmails = (state: { emails: ContactsState<ContactKinds['emails']['entry']> }) => state.emails;
