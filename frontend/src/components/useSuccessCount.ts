import { useEffect, useState } from 'react';

/**
 * How many times a request went from busy to a success: used as a form's `key`, it
 * renews the form (empties its inputs) after each success.
 */
export default function useSuccessCount(busy: boolean, succeeded: boolean): number {
  const [count, setCount] = useState(0);
  const [wasBusy, setWasBusy] = useState(false);
  useEffect(() => {
    if (wasBusy && !busy && succeeded) setCount((c) => c + 1);
    setWasBusy(busy);
  }, [busy, succeeded, wasBusy]);
  return count;
}
