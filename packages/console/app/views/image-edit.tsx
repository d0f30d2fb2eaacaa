import { useEffect, useState } from 'preact/hooks';
import { imageEnums } from '../api/schema';
import { Section } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { useLoad, useSession } from '../hooks';
import { isReserved, propertiesOf, type ImageView } from '../lib/image-fields';
import { imagePatch, parseTags, PATCH_MEDIA_TYPE, type PatchOp } from '../lib/patch';
import { href } from '../lib/route';

interface Draft {
  name: string;
  visibility: string;
  tags: string;
  rows: Array<{ key: string; value: string }>;
}

const draftOf = (img: ImageView): Draft => ({
  name: img.name ?? '',
  visibility: img.visibility,
  tags: img.tags.join(', '),
  rows: Object.entries(propertiesOf(img))
    .filter(([k]) => !isReserved(k))
    .map(([key, value]) => ({ key, value })),
});

/** Edit name, visibility, tags and properties; saved as one JSON patch, as python-glanceclient sends it. */
export function ImageEdit({ id }: { id: string }) {
  const { api } = useSession();
  const image = useLoad((signal) => api.get<ImageView>(`/v2/images/${id}`, signal), [id]);
  const enums = useLoad(() => imageEnums(api), []);
  const [draft, setDraft] = useState<Draft>();
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<PatchOp[]>();
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (image.data && !draft) setDraft(draftOf(image.data));
  }, [image.data]);
  const img = image.data;
  if (!img || !draft)
    return (
      <Section title="Edit image">
        <ErrorNote error={image.error} />
        <p class="muted">Loading…</p>
      </Section>
    );

  const reserved = Object.entries(propertiesOf(img)).filter(([k]) => isReserved(k));
  const ops = imagePatch(img, {
    name: draft.name === '' && img.name === null ? null : draft.name,
    visibility: draft.visibility,
    tags: parseTags(draft.tags),
    properties: Object.fromEntries(draft.rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
  });
  const setRow = (i: number, row: { key: string; value: string }) => setDraft({ ...draft, rows: draft.rows.map((r, j) => (j === i ? row : r)) });
  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      await api.request('PATCH', `/v2/images/${id}`, { body: ops, contentType: PATCH_MEDIA_TYPE });
      setSent(ops);
      location.hash = href({ page: 'image', id });
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Section
      title={`Edit image ${img.name ?? '(no name)'}`}
      actions={
        <a class="button secondary" href={href({ page: 'image', id })}>
          Back
        </a>
      }
    >
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          Name
          <input name="name" value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </label>
        <label>
          Visibility
          <select name="visibility" value={draft.visibility} onChange={(e) => setDraft({ ...draft, visibility: e.currentTarget.value })}>
            {(enums.data?.visibility ?? [img.visibility]).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tags (comma separated)
          <input name="tags" value={draft.tags} onInput={(e) => setDraft({ ...draft, tags: e.currentTarget.value })} />
        </label>
        <fieldset>
          <legend>Properties</legend>
          {draft.rows.map((r, i) => (
            <div class="prop-row" key={i} data-prop={r.key}>
              <input aria-label="property name" placeholder="name" value={r.key} onInput={(e) => setRow(i, { ...r, key: e.currentTarget.value })} />
              <input aria-label="property value" placeholder="value" value={r.value} onInput={(e) => setRow(i, { ...r, value: e.currentTarget.value })} />
              <button type="button" class="secondary" onClick={() => setDraft({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => setDraft({ ...draft, rows: [...draft.rows, { key: '', value: '' }] })}>
            Add a property
          </button>
          {reserved.length ? <p class="muted small">Kept by the service, not editable: {reserved.map(([k]) => k).join(', ')}</p> : null}
        </fieldset>
        <details>
          <summary>
            The JSON patch to send ({ops.length} operation{ops.length === 1 ? '' : 's'})
          </summary>
          <pre class="mono">{JSON.stringify(ops, null, 2)}</pre>
        </details>
        <ErrorNote error={error} what="Saving" />
        {sent ? <p class="note ok">Saved.</p> : null}
        <span class="form-buttons">
          <button type="submit" disabled={saving || ops.length === 0}>
            {ops.length === 0 ? 'Nothing changed' : saving ? 'Saving…' : 'Save'}
          </button>
        </span>
      </form>
    </Section>
  );
}
