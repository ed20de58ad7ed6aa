import { ApiError } from '../api/problem';
import { Alert } from './ui';

/** Shows an error from an API call; field errors are expected to be shown at their fields. */
/**
 * `shownFields`: field names the form displays next to its inputs; any other field
 * error (and errors without a field) are listed in the banner so none is lost.
 */
export function ErrorBanner({ error, title, shownFields }: { error: unknown; title?: string; shownFields?: string[] }) {
  if (!error) return null;
  let text = 'Something went wrong.';
  if (error instanceof ApiError) {
    const fe = error.fieldErrors;
    const unplaced = Object.entries(fe).filter(([k]) => !shownFields || !shownFields.includes(k));
    text = error.message;
    if (unplaced.length) {
      return (
        <Alert tone="danger" title={title ?? error.message} data-testid="form-error">
          <ul className="error-list">
            {unplaced.map(([k, m]) => (
              <li key={k}>{k ? `${k}: ${m}` : m}</li>
            ))}
          </ul>
        </Alert>
      );
    }
    if (shownFields && Object.keys(fe).length) text = 'Please correct the highlighted fields.';
  } else if (error instanceof Error) {
    text = error.message;
  }
  return (
    <Alert tone="danger" title={title} data-testid="form-error">
      {text}
    </Alert>
  );
}
