/**
 * The account console's parts of the security page: where the user is signed in, a way
 * into the activity timeline, and the data export.
 */
import { FormattedMessage } from 'react-intl';
import { Link } from 'react-router';
import { useRequest } from '../../api/api';
import { consoleApi, exportFileName } from './consoleApi';
import Sessions from './Sessions';

export function SessionsPart() {
  return (
    <>
      <h2 id="sessions-title">
        <FormattedMessage id="sessions.title" />
      </h2>
      <p>
        <FormattedMessage id="sessions.intro" />
      </p>
      <Sessions />
    </>
  );
}

export function ActivityPart() {
  return (
    <>
      <h2>
        <FormattedMessage id="activity.title" />
      </h2>
      <p>
        <FormattedMessage id="activity.part_intro" />
      </p>
      <p className="links">
        <Link to="/dashboard/security/activity">
          <FormattedMessage id="activity.see_all" />
        </Link>
      </p>
    </>
  );
}

/**
 * "Download my data" (GDPR Art. 15/20): the export is a *recent* route, so an old login
 * is asked for the password (and second factor) first; the file is saved by the
 * endpoint once the document has arrived (`consoleApi.exportData`).
 */
export function DataExportPart() {
  const download = useRequest(consoleApi.endpoints.exportData);
  return (
    <>
      <h2>
        <FormattedMessage id="export.title" />
      </h2>
      <p>
        <FormattedMessage id="export.intro" values={{ file: exportFileName() }} />
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={() => download.send()} disabled={download.busy} aria-busy={download.busy}>
          <FormattedMessage id={download.busy ? 'common.busy' : 'export.download'} />
        </button>
      </div>
    </>
  );
}
