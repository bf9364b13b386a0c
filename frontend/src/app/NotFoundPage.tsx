import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { Card } from '../components/Card';

export default function NotFoundPage() {
  return (
    <Card title="not_found.title" narrow>
      <p>
        <Link to="/">
          <FormattedMessage id="not_found.home" />
        </Link>
      </p>
    </Card>
  );
}
