import ContactsPage from '../contacts/ContactsPage';
import { selectPhones, verifyClosed, verifyOpened } from './phonesSlice';

const actions = { verifyOpened, verifyClosed };

export default function PhonesPage() {
  return (
    <ContactsPage
      service="phones"
      field="number"
      prefix="phones"
      inputType="tel"
      autoComplete="tel"
      selectList={selectPhones}
      actions={actions}
    />
  );
}
