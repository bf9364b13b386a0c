import ContactsPage from '../contacts/ContactsPage';
import { selectEmails, verifyClosed, verifyOpened } from './emailsSlice';

const actions = { verifyOpened, verifyClosed };

export default function EmailsPage() {
  return (
    <ContactsPage
      service="emails"
      field="email"
      prefix="emails"
      inputType="email"
      autoComplete="email"
      selectList={selectEmails}
      actions={actions}
    />
  );
}
