import { isGlanceImportError, replacesStagedData, type ResolvedPlugin } from '@glance-import/core';
import { stageWithHashes, storeErrors } from '@glance-import/store';
import { stageHashing } from '../images/stage-hashing.js';
import { giError } from '../errors.js';
import { StreamInspector, type InspectOptions } from '@glance-import/format-inspector';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { judgeFormat } from '../images/format-check.js';
import { STAGE_NODE } from '../images/stage-recovery.js';
import { Head, tap } from '../images/tap.js';
import { afterDelivery, takeOverBody } from '../http/body-takeover.js';
import { badRequest, conflict, notFound, unsupportedMediaType } from '../http/errors.js';
import { assertNoBody, authorize, callerOf, visibleImage } from '../http/guards.js';
import { acceptsCompressed } from '../import/plugins.js';
import type { Database } from '@glance-import/db';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { StagingArea } from '@glance-import/store';
import type { Imports } from '../import/service.js';
import { glanceDirect } from '../methods/index.js';
import { errorLabel, type Metrics } from '../metrics.js';
import type { Quotas } from '../quotas.js';
import type { StoreSet } from '../stores.js';
import type { ServerConfig } from '../options.js';

type Params = { id: string };

/**
 * Data uploads take application/octet-stream only. Checked before the body is parsed (a route's
 * preParsing hook), so a JSON body gets this 415 rather than a JSON parser's 400 or 413.
 */
async function requireOctetStream(request: FastifyRequest): Promise<void> {
  const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (ct !== 'application/octet-stream') throw unsupportedMediaType(`The request media type ${ct} is not supported by this server.`);
}

/** Aborted when the client goes away before the body is complete. */
function clientGone(request: FastifyRequest): AbortSignal {
  const ac = new AbortController();
  request.raw.on('close', () => {
    if (request.raw.complete) return;
    const abort = () => ac.abort(new Error('client disconnected before the end of the data'));
    if (!afterDelivery(request.raw, abort)) abort();
  });
  return ac.signal;
}

/**
 * The request body, chunk by chunk: with a Content-Length, read off the socket past Node's parser
 * (takeOverBody). A write that stops early (a limit, a refused format) leaves the request open
 * rather than destroyed, so the rest of the body is drained (app.ts: after the answer through
 * Node's parser, before it when taken over).
 */
const bodyOf = (request: FastifyRequest, reply: FastifyReply): AsyncIterable<Buffer> & { release?: (bytes: number) => void } =>
  takeOverBody(request.raw, reply.raw) ?? request.raw.iterator({ destroyOnReturn: false });

/** `x-openstack-image-size` (Glance 2025.2+): the size a client announces, for quota pre-checks. */
function declaredSize(request: FastifyRequest): number {
  const raw = request.headers['x-openstack-image-size'];
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw giError('GI_API_BAD_REQUEST', { message: 'x-openstack-image-size must be an integer' });
  return Number(raw);
}

/**
 * A transfer the client broke off is the client's doing (4xx), not a server error to log and count
 * as 500. Only the read itself failing counts: a refusal of ours (size cap, format) also ends the
 * request early, and keeps its own answer.
 */
function clientsFault(e: unknown, gone: AbortSignal, kept = 'nothing was kept.'): unknown {
  return brokenOff(e, gone) ? badRequest(`The client went away before the end of the image data; ${kept}`) : e;
}

const brokenOff = (e: unknown, gone: AbortSignal) =>
  gone.aborted && (isGlanceImportError(e, 'GI_STORE_ABORTED') || isGlanceImportError(e, 'GI_STORE_SOURCE_FAILED'));

/**
 * Beyond Glance: `Content-Range: bytes N-*\/TOTAL` (or `N-LAST/TOTAL`, TOTAL may be `*`) continues a
 * broken-off upload at byte N. Undefined for a plain PUT, which starts over.
 */
function stageRange(request: FastifyRequest): { offset: number; total?: number } | undefined {
  const raw = request.headers['content-range'];
  if (raw === undefined) return undefined;
  const m = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(String(raw).trim());
  const offset = Number(m?.[1]);
  const last = m?.[2] === '*' ? undefined : Number(m?.[2]);
  const total = m?.[3] === '*' ? undefined : Number(m?.[3]);
  if (!m || !Number.isSafeInteger(offset) || (last !== undefined && last < offset) || (total !== undefined && (last ?? offset) >= total))
    throw giError('GI_API_BAD_REQUEST', { message: `Content-Range ${String(raw)} is not 'bytes N-*/TOTAL' (TOTAL may be '*')` });
  return { offset, ...(total !== undefined ? { total } : {}) };
}

