import { useEffect, useRef, type ReactNode } from 'react';
import { useIntl } from 'react-intl';

/**
 * The page's h1; focusable so route changes can move focus to it. It names the tab
 * after itself, also when it appears after a wait (a deep link, a reload) or when the
 * language changes.
 */
export default function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const intl = useIntl();
  useEffect(() => {
    const text = ref.current?.textContent?.trim();
    if (text) document.title = `${text} – ${intl.formatMessage({ id: 'app.name' })}`;
  });
  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
