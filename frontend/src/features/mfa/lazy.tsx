/**
 * The second-factor screens, loaded when first shown (one chunk, "mfa"): most visits
 * never see them, and the initial JS stays small. `Suspense` shows the spinner while
 * the chunk loads.
 */
import { lazy, Suspense, type ComponentProps } from 'react';
import Loading from '../../components/Loading';

const LazyMfaStep = lazy(() => import(/* webpackChunkName: "mfa" */ './MfaStep'));
/** The security page's parts: under one `Suspense` of the page (one spinner). */
export const TwoFactor = lazy(() => import(/* webpackChunkName: "mfa" */ '../security/TwoFactor'));
export const Credentials = lazy(() =>
  import(/* webpackChunkName: "mfa" */ '../security/TwoFactor').then((module) => ({ default: module.Credentials })),
);

export function MfaStep(props: ComponentProps<typeof LazyMfaStep>) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyMfaStep {...props} />
    </Suspense>
  );
}