function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    start = Math.max(0, size - n);
    end = size - 1;
    if (n === 0) return 'unsatisfiable';
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

async function* chain(...parts: AsyncIterable<Buffer>[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield* part;
}

/** The request body as it streams, with the format inspector and its first bytes taken in the same pass. */
function inspectedBody(request: FastifyRequest, reply: FastifyReply, prefix?: AsyncIterable<Buffer>) {
  const inspector = new StreamInspector();
  const head = new Head();
  const body = bodyOf(request, reply);
  return {
    source: tap(prefix ? chain(prefix, body) : body, (c) => {
      inspector.update(c);
      head.push(c);
    }),
    result: (opts: InspectOptions) => inspector.result(opts),
    head: () => head.bytes,
    /** For the writer's `onWritten`: lets a body read past Node's parser read into its blocks again. */
    ...(body.release ? { onWritten: body.release } : {}),
  };
}

export interface ImageDataRouteDeps {
  config: ServerConfig;
  db: Database;
  policy: PolicyEnforcer;
  quotas: Quotas;
  staging: StagingArea;
  stores: StoreSet;
  metrics: Metrics;
  plugins: readonly ResolvedPlugin[];
  imports: Pick<Imports, 'enabled' | 'offers'>;
  /** URL other nodes reach this one at, recorded as the stage host. */
  selfUrl: string | undefined;
  /** This node's id, recorded on a stage while it runs (start-up requeues only its own). */
  node: string;
}

export function imageDataRoutes(app: FastifyInstance, d: ImageDataRouteDeps): void {
  const cap = () => d.config.values.DEFAULT.image_size_cap;
  const hashAlgo = () => d.config.values.DEFAULT.hashing_algorithm;
  const formatPolicy = () => ({ requireFormatMatch: d.config.values.image_format.require_image_format_match, acceptCompressed: acceptsCompressed(d.plugins) });
  const inspectOpts = (declaredFormat: string | null) => ({
    ...(declaredFormat ? { declaredFormat } : {}),
    vmdkAllowedTypes: d.config.values.image_format.vmdk_allowed_types,
    gptSafetyChecksNonfatal: d.config.values.image_format.gpt_safety_checks_nonfatal,
  });

  // As Glance's deserializer: the method must be on offer, then the Content-Type right.
  const stageAllowed = async (request: FastifyRequest) => {
    if (!d.imports.enabled) throw notFound('Image import is not supported at this site.');
    if (!d.imports.offers(glanceDirect)) throw notFound("'glance-direct' method is not available at this site.");
    await requireOctetStream(request);
  };

  app.put<{ Params: Params }>('/v2/images/:id/stage', { preParsing: stageAllowed }, async (request, reply) => {
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'modify_image', image);
    const range = stageRange(request);
    if (await d.staging.has(image.id)) throw storeErrors.error('GI_STORE_STAGE_EXISTS', { imageId: image.id });
    const owner = image.owner ?? callerOf(request).projectId;
    await d.quotas.enforce(owner, 'image_stage_total', declaredSize(request));
    await d.quotas.enforce(owner, 'image_count_uploading', 1);
    // The status is the stage's lock: one stage at a time, and the kept upload is ours from here.
    await d.db.images
      .update(image.id, { columns: { status: 'uploading' }, setProperties: { [STAGE_NODE]: d.node } }, { fromStatus: ['queued'] })
      .catch((e: { code?: string }) => {
        throw e.code === 'GI_DB_CONFLICT' ? conflict(`Image status transition from ${image.status} to uploading is not allowed`) : e;
      });
    const resumeAt = range?.offset ?? 0;
    const gone = clientGone(request);
    try {
      if (resumeAt > 0) {
        const committed = (await d.staging.uploadOffset(image.id)) ?? 0;
        if (committed !== resumeAt) {
          reply.header('X-Image-Stage-Offset', String(committed));
          throw giError('GI_API_STAGE_OFFSET_MISMATCH', { imageId: image.id, offset: resumeAt, committed });
        }
      }
      const body = inspectedBody(request, reply, resumeAt > 0 ? (d.staging.readUpload(image.id, resumeAt) as AsyncIterable<Buffer>) : undefined);
      const res = await d.quotas.capped(owner, 'image_stage_total', cap(), (maxBytes) =>
        stageWithHashes(d.staging, image.id, body.source, {
          maxBytes,
          signal: gone,
          resumable: true,
          resumeAt,
          ...(body.onWritten ? { onWritten: body.onWritten } : {}),
          // A converter will replace these bytes: their digests would be thrown away.
          hash: !replacesStagedData(d.plugins, image.disk_format),
          ...stageHashing(request, hashAlgo()),
          ...(range?.total !== undefined ? { expectedBytes: range.total } : {}),
        }),
      );
      const verdict = judgeFormat(image, body.result(inspectOpts(image.disk_format)), body.head(), formatPolicy());
      if (verdict.warning) request.log.warn({ image_id: image.id }, verdict.warning);
      d.metrics.bytesStaged.inc({}, res.size - resumeAt);
      await d.db.images.update(
        image.id,
        { columns: { size: res.size }, ...(d.selfUrl ? { setProperties: { os_glance_stage_host: d.selfUrl } } : {}) },
        { fromStatus: ['uploading'] },
      );
    } catch (e) {
      d.metrics.stageErrors.inc({ code: errorLabel(e) });
      // Back to queued so the user can stage again. A connection that broke keeps what arrived for a
      // resume (beyond Glance); any other failure (a limit, the format, an offset refused) leaves
      // nothing, except a kept upload a wrong offset did not touch.
      const resumable = brokenOff(e, gone);
      if (isGlanceImportError(e, 'GI_API_STAGE_OFFSET_MISMATCH')) await d.staging.remove(image.id, { keepUpload: true }).catch(() => {});
      else if (!resumable) await d.staging.remove(image.id).catch(() => {});
      await d.db.images
        .update(image.id, { columns: { status: 'queued', size: null }, removeProperties: [STAGE_NODE] }, { fromStatus: ['uploading'] })
        .catch(() => {});
      throw clientsFault(e, gone, `what arrived is kept: HEAD /v2/images/${image.id}/stage answers how much, and a PUT with Content-Range continues it.`);
    }
    return reply.code(204).send();
  });

  // Beyond Glance: how much of an upload to staging the server holds, so a client that lost its
  // connection continues with `Content-Range: bytes N-*/TOTAL` instead of sending everything again.
  app.head<{ Params: Params }>('/v2/images/:id/stage', async (request, reply) => {
    if (!d.imports.enabled) throw notFound('Image import is not supported at this site.');
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'modify_image', image);
    const complete = await d.staging.size(image.id);
    const kept = complete === undefined ? await d.staging.uploadOffset(image.id) : undefined;
    const state = complete !== undefined ? 'complete' : image.status === 'uploading' ? 'uploading' : kept !== undefined ? 'partial' : 'none';
    return reply
      .code(200)
      .header('X-Image-Stage-State', state)
      .header('X-Image-Stage-Offset', String(complete ?? kept ?? 0))
      .send();
  });

  // Beyond Glance (which answers 405): drop staged data and return the image to queued.
  app.delete<{ Params: Params }>('/v2/images/:id/stage', async (request, reply) => {
    assertNoBody(request);
    if (!d.imports.enabled) throw notFound('Image import is not supported at this site.');
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'modify_image', image);
    if (image.status === 'queued' && (await d.staging.uploadOffset(image.id)) !== undefined) {
      await d.staging.discardUpload(image.id);
      return reply.code(204).send();
    }
    if (image.status !== 'uploading')
      throw conflict(`Image ${image.id} has no staged data to delete (status is ${image.status}); only an uploading image has.`);
    await d.db.images
      .update(image.id, { columns: { status: 'queued', size: null }, removeProperties: ['os_glance_stage_host', STAGE_NODE] }, { fromStatus: ['uploading'] })
      .catch((e: { code?: string }) => {
        throw e.code === 'GI_DB_CONFLICT' ? conflict(`Image ${image.id} changed status while its staged data was being deleted.`) : e;
      });
    await d.staging.remove(image.id);
    return reply.code(204).send();
  });

  app.put<{ Params: Params }>('/v2/images/:id/file', { preParsing: requireOctetStream }, async (request, reply) => {
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'upload_image', image);
    const storeId = (request.headers['x-image-meta-store'] as string | undefined) ?? d.stores.defaultId;
    const driver = d.stores.byId.get(storeId);
    if (!driver) throw giError('GI_API_BAD_REQUEST', { message: `Store for identifier ${storeId} not found` });
    if (!image.disk_format || !image.container_format)
      throw giError('GI_API_BAD_REQUEST', { message: 'Properties disk_format, container_format must be set prior to saving data.' });
    const owner = image.owner ?? callerOf(request).projectId;
    await d.quotas.enforce(owner, 'image_size_total', declaredSize(request));
    await d.quotas.enforce(owner, 'image_count_uploading', 1);
    await d.db.images.update(image.id, { columns: { status: 'saving' } }, { fromStatus: ['queued'] }).catch((e: { code?: string }) => {
      throw e.code === 'GI_DB_CONFLICT' ? conflict(`Image status transition from ${image.status} to saving is not allowed`) : e;
    });
    const body = inspectedBody(request, reply);
    let location: string | undefined;
    const gone = clientGone(request);
    try {
      const res = await d.quotas.capped(owner, 'image_size_total', cap(), (maxBytes) =>
        driver.add(image.id, body.source, { maxBytes, signal: gone, hashAlgo: hashAlgo() }),
      );
      location = res.location;
      const result = body.result(inspectOpts(image.disk_format));
      judgeFormat(image, result, body.head(), { ...formatPolicy(), acceptCompressed: false });
      const virtual = image.container_format === 'bare' && result.diskFormat === image.disk_format ? result.virtualSize : null;
      await d.db.images.addLocation(image.id, { store: storeId, url: res.location, metadata: { store: storeId }, status: 'active' });
      await d.db.images.update(
        image.id,
        {
          columns: {
            status: 'active',
            size: res.size,
            checksum: res.checksum,
            os_hash_algo: res.hashAlgo,
            os_hash_value: res.hashValue,
            virtual_size: virtual ?? res.size,
          },
        },
        { fromStatus: ['saving'] },
      );
      d.metrics.bytesStored.inc({ store: storeId }, res.size);
    } catch (e) {
      if (location) await driver.delete(location).catch(() => {});
      else d.metrics.storeErrors.inc({ store: storeId, code: errorLabel(e) });
      const fresh = await d.db.images.get(image.id);
      for (const l of fresh?.locations ?? []) if (l.url === location) await d.db.images.removeLocation(image.id, l.id);
      await d.db.images
        .update(
          image.id,
          { columns: { status: 'queued', size: null, checksum: null, os_hash_algo: null, os_hash_value: null } },
          { fromStatus: ['saving', 'active'] },
        )
        .catch(() => {});
      if (isGlanceImportError(e, 'GI_DB_NOT_FOUND'))
        throw giError('GI_API_GONE', { message: 'Image was deleted during upload; the uploaded data was removed.' });
      throw clientsFault(e, gone);
    }
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/v2/images/:id/file', async (request, reply: FastifyReply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'download_image', image);
    if (image.status === 'deactivated' && !callerOf(request).isAdmin)
      throw giError('GI_API_FORBIDDEN', { message: 'The requested image has been deactivated. Image data download is forbidden.' });
    const locations = image.locations.filter((l) => l.status === 'active');
    const loc = locations.find((l) => l.store === d.stores.defaultId) ?? locations[0];
    if (!loc) return reply.code(204).send();
    const driver = d.stores.byId.get(loc.store);
    if (!driver) throw giError('GI_API_NOT_FOUND', { message: `Image data of ${image.id} is in store '${loc.store}', which this node does not have.` });
    const size = image.size ?? 0;
    const rangeHeader = request.headers.range ?? (request.headers['content-range'] as string | undefined)?.replace(/^bytes /, 'bytes=').replace(/\/.*$/, '');
    reply.header('Content-Type', 'application/octet-stream');
    if (rangeHeader) {
      // Glance (common/wsgi.py get_range_from_request) refuses several ranges before looking at them.
      if (String(rangeHeader).includes(','))
        throw badRequest('Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.');
      const range = parseRange(String(rangeHeader), size);
      if (range === 'unsatisfiable' || !range) {
        reply.header('Content-Range', `bytes */${size}`);
        throw giError('GI_API_RANGE_NOT_SATISFIABLE', { range: String(rangeHeader), size });
      }
      const { stream } = await driver.get(loc.url, range);
      reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
        .header('Content-Length', range.end - range.start + 1);
      return reply.send(stream);
    }
    const { stream, size: stored } = await driver.get(loc.url);
    if (image.checksum) reply.header('Content-MD5', image.checksum);
    reply.header('Content-Length', stored);
    return reply.send(stream);
  });
}
