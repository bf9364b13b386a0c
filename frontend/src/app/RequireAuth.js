import { FormattedMessage } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { Navigate, useLocation } from 'react-router';
import Loading from '../components/Loading';
import { loadSession } from '../features/config/configSaga';
import { selectSession } from '../features/session/sessionSlice';

/** Protected routes wait for GET /api/authn/session and send the logged-out to login. */
export default function RequireAuth({ children }) {
  const dispatch = useDispatch();
  const location = useLocation();
  const { status } = useSelector(selectSession);
  if (status === 'loggedIn') return children;
  if (status === 'loggedOut') {
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  if (status === 'error') {
    return (
      <section className="card narrow">
        <h1 tabIndex={-1}>
          <FormattedMessage id="startup.session_failed" />
        </h1>
        <button type="button" className="button primary" onClick={() => dispatch(loadSession())}>
          <FormattedMessage id="common.retry" />
        </button>
      </section>
    );
  }
  return <Loading />;
}
