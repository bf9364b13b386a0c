import { useEffect, useRef, useState, type ReactNode } from 'react';
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
 * asking `question`, with the (danger) confirm button and Cancel. The button is replaced,
 * so focus moves with it: to the question when it opens (read out first, then Tab reaches
 * the confirm button), back to the button after Cancel. */
export default function ConfirmAction({ request, onConfirm, children, buttonClassName, question, questionId, confirmLabel }: Props) {
  const [confirming, setConfirming] = useState(false);
  const questionRef = useRef<HTMLParagraphElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  useEffect(() => {
    if (confirming) questionRef.current?.focus();
    else if (opened.current) buttonRef.current?.focus();
    opened.current = opened.current || confirming;
  }, [confirming]);
  if (!confirming) {
    return (
      <button ref={buttonRef} type="button" className={buttonClassName} onClick={() => setConfirming(true)}>
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
      <p id={questionId} ref={questionRef} tabIndex={-1} className="warning">
        {question}
      </p>
    </Form>
  );
}
