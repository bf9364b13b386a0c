/**
 * The pages that are not on the first screen, each loaded when first shown (issue 14/15:
 * the initial JS stays small). The login page, the layouts and the 404 page are in the
 * initial bundle: a visitor's first screen never waits for a second request.
 * Chunks: "signup", "reset-password", and "dashboard" for the signed-in pages, which a
 * user moves between (one request for all of them).
 */
import lazyPage from '../components/lazyPage';

export const SignupPage = lazyPage(() => import(/* webpackChunkName: "signup" */ '../features/signup/SignupPage'));
export const ResetPasswordPage = lazyPage(
  () => import(/* webpackChunkName: "reset-password" */ '../features/resetPassword/ResetPasswordPage'),
);
export const PersonalDataPage = lazyPage(
  () => import(/* webpackChunkName: "dashboard" */ '../features/personalData/PersonalDataPage'),
);
export const EmailsPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ '../features/emails/EmailsPage'));
export const PhonesPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ '../features/phones/PhonesPage'));
export const SecurityPage = lazyPage(
  () => import(/* webpackChunkName: "dashboard" */ '../features/security/SecurityPage'),
);
export const OverviewPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ '../features/console/OverviewPage'));
export const ActivityPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ '../features/console/ActivityPage'));
