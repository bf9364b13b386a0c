import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { api } from '../api/api';
import { RetryCard } from '../components/Card';
import Loading from '../components/Loading';
import { selectSession } from '../features/session/sessionSlice';
import { useAppDispatch, useAppSelector } from './hooks';

/** Protected routes wait for GET /api/authn/session and send the logged-out to login. */
export default function RequireAuth({ children }: { children: ReactNode }) {
  const dispatch = useAppDispatch();
  const location = useLocation();
  const { status } = useAppSelector(selectSession);
  if (status === 'loggedIn') return children;
  if (status === 'loggedOut') return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (status === 'error') {
    return <RetryCard title="startup.session_failed" onRetry={() => dispatch(api.util.invalidateTags(['session']))} />;
  }
  return <Loading />;
}
