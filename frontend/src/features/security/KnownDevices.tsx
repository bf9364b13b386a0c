import type { ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, useRequest } from '../../api/api';
import type { PayloadOfRoute, routes } from '../../api/routes';
import { Part } from '../../components/Card';
import ConfirmAction from '../../components/ConfirmAction';
import Loading from '../../components/Loading';
import BrowserEntry, { When } from '../console/BrowserEntry';

type Device = PayloadOfRoute<typeof routes.devices>['devices'][number];

const hidden = (chunks: ReactNode[]) => <span className="visually-hidden">{chunks}</span>;

/** Forget one known browser, after the user confirmed it. */
function Forget({ device, label }: { device: Device; label: string }) {
  const forget = useRequest(api.endpoints.devicesForget);
  return (
    <ConfirmAction
      request={forget}
      onConfirm={() => forget.send({ id: device.id })}
      buttonClassName="button small"
      question={<FormattedMessage id="devices.forget_confirm" values={{ browser: label }} />}
      questionId={`forget-device-${device.id}`}
      confirmLabel="devices.forget_yes"
    >
      <FormattedMessage id="devices.forget" values={{ browser: label, hidden }} />
    </ConfirmAction>
  );
}

/**
 * The browsers this account has signed in from (issue 14, new sign-in alerts): a sign-in
 * from any other one is mailed to the user. Each shows its browser ("Firefox on Linux"),
 * when it first and last signed in, this one marked; any can be forgotten (confirmed),
 * after which its next sign-in is mailed again. The list is read whenever it is shown;
 * after a forget, the answer's list (the newer) is shown.
 */
export default function KnownDevices() {
  const intl = useIntl();
  const listed = api.endpoints.devices.useQuery();
  const [, forgotten] = api.endpoints.devicesForget.useMutation({ fixedCacheKey: api.endpoints.devicesForget.name });
  const newest =
    forgotten.data && (forgotten.fulfilledTimeStamp ?? 0) > (listed.fulfilledTimeStamp ?? 0) ? forgotten.data : listed.data;
  const label = (device: Device) => device.label || intl.formatMessage({ id: 'sessions.unknown_browser' });
  return (
    <Part title="devices.title" intro="devices.intro">
      {!newest ? (
        <Loading />
      ) : newest.devices.length === 0 ? (
        <p className="empty">
          <FormattedMessage id="devices.none" />
        </p>
      ) : (
        <ul className="sessions known-devices" aria-label={intl.formatMessage({ id: 'devices.title' })}>
          {newest.devices.map((device) => (
            <BrowserEntry
              key={device.id}
              label={label(device)}
              current={device.current}
              details={
                <FormattedMessage
                  id="devices.details"
                  values={{ first: <When value={device.first_seen} />, last: <When value={device.last_seen} /> }}
                />
              }
            >
              <Forget device={device} label={label(device)} />
            </BrowserEntry>
          ))}
        </ul>
      )}
    </Part>
  );
}
