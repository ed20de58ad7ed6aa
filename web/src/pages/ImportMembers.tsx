import { useMemo, useRef, useState, type ChangeEvent } from 'react';
import { api } from '../api/endpoints';
import { ApiError } from '../api/problem';
import type { ImportResult, ImportRowError } from '../api/types';
import { ErrorBanner } from '../components/ErrorBanner';
import { IconFile, IconUpload } from '../components/Icons';
import { Alert, Button, Card, PageHeader } from '../components/ui';
import { MEMBER_CSV_COLUMNS, previewMemberCsv } from '../csv';
import { plural } from '../format';
import { useTitle } from '../hooks';
import { Link } from '../router';

const MAX_BYTES = 5 * 1024 * 1024;
const PREVIEW_ROWS = 5;
const SAMPLE = `firstName,lastName,email,phone,memberNumber
Ada,Lovelace,ada@example.org,+49 30 1234567,
Alan,Turing,alan@example.org,,M-1002
`;

type Outcome =
  | { kind: 'done'; result: ImportResult; partial: boolean }
  | { kind: 'rejected'; rowErrors: ImportRowError[]; message: string };

export function ImportMembersPage() {
  useTitle('Import members');
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [partial, setPartial] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const preview = useMemo(() => (text.trim() ? previewMemberCsv(text) : null), [text]);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setOutcome(null);
    setError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(new Error(`The file is larger than ${MAX_BYTES / 1024 / 1024} MB. Split it into smaller files.`));
      return;
    }
    setFileName(file.name);
    setText(await file.text());
  };

  const clear = () => {
    setText('');
    setFileName(null);
    setOutcome(null);
    setError(null);
    if (fileRef.current) fileRef.current.value = '';
  };

  const submit = async () => {
    if (!preview || preview.rowCount === 0) return;
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      const result = await api.importMembers(text, partial);
      setOutcome({ kind: 'done', result, partial });
    } catch (e) {
      if (e instanceof ApiError && Array.isArray(e.problem.rowErrors)) {
        setOutcome({ kind: 'rejected', rowErrors: e.problem.rowErrors, message: e.message });
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  const rowErrors = outcome?.kind === 'rejected' ? outcome.rowErrors : outcome?.result.rowErrors ?? [];

  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to="/members">Members</Link>
            <span aria-hidden="true"> / </span>
            <span aria-current="page">Import</span>
          </>
        }
        title="Import members"
        description={
          <>
            Upload or paste a CSV file with the header row <code>{MEMBER_CSV_COLUMNS.join(',')}</code>. Phone and member
            number may be empty; missing member numbers are generated.
          </>
        }
      />

      <div className="import-grid">
        <Card title="1. Choose the data">
          <div className="form">
            <div className="field">
              <label htmlFor="csv-file" className="field-label">
                CSV file
              </label>
              <div className="file-picker">
                <input
                  ref={fileRef}
                  id="csv-file"
                  type="file"
                  accept=".csv,text/csv,text/plain"
                  onChange={onFile}
                  className="file-input"
                  data-testid="csv-file"
                />
                {fileName && (
                  <span className="file-name">
                    <IconFile size={16} /> {fileName}
                  </span>
                )}
              </div>
            </div>
            <div className="field">
              <label htmlFor="csv-text" className="field-label">
                …or paste CSV
              </label>
              <textarea
                id="csv-text"
                className="input textarea mono"
                rows={8}
                spellCheck={false}
                placeholder={SAMPLE}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setFileName(null);
                  setOutcome(null);
                }}
                data-testid="csv-text"
              />
            </div>
            <div className="inline-actions">
              <button type="button" className="link-btn" onClick={() => setText(SAMPLE)}>
                Insert an example
              </button>
              {text && (
                <button type="button" className="link-btn" onClick={clear}>
                  Clear
                </button>
              )}
            </div>
          </div>
        </Card>

        <Card title="2. Check and import">
          {!preview ? (
            <p className="muted">Choose a file or paste CSV to see a preview.</p>
          ) : (
            <>
              <p className="preview-count" data-testid="csv-row-count">
                {plural(preview.rowCount, 'row')} ready to import
              </p>
              {preview.problems.length > 0 && (
                <Alert tone="warning" title="Check the file" data-testid="csv-problems">
                  <ul className="error-list">
                    {preview.problems.slice(0, 5).map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                    {preview.problems.length > 5 && <li>…and {preview.problems.length - 5} more.</li>}
                  </ul>
                </Alert>
              )}
              {preview.rowCount > 0 && (
                <div className="table-wrap preview-table">
                  <table className="table table-compact">
                    <caption className="visually-hidden">First rows of the file</caption>
                    <thead>
                      <tr>
                        <th scope="col">Row</th>
                        {preview.header.map((h) => (
                          <th key={h} scope="col">
                            {h}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {preview.rows.slice(0, PREVIEW_ROWS).map((r, i) => (
                        <tr key={i}>
                          <td className="muted">{preview.rowNumbers[i]}</td>
                          {preview.header.map((h) => (
                            <td key={h}>{r[h] || <span className="muted">—</span>}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {preview.rowCount > PREVIEW_ROWS && (
                    <p className="table-note">…and {plural(preview.rowCount - PREVIEW_ROWS, 'more row')}.</p>
                  )}
                </div>
              )}
            </>
          )}

          <div className="checkbox-field">
            <input id="partial" type="checkbox" checked={partial} onChange={(e) => setPartial(e.target.checked)} data-testid="csv-partial" />
            <div>
              <label htmlFor="partial">Import valid rows even if some rows have errors</label>
              <p className="field-hint">Otherwise nothing is imported when any row is invalid.</p>
            </div>
          </div>

          <div className="form-actions">
            <Button
              variant="primary"
              icon={IconUpload}
              busy={busy}
              disabled={!preview || preview.rowCount === 0}
              onClick={submit}
              data-testid="csv-import"
            >
              {preview && preview.rowCount > 0 ? `Import ${plural(preview.rowCount, 'member')}` : 'Import'}
            </Button>
          </div>
        </Card>
      </div>

      <ErrorBanner error={error} title="The import failed" />

      {outcome?.kind === 'done' && (
        <Alert
          tone={outcome.result.failed > 0 ? 'warning' : 'success'}
          title={outcome.result.failed > 0 ? 'Import finished with errors' : 'Import complete'}
          data-testid="import-summary"
          actions={
            <Link to="/members" className="btn btn-secondary">
              View members
            </Link>
          }
        >
          {plural(outcome.result.imported, 'member')} imported
          {outcome.result.failed > 0 ? `, ${plural(outcome.result.failed, 'row')} skipped.` : '.'}
        </Alert>
      )}
      {outcome?.kind === 'rejected' && (
        <Alert tone="danger" title="Nothing was imported" data-testid="import-rejected">
          {outcome.message} Fix the rows below, or tick “Import valid rows” to import the rest.
        </Alert>
      )}

      {rowErrors && rowErrors.length > 0 && (
        <Card title={`Row errors (${rowErrors.length})`} data-testid="import-errors">
          <div className="table-wrap">
            <table className="table table-compact" data-testid="import-errors-table">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Field</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {rowErrors.map((r, i) => (
                  <tr key={`${r.row}-${r.field}-${i}`}>
                    <td className="mono">{r.row}</td>
                    <td className="mono">{r.field || '—'}</td>
                    <td>{r.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
