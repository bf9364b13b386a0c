import { FormattedMessage } from 'react-intl';
import { knownScopes, SCOPE_SENTENCES } from './scopes';

/** What a client may learn, one sentence per scope. */
export default function ScopeList({ scopes }: { scopes: readonly string[] }) {
  return (
    <ul className="scopes">
      {knownScopes(scopes).map((scope) => (
        <li key={scope} data-scope={scope}>
          <FormattedMessage id={SCOPE_SENTENCES[scope]} />
        </li>
      ))}
    </ul>
  );
}
