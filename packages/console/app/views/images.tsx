import { useState } from 'preact/hooks';
import { imageEnums } from '../api/schema';
import { Section, Status } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { useLoad, useSession } from '../hooks';
import { formatBytes, formatTime } from '../lib/format';
import { storesOf, type ImageView } from '../lib/image-fields';
import { DEFAULT_SORT, imagesQuery, nextMarker, NO_FILTERS, SORT_KEYS, type ImageFilters, type ImageSort } from '../lib/list-query';
import { href } from '../lib/route';

interface ListState {
  filters: ImageFilters;
  sort: ImageSort;
  limit: number;
  /** The marker of each page after the first, so Previous goes back. */
  markers: string[];
}

// The list keeps its filters, sort and page while the tab visits an image and comes back.
let remembered: ListState = { filters: NO_FILTERS, sort: DEFAULT_SORT, limit: 25, markers: [] };

const COLUMNS: Array<[string, string]> = [
  ['name', 'Name'],
  ['status', 'Status'],
  ['visibility', 'Visibility'],
  ['disk_format', 'Disk format'],
  ['size', 'Size'],
  ['stores', 'Stores'],
  ['tags', 'Tags'],
  ['owner', 'Owner'],
  ['created_at', 'Created'],
];

function Select({ label, name, value, options, onChange }: { label: string; name: string; value: string; options: string[]; onChange: (v: string) => void }) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Images as GET /v2/images answers them, with Glance's filters, sort keys and marker paging. */
export function Images() {
  const { api } = useSession();
  const [state, setStateRaw] = useState<ListState>(remembered);
  const [draft, setDraft] = useState<ImageFilters>(state.filters);
  const setState = (s: ListState) => {
    remembered = s;
    setStateRaw(s);
  };
  const enums = useLoad(() => imageEnums(api), []);
  const marker = state.markers.at(-1);
  const list = useLoad(
    (signal) => api.get<{ images: ImageView[]; next?: string }>(`/v2/images?${imagesQuery(state.filters, state.sort, state.limit, marker)}`, signal),
    [state.filters, state.sort, state.limit, marker],
  );
  const next = nextMarker(list.data?.next);
  const field = (k: keyof ImageFilters) => ({
    name: k,
    value: draft[k],
    onInput: (e: { currentTarget: HTMLInputElement }) => setDraft({ ...draft, [k]: e.currentTarget.value }),
  });
  const sortBy = (key: string) => setState({ ...state, markers: [], sort: { key, dir: state.sort.key === key && state.sort.dir === 'asc' ? 'desc' : 'asc' } });
  const e = enums.data;

  return (
    <Section
      title="Images"
      actions={
        <a class="button" href={href({ page: 'import' })}>
          Import an image
        </a>
      }
    >
      <form
        class="filters"
        onSubmit={(ev) => {
          ev.preventDefault();
          setState({ ...state, filters: draft, markers: [] });
        }}
      >
        <label>
          Name
          <input type="search" {...field('name')} />
        </label>
        <Select label="Status" name="status" value={draft.status} options={e?.status ?? []} onChange={(v) => setDraft({ ...draft, status: v })} />
        <Select
          label="Visibility"
          name="visibility"
          value={draft.visibility}
          options={[...(e?.visibility ?? []), 'all']}
          onChange={(v) => setDraft({ ...draft, visibility: v })}
        />
        <Select
          label="Disk format"
          name="disk_format"
          value={draft.disk_format}
          options={e?.disk_format ?? []}
          onChange={(v) => setDraft({ ...draft, disk_format: v })}
        />
        <label>
          Min size (MiB)
          <input type="number" min="0" step="any" {...field('size_min')} />
        </label>
        <label>
          Max size (MiB)
          <input type="number" min="0" step="any" {...field('size_max')} />
        </label>
        <label>
          Tags
          <input type="text" placeholder="a, b" {...field('tags')} />
        </label>
        <label>
          Owner
          <input type="text" {...field('owner')} />
        </label>
        <span class="form-buttons">
          <button type="submit">Filter</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(NO_FILTERS);
              setState({ ...state, filters: NO_FILTERS, markers: [] });
            }}
          >
            Clear
          </button>
        </span>
      </form>
      <ErrorNote error={list.error} what="Listing images" />
      <table class="list" aria-busy={list.loading}>
        <thead>
          <tr>
            {COLUMNS.map(([key, label]) => (
              <th key={key} scope="col" aria-sort={state.sort.key === key ? (state.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                {(SORT_KEYS as readonly string[]).includes(key) ? (
                  <button type="button" class="sort" onClick={() => sortBy(key)}>
                    {label}
                    {state.sort.key === key ? (state.sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                ) : (
                  label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(list.data?.images ?? []).map((img) => (
            <tr key={img.id} data-image-id={img.id}>
              <td>
                <a href={href({ page: 'image', id: img.id })}>{img.name ?? <em class="muted">(no name)</em>}</a>
              </td>
              <td>
                <Status status={img.status} />
              </td>
              <td>{img.visibility}</td>
              <td>{img.disk_format ?? '—'}</td>
              <td class="num">{formatBytes(img.size)}</td>
              <td>{storesOf(img).join(', ') || '—'}</td>
              <td>
                {img.tags.map((t) => (
                  <span key={t} class="tag">
                    {t}
                  </span>
                ))}
              </td>
              <td class="mono small">{img.owner ?? '—'}</td>
              <td class="small">{formatTime(img.created_at)}</td>
            </tr>
          ))}
          {list.data && list.data.images.length === 0 ? (
            <tr>
              <td colSpan={COLUMNS.length} class="muted">
                No images match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div class="pager">
        <button
          type="button"
          class="secondary"
          disabled={state.markers.length === 0}
          onClick={() => setState({ ...state, markers: state.markers.slice(0, -1) })}
        >
          Previous
        </button>
        <span class="muted">page {state.markers.length + 1}</span>
        <button type="button" class="secondary" disabled={!next} onClick={() => next && setState({ ...state, markers: [...state.markers, next] })}>
          Next
        </button>
        <label>
          per page
          <select value={String(state.limit)} onChange={(ev) => setState({ ...state, limit: Number(ev.currentTarget.value), markers: [] })}>
            {[10, 25, 50, 100].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
    </Section>
  );
}
