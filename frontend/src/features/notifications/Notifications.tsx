import { useEffect, useRef } from 'react';
import { useIntl } from 'react-intl';
import { NavigationType, useLocation, useNavigationType } from 'react-router';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { AlertIcon, CheckCircleIcon, CloseIcon } from '../../components/icons';
import { useApiMessage } from '../../components/Message';
import { cleared, dismissed, selectNotifications, type Notification } from './notificationsSlice';

/**
 * What a page said belongs to that page: going to another one by a link or Back/Forward
 * clears it (a signup error is not shown on /login). A redirect (replace) keeps it — it
 * is how a login, a logout or a new account arrive with their "You are logged out." or
 * "Welcome".
 */
function useClearedOnNavigation() {
  const dispatch = useAppDispatch();
  const { pathname } = useLocation();
  const navigation = useNavigationType();
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current !== pathname && navigation !== NavigationType.Replace) dispatch(cleared());
    previous.current = pathname;
  }, [pathname, navigation, dispatch]);
}

/** Errors are alerts; successes are polite status messages. Both live regions always exist.
 * An error can take focus (a form whose request failed moves focus to it). */
export default function Notifications() {
  const intl = useIntl();
  const dispatch = useAppDispatch();
  const items = useAppSelector(selectNotifications);
  const translate = useApiMessage();
  useClearedOnNavigation();
  const render = (level: Notification['level']) =>
    items
      .filter((item) => item.level === level)
      .map((item) => (
        <div key={item.id} className={`notice ${level}`} tabIndex={-1}>
          {level === 'error' ? <AlertIcon /> : <CheckCircleIcon />}
          <p>{translate(item.message, level === 'error' ? 'notifications.generic_error' : 'notifications.generic_success')}</p>
          <button
            type="button"
            className="dismiss"
            aria-label={intl.formatMessage({ id: 'notifications.dismiss' })}
            onClick={() => dispatch(dismissed(item.id))}
          >
            <CloseIcon />
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
