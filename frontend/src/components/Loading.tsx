import { FormattedMessage } from 'react-intl';

export default function Loading() {
  return (
    <p className="loading" role="status" aria-busy="true">
      <span className="spinner" aria-hidden="true" />
      <FormattedMessage id="common.loading" />
    </p>
  );
}
