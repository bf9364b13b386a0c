import createContactsSlice from '../contacts/createContactsSlice';

const emailsSlice = createContactsSlice({ name: 'emails', service: 'emails', key: 'email' });

export const { verifyOpened, verifyClosed } = emailsSlice.actions;
export default emailsSlice.reducer;
export const selectEmails = (state) => state.emails;
