import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { Card } from '../components/Card';

const SECTIONS = ['service', 'account', 'data', 'security', 'end'] as const;

/** The terms of use that signup asks the user to accept, in short plain words. */
export default function TermsPage() {
  return (
    <Card title="terms.title" narrow>
      <p>
        <FormattedMessage id="terms.intro" />
      </p>
      {SECTIONS.map((section) => (
        <section key={section} aria-labelledby={`terms-${section}`}>
          <h2 id={`terms-${section}`}>
            <FormattedMessage id={`terms.${section}_title`} />
          </h2>
          <p>
            <FormattedMessage id={`terms.${section}_text`} />
          </p>
        </section>
      ))}
      <p className="links">
        <Link to="/">
          <FormattedMessage id="not_found.home" />
        </Link>
      </p>
    </Card>
  );
}
