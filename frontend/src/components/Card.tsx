import type { ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import PageHeading from './PageHeading';

/** A page: a card with its h1 (a message id). `narrow` for the pages of one form. */
export function Card({ title, narrow, children }: { title: string; narrow?: boolean; children: ReactNode }) {
  return (
    <section className={narrow ? 'card narrow' : 'card'}>
      <PageHeading>
        <FormattedMessage id={title} />
      </PageHeading>
      {children}
    </section>
  );
}

/** A part of a page under its h2 (a message id), with an optional introduction. */
export function Part({ title, intro, children }: { title: string; intro?: string; children: ReactNode }) {
  return (
    <>
      <h2>
        <FormattedMessage id={title} />
      </h2>
      {intro ? (
        <p>
          <FormattedMessage id={intro} />
        </p>
      ) : null}
      {children}
    </>
  );
}

/** What could not be loaded (a message id), with a button that tries again. */
export function RetryCard({ title, onRetry }: { title: string; onRetry: () => void }) {
  return (
    <section className="card narrow">
      <h1 tabIndex={-1}>
        <FormattedMessage id={title} />
      </h1>
      <button type="button" className="button primary" onClick={onRetry}>
        <FormattedMessage id="common.retry" />
      </button>
    </section>
  );
}
