import { useEffect, useState } from 'react';

/**
 * Whole seconds left of a wait of `seconds` that began when the service said so; `said`
 * counts how often it did, so the same wait said again restarts the countdown. Ticks once
 * a second until 0.
 */
export default function useCountdown(seconds: number, said: number): number {
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    const end = Date.now() + seconds * 1000;
    const remaining = () => Math.max(0, Math.ceil((end - Date.now()) / 1000));
    setLeft(remaining());
    if (seconds <= 0) return undefined;
    const timer = window.setInterval(() => {
      const now = remaining();
      setLeft(now);
      if (now === 0) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [seconds, said]);
  return left;
}
