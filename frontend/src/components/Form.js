import { useEffect, useRef } from 'react';

/**
 * A form that reports its busy state and moves focus to the first invalid
 * field when an answer comes back with field errors.
 */
export default function Form({ busy, errors, onSubmit, children, ...props }) {
  const ref = useRef(null);
  const hasErrors = errors && Object.keys(errors).length > 0;
  useEffect(() => {
    if (hasErrors && ref.current) {
      const invalid = ref.current.querySelector('[aria-invalid="true"]');
      if (invalid) invalid.focus();
    }
  }, [errors, hasErrors]);
  const submit = (event) => {
    event.preventDefault();
    if (!busy) onSubmit(event);
  };
  return (
    <form ref={ref} noValidate aria-busy={busy ? 'true' : 'false'} onSubmit={submit} {...props}>
      {children}
    </form>
  );
}
