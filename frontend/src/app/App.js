import { useEffect } from 'react';
import { FormattedMessage, IntlProvider } from 'react-intl';
import { useDispatch, useSelector } from 'react-redux';
import { Navigate, Outlet, Route, Routes } from 'react-router';
import Loading from '../components/Loading';
import { selectConfig } from '../features/config/configSlice';
import { loadConfig } from '../features/config/configSaga';
import DashboardLayout from '../features/dashboard/DashboardLayout';
import EmailsPage from '../features/emails/EmailsPage';
import { selectLanguage } from '../features/language/languageSlice';
import LoginPage from '../features/login/LoginPage';
import PersonalDataPage from '../features/personalData/PersonalDataPage';
import PhonesPage from '../features/phones/PhonesPage';
import ResetPasswordPage from '../features/resetPassword/ResetPasswordPage';
import SecurityPage from '../features/security/SecurityPage';
import SignupPage from '../features/signup/SignupPage';
import en from '../translations/en.json';
import sv from '../translations/sv.json';
import Layout from './Layout';
import NotFoundPage from './NotFoundPage';
import RequireAuth from './RequireAuth';

export const CATALOGUES = { en, sv };

/** Nothing can be sent before jsconfig gave us the CSRF token and the service URLs. */
function ConfigGate() {
  const dispatch = useDispatch();
  const { loaded, failed } = useSelector(selectConfig);
  if (loaded) return <Outlet />;
  if (failed) {
    return (
      <section className="card narrow">
        <h1 tabIndex={-1}>
          <FormattedMessage id="startup.config_failed" />
        </h1>
        <button type="button" className="button primary" onClick={() => dispatch(loadConfig())}>
          <FormattedMessage id="common.retry" />
        </button>
      </section>
    );
  }
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
          <Route
            path="dashboard"
            element={
              <RequireAuth>
                <DashboardLayout />
              </RequireAuth>
            }
          >
            <Route index element={<PersonalDataPage />} />
            <Route path="emails" element={<EmailsPage />} />
            <Route path="phones" element={<PhonesPage />} />
            <Route path="security" element={<SecurityPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}

export default function App() {
  const language = useSelector(selectLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <IntlProvider locale={language} messages={CATALOGUES[language] || en} defaultLocale="en">
      <AppRoutes />
    </IntlProvider>
  );
}
