/**
 * The account console's pages, loaded when first shown with the other signed-in pages
 * (the "dashboard" chunk, see app/pages.tsx): the login page's initial JS stays as it was.
 * The security page's console parts (features/console/SecurityParts) come with that page.
 */
import lazyPage from '../../components/lazyPage';

export const OverviewPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ './OverviewPage'));
export const ActivityPage = lazyPage(() => import(/* webpackChunkName: "dashboard" */ './ActivityPage'));
