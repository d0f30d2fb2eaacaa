import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { startImport, type ImportRequest } from '../api/imports';
import { Bar, KeyValues, Section, Status } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { Inspection, parseInspection } from '../components/inspection';
import { useLoad, useSession } from '../hooks';
import { failureAdvice } from '../lib/advice';
import { formatDuration, formatRate, formatTime, parseTime } from '../lib/format';
import type { ImageView } from '../lib/image-fields';
import { phaseRows, storeRows } from '../lib/phases';
import { href } from '../lib/route';
import { newestFirst, type ImportTask } from '../lib/task-types';
import { TaskTable } from './image-detail';

/** Polled this often while an import runs: the page is never more than a second behind. */
const LIVE_MS = 750;

const running = (t: ImportTask | undefined) => t?.status === 'pending' || t?.status === 'processing';

const STATE_TEXT = { done: 'done', running: 'running', failed: 'failed', pending: 'waiting', 'not-run': 'not run' } as const;

function Failure({ task, image, onChanged }: { task: ImportTask; image: ImageView | undefined; onChanged: () => void }) {
  const { api } = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const advice = failureAdvice(task, image?.status);
  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const req = task.input?.import_req;
  return (
    <div class="failure" role="alert" data-error-code={task.error_code ?? ''}>
      <h3>{advice.summary}</h3>
      <p class="reason">{advice.reason}</p>
      <p>
        <strong>What to do: </strong>
        {advice.todo}
      </p>
      {task.error_code ? <p class="muted small">error code {task.error_code}</p> : null}
      <div class="actions">
        {advice.actions.includes('retry') && req?.method?.name ? (
          <button type="button" disabled={busy} onClick={() => act(() => startImport(api, task.image_id, req as ImportRequest))}>
            Import again
          </button>
        ) : null}
        {advice.actions.includes('discard-stage') ? (
          <button type="button" class="secondary" disabled={busy} onClick={() => act(() => api.request('DELETE', `/v2/images/${task.image_id}/stage`))}>
            Discard staged data
          </button>
        ) : null}
        {advice.actions.includes('delete') ? (
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await api.request('DELETE', `/v2/images/${task.image_id}`);
                location.hash = href({ page: 'images' });
              })
            }
          >
            Delete the image
          </button>
        ) : null}
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

/** An image's import, live: each step (plugins in config order), bytes and rate per store, the outcome. */
export function ImportWatch({ id }: { id: string }) {
  const { api } = useSession();
  const load = useLoad(
    async (signal) => {
      const [image, tasks] = await Promise.all([
        api.get<ImageView>(`/v2/images/${id}`, signal),
        api.get<{ tasks: ImportTask[] }>(`/v2/images/${id}/tasks`, signal),
      ]);
      return { image, tasks: newestFirst(tasks.tasks), at: Date.now() };
    },
    [id],
    (d) => (!d || running(d.tasks[0]) || d.image.status === 'importing' ? LIVE_MS : undefined),
  );
  const image = load.data?.image;
  const task = load.data?.tasks[0];

  if (!load.data)
    return (
      <Section title="Import">
        <ErrorNote error={load.error} />
        <p class="muted">Loading…</p>
      </Section>
    );
  const rows = task ? phaseRows(task, load.data.at) : [];
  const stores = task ? storeRows(task) : [];
  const p = task?.progress;
  const started = parseTime(task?.created_at)?.getTime();
  const ended = task && !running(task) ? parseTime(task.updated_at)?.getTime() : undefined;
  const inspections = task?.inspections ?? [];
  const imageInspection = parseInspection(image?.os_glance_inspection);

  return (
    <>
      <Section
        title={`Import of ${image?.name ?? '(no name)'}`}
        actions={
          <a class="button secondary" href={href({ page: 'image', id })}>
            Image details
          </a>
        }
      >
        <ErrorNote error={load.error} />
        {!task ? (
          <p class="muted">No import has been started for this image.</p>
        ) : (
          <>
            <KeyValues
              rows={[
                ['Image status', image ? <Status status={image.status} /> : null],
                [
                  'Task',
                  <>
                    <Status status={task.status} /> <span class="mono small">{task.id}</span>
                  </>,
                ],
                ['Method', task.input?.import_req?.method?.name ?? ''],
                ['Started', formatTime(task.created_at)],
                ['Elapsed', started !== undefined ? formatDuration((ended ?? load.data.at) - started) : null],
                ...(running(task) && p
                  ? [
                      [
                        'Now',
                        <span data-phase={p.phase}>
                          {p.phase}
                          {p.bytesDone !== undefined ? (
                            <>
                              {' '}
                              <Bar done={p.bytesDone} total={p.bytesTotal} label="current phase" /> {formatRate(p.rate)}
                            </>
                          ) : null}
                        </span>,
                      ] as [string, ComponentChildren],
                    ]
                  : []),
              ]}
            />
            {task.status === 'success' ? (
              <p class="note ok" role="status">
                The import succeeded{image?.status === 'active' ? ': the image is active.' : '.'}
              </p>
            ) : null}
            {task.status === 'failure' ? <Failure task={task} image={image} onChanged={load.reload} /> : null}
          </>
        )}
      </Section>
      {task ? (
        <Section title="Steps">
          <table class="list phases">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Step</th>
                <th scope="col">Plugin</th>
                <th scope="col">State</th>
                <th scope="col">Time</th>
                <th scope="col">Bytes</th>
                <th scope="col">Rate</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.phase} data-phase={r.phase} data-state={r.state} class={`phase-${r.state}`}>
                  <td class="num">{i + 1}</td>
                  <td>
                    {r.label}
                    {r.label !== r.phase ? <span class="muted small mono"> {r.phase}</span> : null}
                  </td>
                  <td>{r.plugin ?? ''}</td>
                  <td>{STATE_TEXT[r.state]}</td>
                  <td class="num">{r.ms !== undefined ? formatDuration(r.ms) : ''}</td>
                  <td>
                    {r.bytesDone !== undefined ? (
                      <Bar done={r.bytesDone} total={r.bytesTotal ?? (r.state === 'done' ? r.bytesDone : undefined)} label={r.phase} />
                    ) : (
                      ''
                    )}
                  </td>
                  <td class="num">{r.rate !== undefined ? formatRate(r.rate) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {task && stores.length ? (
        <Section title="Stores">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">State</th>
                <th scope="col">Bytes</th>
                <th scope="col">Rate</th>
              </tr>
            </thead>
            <tbody>
              {stores.map((s) => (
                <tr key={s.store} data-store={s.store} data-state={s.status}>
                  <td>{s.store}</td>
                  <td>{s.status === 'pending' && !running(task) ? 'not written' : s.status}</td>
                  <td>{s.bytesDone !== undefined ? <Bar done={s.bytesDone} total={s.bytesTotal} label={`store ${s.store}`} /> : ''}</td>
                  <td class="num">{s.rate !== undefined ? formatRate(s.rate) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {inspections.length || imageInspection ? (
        <Section title="Inspection">
          {inspections.length ? inspections.map((r, i) => <Inspection key={i} record={r} />) : imageInspection ? <Inspection record={imageInspection} /> : null}
        </Section>
      ) : null}
      {load.data.tasks.length > 1 ? (
        <Section title="Earlier imports">
          <TaskTable tasks={load.data.tasks.slice(1)} />
        </Section>
      ) : null}
    </>
  );
}
