import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { ApiError } from '../../api/problem';
import { RESOURCE_TYPES, type Resource, type ResourceType } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { IconCalendar, IconPlus } from '../../components/Icons';
import { Badge, Button, Card, Dialog, EmptyState, Field, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { useTitle } from '../../hooks';
import { Link, useNavigate, useSearchParams } from '../../router';
import { BookingsTabs, RESOURCE_TYPE_LABEL, useBookingContext, useResources } from './common';

export function resourceStatusBadge(r: Pick<Resource, 'statusCd'>) {
  const tone = r.statusCd === 'AVAILABLE' ? 'success' : r.statusCd === 'MAINTENANCE' ? 'warning' : 'neutral';
  const label = r.statusCd === 'AVAILABLE' ? 'Available' : r.statusCd === 'MAINTENANCE' ? 'Out of service' : 'Retired';
  return (
    <Badge tone={tone} data-testid="resource-status">
      {label}
    </Badge>
  );
}

export function ResourcesPage() {
  useTitle('Resources');
  const { isAdmin } = useBookingContext();
  const { resources, error, reload } = useResources();
  const params = useSearchParams();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(params.get('new') === '1');
  const [showRetired, setShowRetired] = useState(false);
  const shown = (resources ?? []).filter((r) => showRetired || r.statusCd !== 'RETIRED');
  const retiredCount = (resources ?? []).length - (resources ?? []).filter((r) => r.statusCd !== 'RETIRED').length;

  return (
    <>
      <PageHeader
        title="Bookings"
        description="Rooms, areas, equipment and people. Drag a booking to move it; select free time to book it."
        actions={
          isAdmin && (
            <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)} data-testid="new-resource">
              Add resource
            </Button>
          )
        }
      />
      <BookingsTabs />
      <ErrorBanner error={error} title="Could not load the resources" />
      {resources === null && !error ? (
        <Spinner label="Loading resources…" />
      ) : shown.length === 0 && retiredCount === 0 ? (
        <Card>
          <EmptyState
            icon={IconCalendar}
            title="No resources yet"
            data-testid="resources-empty"
            actions={
              isAdmin && (
                <Button variant="primary" icon={IconPlus} onClick={() => setCreating(true)}>
                  Add a resource
                </Button>
              )
            }
          >
            A resource is anything people book: a court, a studio, a sauna, a bike, a trainer.
          </EmptyState>
        </Card>
      ) : (
        <Card className="card-flush">
          <div className="table-wrap">
            <table className="table" data-testid="resources-table">
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="hide-md">
                    Capacity
                  </th>
                  <th scope="col" className="hide-md">
                    Location
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.id} data-testid="resource-row">
                    <td>
                      <Link to={`/bookings/resources/${r.id}`} className="cell-title">
                        {r.name}
                      </Link>
                      {r.description && <div className="cell-sub">{r.description}</div>}
                    </td>
                    <td>{RESOURCE_TYPE_LABEL[r.typeCd] ?? r.typeCd}</td>
                    <td className="hide-md">{r.capacity ?? <span className="muted">—</span>}</td>
                    <td className="hide-md">{r.locationDescription || <span className="muted">—</span>}</td>
                    <td>{resourceStatusBadge(r)}</td>
                    <td className="cell-actions">
                      {r.statusCd !== 'RETIRED' && (
                        <Link to={`/bookings?resourceId=${r.id}`} className="btn btn-ghost">
                          Calendar
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {retiredCount > 0 && (
            <div className="card-footer">
              <button type="button" className="link-btn" onClick={() => setShowRetired((v) => !v)}>
                {showRetired ? 'Hide retired resources' : `Show ${retiredCount} retired`}
              </button>
            </div>
          )}
        </Card>
      )}
      <ResourceDialog
        open={creating}
        resource={null}
        onClose={() => setCreating(false)}
        onSaved={(r) => {
          setCreating(false);
          void reload();
          navigate(`/bookings/resources/${r.id}`);
        }}
      />
    </>
  );
}

