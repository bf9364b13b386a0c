import { createAction } from '@reduxjs/toolkit';
import type { components } from './generated/jsconfig';

/**
 * The envelope every `/api/` answer has (API.md, "Envelope: Flux Standard Actions"):
 * `{type, payload, meta?}` on success, `{type, error: true, payload: {message, errors?}, meta?}`
 * on failure. The failure shape is the services' own `Fail` schema.
 */
export type FailFsa = components['schemas']['Fail'];
export type FailPayload = FailFsa['payload'];
/** Field → messages, as in `payload.errors` (marshmallow may nest them for nested fields). */
export type FieldErrors = NonNullable<FailPayload['errors']>;

/** `meta` of an answer; `reauthn_required` marks a *recent* route refusing an old login. */
export interface FsaMeta {
  reauthn_required?: boolean;
  /** Set by the client on a 429: the answer's Retry-After in seconds. */
  retry_after?: number;
  [key: string]: unknown;
}

export interface SuccessFsa<P = unknown> {
  type: string;
  payload: P;
  meta?: FsaMeta;
  error?: undefined;
}

export type Fsa = SuccessFsa | FailFsa;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Whether a parsed body is an FSA at all (anything else is turned into `network.error`). */
export function isFsa(value: unknown): value is Fsa {
  return isRecord(value) && typeof value.type === 'string';
}

/** Any answer of a service in the store: `<METHOD>_<SERVICE>_<ROUTE>_SUCCESS|_FAIL`. */
export function isServerFsa(action: { type: string }): action is Fsa {
  return /^[A-Z0-9_]+_(SUCCESS|FAIL)$/.test(action.type);
}

/** A failure answer of any route, optionally only the one with message key `message`. */
export function isFailFsa(action: unknown, message?: string): action is FailFsa {
  if (!isRecord(action) || action.error !== true || !isRecord(action.payload)) return false;
  return message === undefined || action.payload.message === message;
}

/** The FSA type prefix the services use for a route: ('POST', 'emails', 'resend-code') → 'POST_EMAILS_RESEND_CODE'. */
export function requestType(method: string, service: string, route: string): string {
  return [method, service, route]
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * The two typed action creators of a route's answers. They are never dispatched by the
 * SPA itself (the services' answers are), but give reducers and sagas `.match` with the
 * payload type from the OpenAPI document, so a misspelt type is a compile error.
 */
export function answerCreators<P>(type: string) {
  return {
    success: createAction(`${type}_SUCCESS`, (payload: P, meta?: FsaMeta) => ({ payload, meta })),
    fail: createAction(`${type}_FAIL`, (payload: FailPayload, meta?: FsaMeta) => ({ payload, meta, error: true })),
  };
}
