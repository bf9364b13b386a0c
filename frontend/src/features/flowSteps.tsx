import { FormattedMessage } from 'react-intl';
import CodeForm, { type Resend } from '../components/CodeForm';
import type { RequestState } from '../components/Form';

interface CodeStepProps {
  /** The message that says where the code went ({email}). */
  sent: string;
  email: string;
  verify: RequestState & { send: (body: { email: string; code: string }) => void };
  resend?: Resend;
  /** The link-button's message that starts the flow over. */
  restart: string;
  onRestart: () => void;
}

/** The step of a self-service flow where the mailed code is entered. */
export function CodeStep({ sent, email, verify, resend, restart, onRestart }: CodeStepProps) {
  return (
    <>
      <p>
        <FormattedMessage id={sent} values={{ email: <strong>{email}</strong> }} />
      </p>
      <CodeForm request={verify} onSubmit={(code) => verify.send({ email, code })} resend={resend} />
      <p>
        <button type="button" className="link-button" onClick={onRestart}>
          <FormattedMessage id={restart} />
        </button>
      </p>
    </>
  );
}
