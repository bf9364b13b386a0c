import { useMemo } from 'react';
import { useIntl } from 'react-intl';
import { useAppSelector } from '../../app/hooks';
import type { FieldSpec } from '../../components/Form';
import { selectConfig } from '../config/configSlice';
import { api } from '../../api/api';
import ContactsPage from '../contacts/ContactsPage';
import { selectPhones, verifyClosed, verifyOpened } from './phonesSlice';
import { browserRegion, regionName, regionOptions } from './regions';

type AddValues = { number: string; default_region: string };

/**
 * A number typed without `+` is read in the region the form shows: the deployment's
 * (jsconfig `phone_default_region`, from etcd), which the user sees and may change.
 * The browser's locale is only offered as a hint beside it, never used by itself
 * (issue 10: "070-123 45 67" was refused in an en-US browser).
 */
export default function PhonesPage() {
  const intl = useIntl();
  api.endpoints.phonesAll.useQuery();
  const { phoneDefaultRegion } = useAppSelector(selectConfig);
  const options = useMemo(() => {
    const regions = regionOptions(intl.locale);
    // Without a configured region the service decides; the user may still choose one.
    return phoneDefaultRegion ? regions : [{ value: '', label: intl.formatMessage({ id: 'phones.region_service' }) }, ...regions];
  }, [intl, phoneDefaultRegion]);
  const suggested = browserRegion();
  const hint =
    suggested && suggested !== phoneDefaultRegion
      ? { id: 'phones.region_browser_hint', values: { region: regionName(suggested, intl.locale) } }
      : 'phones.region_hint';
  const fields: FieldSpec<AddValues>[] = [
    { name: 'number', label: 'phones.new_label', hint: 'phones.new_hint', type: 'tel', autoComplete: 'tel' },
    { name: 'default_region', label: 'phones.region_label', hint, options, optional: !phoneDefaultRegion },
  ];
  return (
    <ContactsPage
      kind="phones"
      field="number"
      addFields={fields}
      addInitial={{ number: '', default_region: phoneDefaultRegion ?? '' }}
      addBody={({ number, default_region }) => ({ number: number.trim(), ...(default_region ? { default_region } : {}) })}
      selectList={selectPhones}
      actions={{ verifyOpened, verifyClosed }}
    />
  );
}
