import { useEffect, useState } from 'preact/hooks';
import { importMethods, startImport, storeList, type ImportRequest } from '../api/imports';
import { imageEnums } from '../api/schema';
import { stageFile, type Transfer } from '../api/transfer';
import { Bar, Section } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { useLoad, useSession } from '../hooks';
import { formatBytes } from '../lib/format';
import type { ImageView } from '../lib/image-fields';
import { href } from '../lib/route';

const METHOD_HELP: Record<string, string> = {
  'glance-direct': 'Upload a file from this computer to staging, then import it.',
  'web-download': 'The server downloads the image from a URL.',
  'copy-image': 'Copy an active image to more stores.',
  'glance-download': "Download an image from another region's Image API.",
};

type Step = 'create' | 'stage' | 'import';
const STEP_LABEL: Record<Step, string> = { create: 'Create the image', stage: 'Upload to staging', import: 'Start the import' };

/**
 * Import from the browser: create an image, stage a file (with its upload progress) or name the
 * source, choose the method and the stores, start the import, then follow it live.
 */
export function ImportForm({ copyOf }: { copyOf?: string }) {
  const { api } = useSession();
  const methods = useLoad(() => importMethods(api), []);
  const stores = useLoad((signal) => storeList(api, signal), []);
  const enums = useLoad(() => imageEnums(api), []);
  const [method, setMethod] = useState(copyOf ? 'copy-image' : 'glance-direct');
  const [name, setName] = useState('');
  const [diskFormat, setDiskFormat] = useState('qcow2');
  const [containerFormat, setContainerFormat] = useState('bare');
  const [visibility, setVisibility] = useState('');
  const [file, setFile] = useState<File>();
  const [uri, setUri] = useState('');
  const [remoteId, setRemoteId] = useState('');
  const [region, setRegion] = useState('');
  const [serviceInterface, setServiceInterface] = useState('public');
  const [copyId, setCopyId] = useState(copyOf ?? '');
  const [chosen, setChosen] = useState<string[]>([]);
  const [allStores, setAllStores] = useState(false);
  const [mustSucceed, setMustSucceed] = useState(true);
  const [step, setStep] = useState<Step>();
  const [upload, setUpload] = useState<Transfer>();
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<ImageView>();
  const copied = useLoad(async (signal) => (copyId.length === 36 ? api.get<ImageView>(`/v2/images/${copyId}`, signal) : undefined), [copyId]);

  useEffect(() => {
    if (methods.data?.length && !methods.data.includes(method)) setMethod(methods.data[0]!);
  }, [methods.data]);
  const multi = stores.data !== undefined;
  const writable = (stores.data ?? []).filter((s) => s['read-only'] !== 'true');
  const isCopy = method === 'copy-image';

  const ready = isCopy
    ? copyId.length === 36 && (allStores || chosen.length > 0)
    : method === 'glance-direct'
      ? !!file
      : method === 'web-download'
        ? uri.trim() !== ''
        : method === 'glance-download'
          ? remoteId.trim() !== '' && region.trim() !== ''
          : false;

  const submit = async () => {
    setError(undefined);
    setCreated(undefined);
    setUpload(undefined);
    let imageId = copyId;
    try {
      if (!isCopy) {
        setStep('create');
        const body: Record<string, unknown> = { name: name || (file?.name ?? 'image'), disk_format: diskFormat, container_format: containerFormat };
        if (visibility) body.visibility = visibility;
        const image = await api.request<ImageView>('POST', '/v2/images', { body });
        setCreated(image);
        imageId = image.id;
        if (method === 'glance-direct') {
          setStep('stage');
          await stageFile(api, imageId, file!, setUpload);
        }
      }
      setStep('import');
      const req: ImportRequest = { method: { name: method } };
      if (method === 'web-download') req.method.uri = uri.trim();
      if (method === 'glance-download')
        Object.assign(req.method, { glance_image_id: remoteId.trim(), glance_region: region.trim(), glance_service_interface: serviceInterface });
      if (multi) {
        if (allStores) req.all_stores = true;
        else if (chosen.length) req.stores = chosen;
        req.all_stores_must_succeed = mustSucceed;
      }
      await startImport(api, imageId, req);
      location.hash = href({ page: 'watch', id: imageId });
    } catch (e) {
      setError(e);
    }
  };

  const busy = step !== undefined && !error;
  const steps: Step[] = isCopy ? ['import'] : method === 'glance-direct' ? ['create', 'stage', 'import'] : ['create', 'import'];
  return (
    <Section title="Import an image">
      <form
        class="stack import-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorNote error={methods.error} what="Import methods" />
        {methods.data && methods.data.length === 0 ? <p class="note warn">Image import is not enabled at this site.</p> : null}
        <fieldset>
          <legend>Method</legend>
          {(methods.data ?? []).map((m) => (
            <label key={m} class="choice">
              <input
                type="radio"
                name="method"
                value={m}
                checked={method === m}
                disabled={busy || (copyOf !== undefined && m !== 'copy-image')}
                onChange={() => setMethod(m)}
              />
              <strong>{m}</strong> <span class="muted">{METHOD_HELP[m] ?? ''}</span>
            </label>
          ))}
        </fieldset>

        {isCopy ? (
          <fieldset>
            <legend>Image to copy</legend>
            <label>
              Image ID
              <input name="copy_id" class="mono" value={copyId} onInput={(e) => setCopyId(e.currentTarget.value.trim())} disabled={busy} />
            </label>
            {copied.data ? (
              <p>
                {copied.data.name ?? '(no name)'} — {copied.data.status}, in {copied.data.stores ?? 'no store'}
              </p>
            ) : null}
            <ErrorNote error={copied.error} />
          </fieldset>
        ) : (
          <fieldset>
            <legend>New image</legend>
            <label>
              Name
              <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={file?.name ?? ''} disabled={busy} />
            </label>
            <label>
              Disk format
              <select name="disk_format" value={diskFormat} onChange={(e) => setDiskFormat(e.currentTarget.value)} disabled={busy}>
                {(enums.data?.disk_format ?? [diskFormat]).map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Container format
              <select name="container_format" value={containerFormat} onChange={(e) => setContainerFormat(e.currentTarget.value)} disabled={busy}>
                {(enums.data?.container_format ?? [containerFormat]).map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Visibility
              <select name="visibility" value={visibility} onChange={(e) => setVisibility(e.currentTarget.value)} disabled={busy}>
                <option value="">the service's default</option>
                {(enums.data?.visibility ?? []).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            {method === 'glance-direct' ? (
              <label>
                File
                <input name="file" type="file" disabled={busy} onChange={(e) => setFile(e.currentTarget.files?.[0])} />
                {file ? <span class="muted">{formatBytes(file.size)}</span> : null}
              </label>
            ) : null}
            {method === 'web-download' ? (
              <label>
                URL
                <input name="uri" type="url" value={uri} onInput={(e) => setUri(e.currentTarget.value)} placeholder="https://…/image.qcow2" disabled={busy} />
              </label>
            ) : null}
            {method === 'glance-download' ? (
              <>
                <label>
                  Image ID in the other region
                  <input name="glance_image_id" class="mono" value={remoteId} onInput={(e) => setRemoteId(e.currentTarget.value)} disabled={busy} />
                </label>
                <label>
                  Region
                  <input name="glance_region" value={region} onInput={(e) => setRegion(e.currentTarget.value)} disabled={busy} />
                </label>
                <label>
                  Service interface
                  <input name="glance_service_interface" value={serviceInterface} onInput={(e) => setServiceInterface(e.currentTarget.value)} disabled={busy} />
                </label>
              </>
            ) : null}
          </fieldset>
        )}

        <fieldset>
          <legend>Stores</legend>
          <ErrorNote error={stores.error} what="Stores" />
          {!multi ? (
            <p class="muted">This site has one store; the data goes there.</p>
          ) : (
            <>
              <label class="choice">
                <input type="checkbox" name="all_stores" checked={allStores} onChange={(e) => setAllStores(e.currentTarget.checked)} disabled={busy} /> every
                store
              </label>
              {writable.map((s) => (
                <label key={s.id} class="choice">
                  <input
                    type="checkbox"
                    name="store"
                    value={s.id}
                    disabled={busy || allStores}
                    checked={allStores || chosen.includes(s.id)}
                    onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, s.id] : chosen.filter((c) => c !== s.id))}
                  />
                  {s.id}
                  {s.default === 'true' ? ' (default)' : ''} <span class="muted">{s.description ?? ''}</span>
                </label>
              ))}
              <p class="muted small">{isCopy ? 'Choose the stores to copy to.' : 'None chosen: the default store.'}</p>
              <label class="choice">
                <input
                  type="checkbox"
                  name="all_stores_must_succeed"
                  checked={mustSucceed}
                  onChange={(e) => setMustSucceed(e.currentTarget.checked)}
                  disabled={busy}
                />{' '}
                every store must succeed (otherwise the import succeeds with the stores that worked)
              </label>
            </>
          )}
        </fieldset>

        {step ? (
          <ol class="steps">
            {steps.map((s, i) => (
              <li key={s} data-step={s} class={i < steps.indexOf(step) ? 'done' : s === step ? (error ? 'failed' : 'running') : 'pending'}>
                {STEP_LABEL[s]}
                {s === 'stage' && upload ? (
                  <>
                    {' '}
                    <Bar done={upload.loaded} total={upload.total} label="upload" />
                  </>
                ) : null}
              </li>
            ))}
          </ol>
        ) : null}
        <ErrorNote error={error} what={step ? STEP_LABEL[step] : undefined} />
        {error && created ? (
          <p>
            The image was created: <a href={href({ page: 'image', id: created.id })}>open it</a> to try again or delete it.
          </p>
        ) : null}
        <span class="form-buttons">
          <button type="submit" disabled={!ready || busy}>
            {busy ? 'Working…' : isCopy ? 'Copy' : 'Create and import'}
          </button>
        </span>
      </form>
    </Section>
  );
}
