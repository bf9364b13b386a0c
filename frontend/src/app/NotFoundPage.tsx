import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { Card } from '../components/Card';

/** Any path the SPA does not have: says so, and offers the way home. */
export default function NotFoundPage() {
  return (
    <Card title="not_found.title" narrow>
      <p>
        <FormattedMessage id="not_found.text" />
      </p>
      <p>
        <Link className="button primary" to="/">
          <FormattedMessage id="not_found.home" />
        </Link>
      </p>
    </Card>
  );
}
