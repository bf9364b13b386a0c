import { useEffect, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useSelector } from 'react-redux';
import Field from '../../components/Field';
import Form from '../../components/Form';
import Loading from '../../components/Loading';
import PageHeading from '../../components/PageHeading';
import SubmitButton from '../../components/SubmitButton';
import useRequest from '../../components/useRequest';
import { selectAvailableLanguages } from '../language/languageSlice';
import { selectUser, userUpdateBody } from './personalDataSlice';

const fromUser = (user) => ({
  given_name: user.given_name || '',
  surname: user.surname || '',
  display_name: user.display_name || '',
  language: user.language || 'en',
});

function PersonalDataForm({ user }) {
  const intl = useIntl();
  const { send, busy, errors } = useRequest('POST', 'personal-data', 'user');
  const languages = useSelector(selectAvailableLanguages);
  const [form, setForm] = useState(() => fromUser(user));
  // A saved answer (or a language switch) changes the user: show what was stored.
  useEffect(() => setForm(fromUser(user)), [user]);
  const change = (e) => setForm((f) => ({ ...f, [e.target.name]: e.target.value }));
  const text = (name, autoComplete, required = true) => (
    <Field
      label={intl.formatMessage({ id: `field.${name}` })}
      name={name}
      autoComplete={autoComplete}
      value={form[name]}
      onChange={change}
      errors={errors[name]}
      required={required}
    />
  );
  const languageId = 'personal-data-language';
  return (
    <Form busy={busy} errors={errors} onSubmit={() => send(userUpdateBody(form))}>
      {text('given_name', 'given-name')}
      {text('surname', 'family-name')}
      {text('display_name', 'nickname', false)}
      <div className={`field${errors.language ? ' field-invalid' : ''}`}>
        <label htmlFor={languageId}>
          <FormattedMessage id="field.language" />
        </label>
        <select id={languageId} name="language" value={form.language} onChange={change}>
          {languages.map((code) => (
            <option key={code} value={code}>
              {intl.formatMessage({ id: `language.${code}` })}
            </option>
          ))}
        </select>
      </div>
      <SubmitButton busy={busy}>
        <FormattedMessage id="common.save" />
      </SubmitButton>
    </Form>
  );
}

export default function PersonalDataPage() {
  const user = useSelector(selectUser);
  return (
    <section className="card">
      <PageHeading>
        <FormattedMessage id="personal_data.title" />
      </PageHeading>
      {user ? <PersonalDataForm user={user} /> : <Loading />}
    </section>
  );
}
