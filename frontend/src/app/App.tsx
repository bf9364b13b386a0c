import { useEffect } from 'react';
import { IntlProvider } from 'react-intl';
import { Navigate, Outlet, Route, Routes } from 'react-router';
import { api } from '../api/api';
import { RetryCard } from '../components/Card';
import Loading from '../components/Loading';
import { selectConfig } from '../features/config/configSlice';
import DashboardLayout from '../features/dashboard/DashboardLayout';
import { selectLanguage } from '../features/language/languageSlice';
import LoginPage from '../features/login/LoginPage';
import { ConsentPage, LogoutPage } from '../features/oidc/lazy';
import { selectLoggedIn } from '../features/session/sessionSlice';
import { useCatalogue } from '../translations/catalogues';
import { useAppSelector } from './hooks';
import Layout from './Layout';
import NotFoundPage from './NotFoundPage';
import TermsPage from './TermsPage';
import {
  ActivityPage,
  EmailsPage,
  OverviewPage,
  PersonalDataPage,
  PhonesPage,
  ResetPasswordPage,
  SecurityPage,
  SignupPage,
} from './pages';
import RequireAuth from './RequireAuth';

/**
 * Nothing can be sent before jsconfig gave us the CSRF token and the service URLs.
 * Then the session is read (again after a login), and the user while logged in.
 */
function ConfigGate() {
  const { loaded, failed } = useAppSelector(selectConfig);
  const loggedIn = useAppSelector(selectLoggedIn);
  const config = api.endpoints.config.useQuery();
  api.endpoints.session.useQuery(undefined, { skip: !loaded });
  api.endpoints.user.useQuery(undefined, { skip: !loggedIn });
  if (loaded) return <Outlet />;
  if (failed) return <RetryCard title="startup.config_failed" onRetry={() => config.refetch()} />;
  return <Loading />;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route element={<ConfigGate />}>
          <Route index element={<Navigate to="/dashboard" replace />} />
          <Route path="login" element={<LoginPage />} />
          <Route path="signup" element={<SignupPage />} />
          <Route path="reset-password" element={<ResetPasswordPage />} />
          {/* the OpenID provider's questions to the user (API.md *oidc*) */}
          <Route path="consent" element={<ConsentPage />} />
          <Route path="logout" element={<LogoutPage />} />
          <Route
            path="dashboard"
            element={
              <RequireAuth>
                <DashboardLayout />
              </RequireAuth>
            }
          >
            <Route index element={<OverviewPage />} />
            <Route path="personal-data" element={<PersonalDataPage />} />
            <Route path="emails" element={<EmailsPage />} />
            <Route path="phones" element={<PhonesPage />} />
            <Route path="security" element={<SecurityPage />} />
            <Route path="security/activity" element={<ActivityPage />} />
          </Route>
          <Route path="terms" element={<TermsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}

export default function App() {
  const language = useAppSelector(selectLanguage);
  // the language shown: the chosen one once its catalogue has arrived (index.tsx loads the first)
  const catalogue = useCatalogue(language);
  const shown = catalogue?.locale;
  useEffect(() => {
    if (shown) document.documentElement.lang = shown;
  }, [shown]);
  if (!catalogue) return null;
  return (
    <IntlProvider locale={catalogue.locale} messages={catalogue.messages} defaultLocale="en">
      <AppRoutes />
    </IntlProvider>
  );
}
