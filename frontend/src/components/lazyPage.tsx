import { lazy, Suspense, type ComponentType } from 'react';
import Loading from './Loading';

type Loader = () => Promise<{ default: ComponentType }>;
const loaders: Loader[] = [];

/**
 * A route's page loaded when first shown (React.lazy), under its own `Suspense`: the
 * layout and navigation around it stay while its chunk loads, with one spinner.
 * `load` is a dynamic `import()` of a module whose default export is the page; name its
 * chunk with a webpackChunkName comment at the call site.
 */
export default function lazyPage(load: Loader): ComponentType {
  loaders.push(load);
  const Page = lazy(load);
  return function LazyPage() {
    return (
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    );
  };
}

/**
 * Loads every lazy page now (resolves when all are loaded). The jest setup calls it, so
 * a test's `findBy…` does not wait for a page's modules to be compiled on a busy machine.
 */
export function preloadPages(): Promise<unknown> {
  return Promise.all(loaders.map((load) => load()));
}
