import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import PageHeading from '../components/PageHeading';

export default function NotFoundPage() {
  return (
    <section className="card narrow">
      <PageHeading>
        <FormattedMessage id="not_found.title" />
      </PageHeading>
      <p>
        <Link to="/">
          <FormattedMessage id="not_found.home" />
        </Link>
      </p>
    </section>
  );
}
