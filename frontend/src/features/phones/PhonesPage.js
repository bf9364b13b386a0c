import ContactsPage, { browserRegion } from '../contacts/ContactsPage';
import { selectPhones, verifyClosed, verifyOpened } from './phonesSlice';

const actions = { verifyOpened, verifyClosed };

// A number typed without + is read in the region of the browser's locale, if it has one.
const newBody = () => {
  const region = browserRegion();
  return region ? { default_region: region } : {};
};

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
      extraNewBody={newBody}
    />
  );
}
