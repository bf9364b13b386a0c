import { useCallback } from 'react';
import { useDispatch, useSelector } from 'react-redux';
import { apiRequest, requestType } from '../api/actions';
import { selectBusy, selectErrorMessage, selectFailed, selectFieldErrors } from '../api/apiSlice';

/**
 * The state of one API route for a component: `send(body)` dispatches the request,
 * `busy` is true while it runs, `errors` are the field errors of its last answer,
 * `failed` tells whether that answer was an error and `message` is its key.
 */
export default function useRequest(method, service, route) {
  const dispatch = useDispatch();
  const type = requestType(method, service, route);
  const busy = useSelector(selectBusy(type));
  const errors = useSelector(selectFieldErrors(type));
  const failed = useSelector(selectFailed(type));
  const message = useSelector(selectErrorMessage(type));
  const send = useCallback(
    (body) => dispatch(apiRequest({ method, service, route, body })),
    [dispatch, method, service, route],
  );
  return { send, busy, errors, failed, message, type };
}
