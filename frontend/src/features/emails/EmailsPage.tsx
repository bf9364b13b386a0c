import type { FieldSpec } from '../../components/Form';
import { api } from '../../api/api';
import ContactsPage from '../contacts/ContactsPage';
import { selectEmails, verifyClosed, verifyOpened } from './emailsSlice';

type AddValues = { email: string };

const ADD_FIELDS: FieldSpec<AddValues>[] = [
  { name: 'email', label: 'emails.new_label', hint: 'emails.new_hint', type: 'email', autoComplete: 'email' },
];

export default function EmailsPage() {
  api.endpoints.emailsAll.useQuery();
  return (
    <ContactsPage
      kind="emails"
      field="email"
      addFields={ADD_FIELDS}
      addInitial={{ email: '' }}
      addBody={({ email }) => ({ email: email.trim() })}
      selectList={selectEmails}
      actions={{ verifyOpened, verifyClosed }}
    />
  );
}
