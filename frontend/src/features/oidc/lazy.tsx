/**
 * The OpenID provider's pages and the security page's "Connected apps", loaded when first
 * shown, in one chunk ("oidc"): most visits never see them.
 */
import { lazy } from 'react';
import lazyPage from '../../components/lazyPage';

export const ConsentPage = lazyPage(() => import(/* webpackChunkName: "oidc" */ './ConsentPage'));
export const LogoutPage = lazyPage(() => import(/* webpackChunkName: "oidc" */ './LogoutPage'));
/** Under the security page's one `Suspense`. */
export const ConnectedApps = lazy(() => import(/* webpackChunkName: "oidc" */ './ConnectedApps'));
