import { useState, type ReactNode } from 'react';
import { FormattedMessage } from 'react-intl';
import Form, { type Label, type RequestState } from './Form';

interface Props {
  /** The request the confirmation sends. */
  request: RequestState;
  onConfirm: () => void;
  /** What the first button says (its content: text and any visually hidden context). */
  children: ReactNode;
  /** The first button's class ("button danger", "button small"). */
  buttonClassName: string;
  /** The question asked before acting; it labels the confirmation form. */
  question: ReactNode;
  /** The id that ties the question to the form (aria-labelledby); unique on the page. */
  questionId: string;
  confirmLabel: Label;
}

/** A destructive action behind a confirmation: a button that opens a short form
 * asking `question`, with the (danger) confirm button and Cancel. */
export default function ConfirmAction({ request, onConfirm, children, buttonClassName, question, questionId, confirmLabel }: Props) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className={buttonClassName} onClick={() => setConfirming(true)}>
        {children}
      </button>
    );
  }
  return (
    <Form
      fields={[]}
      initial={{}}
      request={request}
      onSubmit={onConfirm}
      className="confirm"
      aria-labelledby={questionId}
      submitLabel={confirmLabel}
      submitClassName="button danger"
      actions={
        <button type="button" className="button" onClick={() => setConfirming(false)} disabled={request.busy}>
          <FormattedMessage id="common.cancel" />
        </button>
      }
    >
      <p id={questionId} className="warning">
        {question}
      </p>
    </Form>
  );
}
