import createContactsSlice, { type ContactsState, type ContactKinds } from '../contacts/createContactsSlice';

const phonesSlice = createContactsSlice('phones', 'number');

export const { verifyOpened, verifyClosed } = phonesSlice.actions;
export default phonesSlice.reducer;
export const selectPhones = (state: { phones: ContactsState<ContactKinds['phones']['entry']> }) => state.phones;
