import { randomUUID } from 'node:crypto';
import { defineTask, type ImportRequest } from '@glance-import/core';
import { imageEndpointOf } from '@glance-import/keystone';
import { giError } from '../errors.js';
import { badRequest } from '../http/errors.js';
import { UUID_RE } from '../images/attributes.js';
import type { CallerIdentity } from '../http/identity.js';
import type { TaskDeps } from '../import/deps.js';
import type { ImportSettings } from '../import/settings.js';
import type { ImportMethod } from './method.js';
import { filterImportUri, redactUri } from './uri-filter.js';
import { openWebSource } from './web-source.js';
import { remoteSource } from './remote-source.js';
import { stageFrom } from './stage.js';

const RESERVED = 'os_glance';
const MAX_METADATA = 1024 * 1024;

/**
 * The region's Image API: `[glance_import] glance_download_endpoints` when it names the region, else
 * the caller's Keystone catalog at the interface the import asked for (Glance's get_glance_endpoint).
 */
function endpointOf(settings: ImportSettings, region: string, iface: string, caller: CallerIdentity): string | undefined {
  const map = settings.glanceDownload.endpoints;
  const key = Object.keys(map).find((k) => k.toLowerCase() === region.toLowerCase());
  const url = key ? map[key] : caller.catalog ? imageEndpointOf(caller.catalog, region, iface) : undefined;
  return url?.replace(/\/+$/, '');
}

/** GET from the remote Image API through the same filtered, pinned path as web-download. */
async function remoteGet(d: TaskDeps, url: string) {
  const { job } = d;
  const f = d.settings.filtering;
  const region = job.request.method.glance_region!;
  const token = d.settings.glanceDownload.tokens[region] ?? job.caller.token;
  const filter = (u: string) => filterImportUri(u, f, d.resolve);
  // The URL is ours, built from the region's endpoint: a refusal is the operator's to fix (Glance's message).
  const verdict = await filter(url);
  if (!verdict.ok) throw giError('GI_METHOD_PROCESSED_URI_FILTERED', { method: 'glance-download', uri: redactUri(url), reason: verdict.reason });
  return openWebSource(url, {
    filter,
    maxRedirects: f.max_redirects,
    connectTimeoutMs: f.connect_timeout * 1000,
    readTimeoutMs: f.read_timeout * 1000,
    signal: d.signal,
    headers: { ...(token ? { 'x-auth-token': token } : {}), accept: 'application/json', 'x-openstack-request-id': `req-${randomUUID()}` },
  });
}

/**
 * glance-download (Zed+): take an image's metadata and data from the Image API of another region.
 * The region's endpoint comes from `[glance_import] glance_download_endpoints` (Glance reads the
 * Keystone catalog); the constructed URLs pass the web-download URI filter like any other source.
 */
export const glanceDownload: ImportMethod = {
  ...remoteSource('glance-download'),
  validate(d, req: ImportRequest, _image, caller) {
    const m = req.method;
    if (!m.glance_region) throw badRequest("'glance_region' needs to be set for glance-download import method");
    if (!m.glance_image_id) throw badRequest("'glance_image_id' needs to be set for glance-download import method");
    if (!UUID_RE.test(m.glance_image_id)) throw badRequest(`Remote image id does not look like a UUID: ${m.glance_image_id}`);
    // Glance fills in the default interface at the API, so the task input shows it.
    m.glance_service_interface ??= 'public';
    if (!endpointOf(d.settings, m.glance_region, m.glance_service_interface, caller)) {
      const known = [...Object.keys(d.settings.glanceDownload.endpoints), ...(caller.catalog ? ['the image endpoints of your Keystone catalog'] : [])];
      throw badRequest(`Unknown region '${m.glance_region}' for glance-download; this site knows ${known.join(', ') || 'none'}.`);
    }
  },
  tasks: (d) => {
    const region = d.job.request.method.glance_region!;
    const remoteId = d.job.request.method.glance_image_id!;
    const base = endpointOf(d.settings, region, d.job.request.method.glance_service_interface ?? 'public', d.job.caller)!;
    const added: string[] = [];
    return [
      defineTask<Record<string, never>, number>({
        name: 'ImportMetadata',
        provides: 'remote_size',
        execute: async () => {
          const res = await remoteGet(d, `${base}/v2/images/${remoteId}`);
          const chunks: Buffer[] = [];
          let n = 0;
          for await (const c of res.body) {
            n += c.length;
            if (n > MAX_METADATA) throw giError('GI_METHOD_REMOTE_IMAGE', { region, imageId: remoteId, reason: 'the metadata answer is too large' });
            chunks.push(c);
          }
          let remote: Record<string, unknown>;
          try {
            remote = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            throw giError('GI_METHOD_REMOTE_IMAGE', { region, imageId: remoteId, reason: `${redactUri(base)} did not answer with an image` });
          }
          if (remote.status !== 'active')
            throw giError('GI_METHOD_REMOTE_IMAGE', {
              region,
              imageId: remoteId,
              reason: `Source image status should be active instead of ${String(remote.status)}`,
            });
          if (typeof remote.size !== 'number') throw giError('GI_METHOD_REMOTE_IMAGE', { region, imageId: remoteId, reason: 'the remote image has no size' });
          const prefixes = d.settings.glanceDownload.extraProperties;
          const props = Object.fromEntries(
            Object.entries(remote).filter(([k, v]) => typeof v === 'string' && !k.startsWith(RESERVED) && prefixes.some((p) => k.startsWith(p))) as Array<
              [string, string]
            >,
          );
          const image = await d.image.load();
          added.push(...Object.keys(props).filter((k) => !(k in image.properties)));
          await d.image.setAttributes({
            disk_format: (remote.disk_format as string | null) ?? null,
            container_format: (remote.container_format as string | null) ?? null,
          });
          await d.image.setExtraProperties(props);
          return remote.size;
        },
        // ImageLock's revert restores the formats; the properties this task added go here.
        revert: async () => {
          if (added.length) await d.db.images.update(d.job.imageId, { removeProperties: added }).catch(() => {});
        },
      }),
      defineTask<{ remote_size: number }>({
        name: 'DownloadGlanceImage',
        requires: ['remote_size'],
        execute: async ({ remote_size }, ctx) => {
          const src = await remoteGet(d, `${base}/v2/images/${remoteId}/file`);
          await stageFrom(d, src.body, {
            phase: 'download',
            expectedBytes: remote_size,
            signal: ctx.signal,
            ...(src.release ? { onWritten: src.release } : {}),
          });
        },
        revert: async () => {
          await d.staging.remove(d.job.imageId).catch(() => {});
        },
      }),
    ];
  },
};
