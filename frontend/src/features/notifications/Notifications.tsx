import { useIntl } from 'react-intl';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { useApiMessage } from '../../components/Message';
import { dismissed, selectNotifications, type Notification } from './notificationsSlice';

/** Errors are alerts; successes are polite status messages. Both live regions always exist. */
export default function Notifications() {
  const intl = useIntl();
  const dispatch = useAppDispatch();
  const items = useAppSelector(selectNotifications);
  const translate = useApiMessage();
  const render = (level: Notification['level']) =>
    items
      .filter((item) => item.level === level)
      .map((item) => (
        <div key={item.id} className={`notice ${level}`}>
          <p>{translate(item.message, level === 'error' ? 'notifications.generic_error' : 'notifications.generic_success')}</p>
          <button
            type="button"
            className="dismiss"
            aria-label={intl.formatMessage({ id: 'notifications.dismiss' })}
            onClick={() => dispatch(dismissed(item.id))}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ));
  return (
    <div className="notifications">
      <div role="alert" aria-atomic="false">
        {render('error')}
      </div>
      <div role="status" aria-atomic="false">
        {render('success')}
      </div>
    </div>
  );
}