/** Create (resource null) or edit a resource. */
export function ResourceDialog({
  open,
  resource,
  onClose,
  onSaved,
}: {
  open: boolean;
  resource: Resource | null;
  onClose: () => void;
  onSaved: (r: Resource) => void;
}) {
  const [name, setName] = useState('');
  const [typeCd, setTypeCd] = useState<ResourceType>('ROOM');
  const [capacity, setCapacity] = useState('');
  const [location, setLocation] = useState('');
  const [description, setDescription] = useState('');
  const [outOfService, setOutOfService] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setName(resource?.name ?? '');
    setTypeCd(resource?.typeCd ?? 'ROOM');
    setCapacity(resource?.capacity != null ? String(resource.capacity) : '');
    setLocation(resource?.locationDescription ?? '');
    setDescription(resource?.description ?? '');
    setOutOfService(resource?.statusCd === 'MAINTENANCE');
    setErrors({});
    setError(null);
  }, [open, resource]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Name is required';
    if (capacity && !/^\d+$/.test(capacity)) local.capacity = 'Enter a whole number';
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    const body = {
      name: name.trim(),
      typeCd,
      ...(capacity ? { capacity: Number(capacity) } : {}),
      ...(location.trim() ? { locationDescription: location.trim() } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      statusCd: outOfService ? ('MAINTENANCE' as const) : ('AVAILABLE' as const),
    };
    setBusy(true);
    try {
      if (resource) {
        onSaved(
          await api.updateResource(resource.id, {
            ...body,
            version: resource.version,
            ...(resource.maintenanceSchedule ? { maintenanceSchedule: resource.maintenanceSchedule } : {}),
            ...(resource.zoneId ? { zoneId: resource.zoneId } : {}),
            ...(resource.imageUrl ? { imageUrl: resource.imageUrl } : {}),
          }),
        );
      } else onSaved(await api.createResource(body));
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title={resource ? `Edit ${resource.name}` : 'Add a resource'}
      onClose={onClose}
      data-testid="resource-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="resource-form" busy={busy} data-testid="resource-submit">
            {resource ? 'Save' : 'Add resource'}
          </Button>
        </>
      }
    >
      <ErrorBanner error={error} title={resource ? 'The resource could not be saved' : 'The resource could not be added'} shownFields={['name', 'typeCd', 'capacity', 'locationDescription', 'description']} />
      <form id="resource-form" className="form" onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} placeholder="e.g. Squash court 1" data-testid="resource-name" />
        <div className="form-row">
          <SelectField label="Type" value={typeCd} onChange={(e) => setTypeCd(e.target.value as ResourceType)} error={errors.typeCd} data-testid="resource-type">
            {RESOURCE_TYPES.map((t) => (
              <option key={t} value={t}>
                {RESOURCE_TYPE_LABEL[t]}
              </option>
            ))}
          </SelectField>
          <TextField label="Capacity" optional inputMode="numeric" value={capacity} onChange={(e) => setCapacity(e.target.value)} error={errors.capacity} hint="People at once" />
        </div>
        <TextField label="Location" optional value={location} onChange={(e) => setLocation(e.target.value)} error={errors.locationDescription} placeholder="e.g. Basement, next to the changing rooms" />
        <Field label="Description" optional error={errors.description}>
          {({ id, describedBy }) => <textarea id={id} className="input textarea" rows={2} maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} aria-describedby={describedBy} />}
        </Field>
        <div className="checkbox-field">
          <input id="resource-oos" type="checkbox" checked={outOfService} onChange={(e) => setOutOfService(e.target.checked)} />
          <div>
            <label htmlFor="resource-oos">Out of service</label>
            <p className="field-hint">No new bookings are accepted while it is out of service.</p>
          </div>
        </div>
      </form>
    </Dialog>
  );
}
