import createContactsSlice from '../contacts/createContactsSlice';

const phonesSlice = createContactsSlice({ name: 'phones', service: 'phones', key: 'number' });

export const { verifyOpened, verifyClosed } = phonesSlice.actions;
export default phonesSlice.reducer;
export const selectPhones = (state) => state.phones;
