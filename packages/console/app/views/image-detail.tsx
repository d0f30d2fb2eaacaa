import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { downloadImage, type Transfer } from '../api/transfer';
import { Bar, KeyValues, Section, Status } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { Inspection, parseInspection } from '../components/inspection';
import { useLoad, useSession } from '../hooks';
import { formatBytes, formatTime } from '../lib/format';
import { propertiesOf, storesOf, type ImageView } from '../lib/image-fields';
import { href } from '../lib/route';
import { newestFirst, type ImportTask } from '../lib/task-types';

const BUSY = new Set(['importing', 'saving']);

/** Confirm in the page (no browser dialog), then run the action. */
function Confirm({ label, question, onYes, disabled }: { label: string; question: string; onYes: () => Promise<void>; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        class="danger"
        disabled={disabled}
        onClick={() => {
          setError(undefined);
          setAsking(true);
        }}
      >
        {label}
      </button>
    );
  return (
    <span class="confirm">
      <span>{question}</span>
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onYes();
            setAsking(false);
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

export function TaskTable({ tasks }: { tasks: ImportTask[] }) {
  if (tasks.length === 0) return <p class="muted">No import tasks for this image.</p>;
  return (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">Method</th>
          <th scope="col">Status</th>
          <th scope="col">Message</th>
          <th scope="col">Task</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id}>
            <td class="small">{formatTime(t.created_at)}</td>
            <td>{t.input?.import_req?.method?.name ?? t.type}</td>
            <td>
              <Status status={t.status} />
            </td>
            <td>{t.message}</td>
            <td class="mono small">{t.id}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One image: its attributes, checksums, stores, properties, inspection report and import tasks. */
export function ImageDetail({ id }: { id: string }) {
  const { api } = useSession();
  const [actionError, setActionError] = useState<unknown>();
  const [download, setDownload] = useState<Transfer>();
  // An image on its way (importing, saving) is read again every 2 s until it settles.
  const image = useLoad(
    (signal) => api.get<ImageView>(`/v2/images/${id}`, signal),
    [id],
    (d) => (d && BUSY.has(d.status) ? 2000 : undefined),
  );
  const tasks = useLoad((signal) => api.get<{ tasks: ImportTask[] }>(`/v2/images/${id}/tasks`, signal), [id, image.data?.updated_at]);

  if (image.error instanceof ApiError && image.error.status === 404)
    return (
      <Section title="Image">
        <ErrorNote error={image.error} />
        <a href={href({ page: 'images' })}>Back to the images</a>
      </Section>
    );
  const img = image.data;
  if (!img)
    return (
      <Section title="Image">
        <ErrorNote error={image.error} />
        <p class="muted">Loading…</p>
      </Section>
    );

  const run = async (what: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await what();
      image.reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const props = propertiesOf(img);
  const inspection = parseInspection(img.os_glance_inspection);
  const stores = storesOf(img);

  return (
    <>
      <Section
        title={`Image ${img.name ?? '(no name)'}`}
        actions={
          <>
            <a class="button secondary" href={href({ page: 'edit', id })}>
              Edit
            </a>
            {img.status === 'active' ? (
              <button
                type="button"
                class="secondary"
                disabled={!!download && download.loaded !== download.total}
                onClick={() => run(() => downloadImage(api, id, `${img.name ?? id}.${img.disk_format ?? 'img'}`, setDownload))}
              >
                Download
              </button>
            ) : null}
            {img.status === 'active' ? (
              <a class="button secondary" href={href({ page: 'import', copyOf: id })}>
                Copy to stores
              </a>
            ) : null}
            {['queued', 'uploading', 'importing'].includes(img.status) || (tasks.data?.tasks.length ?? 0) > 0 ? (
              <a class="button secondary" href={href({ page: 'watch', id })}>
                Import progress
              </a>
            ) : null}
            {img.status === 'uploading' ? (
              <Confirm
                label="Discard staged data"
                question="Remove the staged data?"
                onYes={() => run(() => api.request('DELETE', `/v2/images/${id}/stage`))}
              />
            ) : null}
            <Confirm
              label="Delete"
              question="Delete this image and its data?"
              onYes={async () => {
                await api.request('DELETE', `/v2/images/${id}`);
                location.hash = href({ page: 'images' });
              }}
            />
          </>
        }
      >
        <ErrorNote error={actionError} />
        {download ? (
          <p>
            Download: <Bar done={download.loaded} total={download.total} label="download" />
          </p>
        ) : null}
        <KeyValues
          rows={[
            ['Name', img.name],
            ['ID', <span class="mono">{img.id}</span>],
            ['Status', <Status status={img.status} />],
            ['Visibility', img.visibility],
            ['Owner', <span class="mono">{img.owner ?? ''}</span>],
            ['Disk format', img.disk_format],
            ['Container format', img.container_format],
            ['Size', img.size === null ? null : `${formatBytes(img.size)} (${img.size} bytes)`],
            ['Virtual size', img.virtual_size === null ? null : `${formatBytes(img.virtual_size)} (${img.virtual_size} bytes)`],
            ['Min disk / RAM', `${String(img.min_disk)} GB / ${String(img.min_ram)} MB`],
            ['Protected', img.protected ? 'yes' : 'no'],
            ['Hidden', img.os_hidden ? 'yes' : 'no'],
            [
              'Tags',
              img.tags.length
                ? img.tags.map((t) => (
                    <span key={t} class="tag">
                      {t}
                    </span>
                  ))
                : null,
            ],
            ['Created', formatTime(img.created_at)],
            ['Updated', formatTime(img.updated_at)],
          ]}
        />
      </Section>
      <Section title="Checksums">
        <KeyValues
          rows={[
            ['checksum (md5)', <span class="mono">{img.checksum ?? ''}</span>],
            [`os_hash_value (${img.os_hash_algo ?? 'none'})`, <span class="mono wrap">{img.os_hash_value ?? ''}</span>],
          ]}
        />
      </Section>
      <Section title="Stores">
        {stores.length === 0 ? (
          <p class="muted">
            {img.status === 'active' ? 'The site has one store (no multi-store), or the API shows none.' : 'No store holds data of this image yet.'}
          </p>
        ) : (
          <table class="list compact">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {stores.map((s) => (
                <tr key={s}>
                  <td>{s}</td>
                  <td>
                    {stores.length > 1 ? (
                      <Confirm
                        label="Remove from store"
                        question={`Remove the data from ${s}?`}
                        onYes={() => run(() => api.request('DELETE', `/v2/stores/${encodeURIComponent(s)}/${id}`))}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Properties">
        {Object.keys(props).length === 0 ? (
          <p class="muted">No extra properties.</p>
        ) : (
          <table class="list compact">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(props)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => (
                  <tr key={k}>
                    <td class="mono">{k}</td>
                    <td class="wrap">{v}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Inspection report">
        {inspection ? (
          <Inspection record={inspection} />
        ) : (
          <p class="muted">
            {img.os_glance_inspection === undefined
              ? 'Not inspected yet (the report is written when an import stores the data).'
              : String(img.os_glance_inspection)}
          </p>
        )}
      </Section>
      <Section title="Import tasks">
        <ErrorNote error={tasks.error} />
        <TaskTable tasks={newestFirst(tasks.data?.tasks ?? [])} />
      </Section>
    </>
  );
}
