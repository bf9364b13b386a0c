/**
 * The two security routes the generic table (`api.ts`) cannot call as they are:
 *
 * - `GET /api/security/events` pages with `?before=<cursor>`: an RTK Query infinite query
 *   whose page parameter is the `next` cursor of the page before (null for the newest).
 * - `GET /api/security/export` is *recent*: a mutation (not a query), so that the reauthn
 *   saga, which answers a refused mutation with the re-authentication dialog and sends it
 *   again, covers it like every other *recent* action. Its success saves the document as
 *   `tessera-export-<date>.json`, also when it is the saga's retry that succeeds.
 */
import { api, type Call } from '../../api/api';
import { routes, type PayloadOfRoute } from '../../api/routes';

export type EventsPage = PayloadOfRoute<typeof routes.events>;
export type SecurityEvent = EventsPage['events'][number];
export type ExportPayload = PayloadOfRoute<typeof routes.dataExport>;

/** The route of one page of events: the newest (`before` null) or those older than a cursor. */
export function eventsCall(before: string | null): Call {
  const route = before ? `${routes.events.route}?before=${encodeURIComponent(before)}` : routes.events.route;
  return { route: { ...routes.events, route } };
}

/** `tessera-export-2026-12-01.json`: the user's local date of the download. */
export function exportFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `tessera-export-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/**
 * Hand `document` to the browser as a JSON file download (a Blob behind an object URL,
 * released once the click has started the download).
 */
export function saveJson(document_: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export const consoleApi = api.injectEndpoints({
  endpoints: (build) => ({
    eventsPages: build.infiniteQuery<EventsPage, void, string | null>({
      infiniteQueryOptions: {
        initialPageParam: null,
        getNextPageParam: (lastPage) => lastPage.next ?? undefined,
      },
      query: ({ pageParam }) => eventsCall(pageParam),
    }),
    exportData: build.mutation<ExportPayload, void>({
      query: () => ({ route: routes.dataExport }),
      async onQueryStarted(_arg, { queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          saveJson(data.export, exportFileName());
        } catch {
          // a refusal is the request state's (and the reauthn saga's) to show
        }
      },
    }),
  }),
});
