import { createAction } from '@reduxjs/toolkit';

/**
 * The FSA type prefix the services use for a route:
 * ('POST', 'emails', 'resend-code') -> 'POST_EMAILS_RESEND_CODE'.
 */
export function requestType(method, service, route) {
  return [method, service, route]
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** UI asks for an API call; the api saga performs it. */
export const apiRequest = createAction('api/request', ({ method = 'GET', service, route, body }) => ({
  payload: { method, service, route, body, requestType: requestType(method, service, route) },
}));

/** Dispatched by the api saga around every call, so the UI can show busy and field errors. */
export const requestStarted = createAction('api/requestStarted');
export const requestFinished = createAction('api/requestFinished');

export const isSuccess = (type) => (action) => action.type === `${type}_SUCCESS`;
export const isFail = (type) => (action) => action.type === `${type}_FAIL`;
