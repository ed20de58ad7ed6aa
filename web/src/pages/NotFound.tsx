import { EmptyState } from '../components/ui';
import { useTitle } from '../hooks';
import { Link } from '../router';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <EmptyState
      title="Page not found"
      data-testid="not-found"
      actions={
        <Link to="/" className="btn btn-primary">
          Go to the dashboard
        </Link>
      }
    >
      The address may be mistyped, or the page has moved.
    </EmptyState>
  );
}
