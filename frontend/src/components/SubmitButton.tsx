import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  busy: boolean;
  children: ReactNode;
}

/** Disabled while its request runs, and says so. */
export default function SubmitButton({ busy, children, disabled, className = 'button primary', ...props }: Props) {
  return (
    <button type="submit" className={className} disabled={busy || disabled} {...props}>
      {busy ? (
        <>
          <span className="spinner" aria-hidden="true" />
          <FormattedMessage id="common.busy" />
        </>
      ) : (
        children
      )}
    </button>
  );
}
