import { useEffect, useRef } from "react";

/**
 * A refused form's summary, above its fields. It takes the focus (and comes into view) each time a submission is
 * refused, so someone who sent the form from its bottom hears and sees what to correct: in the browser after each
 * answer (`attempt` changes), and through `autofocus` when the page came back from the server without scripts.
 */
export function ErrorSummary({ message, attempt, testId }: { message: string | null; attempt: unknown; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const summary = ref.current;
    if (!summary || !message) return;
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "center" });
    // A new answer (even the same message again) focuses it again.
  }, [attempt, message]);
  if (!message) return null;
  return (
    <div ref={ref} className="alert alert--error error-summary" role="alert" tabIndex={-1} autoFocus data-testid={testId}>
      {message}
    </div>
  );
}
