import { useIntl } from 'react-intl';
import { api, useRequest } from '../../api/api';
import { useAppSelector } from '../../app/hooks';
import { Card } from '../../components/Card';
import Form, { type FieldSpec } from '../../components/Form';
import Loading from '../../components/Loading';
import { selectAvailableLanguages } from '../language/languageSlice';
import { selectUser, userUpdateBody, type User } from './personalDataSlice';

type PersonalValues = { given_name: string; surname: string; display_name: string; language: string };

const fromUser = (user: Partial<User>): PersonalValues => ({
  given_name: user.given_name || '',
  surname: user.surname || '',
  display_name: user.display_name || '',
  language: user.language || 'en',
});

function PersonalDataForm({ user }: { user: Partial<User> }) {
  const intl = useIntl();
  const save = useRequest(api.endpoints.saveUser);
  const languages = useAppSelector(selectAvailableLanguages);
  const initial = fromUser(user);
  const fields: FieldSpec<PersonalValues>[] = [
    { name: 'given_name', label: 'field.given_name', autoComplete: 'given-name' },
    { name: 'surname', label: 'field.surname', autoComplete: 'family-name' },
    { name: 'display_name', label: 'field.display_name', autoComplete: 'nickname', optional: true },
    {
      name: 'language',
      label: 'field.language',
      options: languages.map((code) => ({ value: code, label: intl.formatMessage({ id: `language.${code}` }) })),
    },
  ];
  return (
    <Form
      // A saved answer (or a language switch) changes the user: show what was stored.
      key={JSON.stringify(initial)}
      fields={fields}
      initial={initial}
      request={save}
      onSubmit={(values) => save.send(userUpdateBody(values))}
      submitLabel="common.save"
    />
  );
}

export default function PersonalDataPage() {
  const user = useAppSelector(selectUser);
  return <Card title="personal_data.title">{user ? <PersonalDataForm user={user} /> : <Loading />}</Card>;
}
