import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { EntryPointRegistry, IMPORT_PLUGINS_NAMESPACE, isGlanceImportError, resolveImportPlugins, type ResolvedPlugin } from '@glance-import/core';
import { identityConfig } from '@glance-import/keystone';
import { giError } from './errors.js';
import { consoleDir } from '@glance-import/console';
import { databaseSettings, openDatabase, type Database, type ImageRecord, type OpenOptions } from '@glance-import/db';
import { PolicyEnforcer } from '@glance-import/policy';
import { StagingArea } from '@glance-import/store';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { sendError, toApiError } from './http/errors.js';
import { registerBodyParsers } from './http/body.js';
import { createIdentity, type Identity } from './http/identity.js';
import { Imports } from './import/service.js';
import { importSettings } from './import/settings.js';
import type { Resolver } from './methods/uri-filter.js';
import { serviceLogOptions } from './logger.js';
import { Metrics } from './metrics.js';
import { nodeId } from './node-id.js';
import { pluginsReport } from './plugins-report.js';
import { Quotas } from './quotas.js';
import { consoleRoutes, isConsolePath } from './routes/console.js';
import { imageDataRoutes } from './routes/image-data.js';
import { imageRoutes } from './routes/images.js';
import { importRoutes } from './routes/imports.js';
import { infoRoutes } from './routes/info.js';
import { memberRoutes } from './routes/members.js';
import { opsRoutes } from './routes/ops.js';
import { pluginsInfoRoutes } from './routes/plugins-info.js';
import { projectsUsageRoutes } from './routes/projects-usage.js';
import { schemaRoutes } from './routes/schemas.js';
import { storeRoutes } from './routes/stores.js';
import { taskRoutes } from './routes/tasks.js';
import { versionPrefixes, versionRoutes, versionsDocument } from './routes/versions.js';
import { buildStores, checkStores, type StoreSet } from './stores.js';
import { imageView } from './views/image.js';
import { requeueBrokenStages } from './images/stage-recovery.js';
import type { ServerConfig } from './options.js';
import { restOfBody } from './http/body-takeover.js';

export interface ServerOptions {
  config: ServerConfig;
  dataDir: string;
  /** Where plugins are declared (the host app's package.json); default cwd. */
  root?: string;
  /** Use these plugins instead of discovering them (tests). */
  registry?: EntryPointRegistry;
  /** An open database (the caller closes it); default: `[database] connection`, opened with `database`. */
  db?: Database;
  /** What to do about the schema of the database it opens (default: migrate it). */
  database?: Pick<OpenOptions, 'schema' | 'syncCommand'>;
  /** How long a shutdown waits for running imports before stopping them (they revert); default `[glance_import] shutdown_grace`. */
  shutdownGraceMs?: number;
  /** pino options, or a ready logger; default JSON lines to stdout, level names, ISO times. */
  logger?: LoggerOptions | Logger;
  /** The log level of the logger made here (`serve --log-level`); default info, debug with `[DEFAULT] debug`. */
  logLevel?: string;
  /** How web-download and glance-download resolve names; default node:dns `lookup` (tests play DNS with it). */
  resolve?: Resolver;
}

/** What a running server is made of, for the CLI that prints it and for tests; nothing inside takes it whole. */
export interface ServerParts {
  readonly config: ServerConfig;
  readonly dataDir: string;
  readonly db: Database;
  readonly staging: StagingArea;
  readonly stores: StoreSet;
  readonly plugins: readonly ResolvedPlugin[];
  readonly imports: Imports;
}

export interface GlanceServer {
  readonly app: FastifyInstance;
  readonly runtime: ServerParts;
  /** Who answers "who is calling" ([paste_deploy] flavor). */
  readonly identity: Pick<Identity, 'mode' | 'describe' | 'notices'>;
  /** Start listening; resolves to the URL. */
  listen(host: string, port: number): Promise<string>;
  /**
   * Drain, then stop: new imports, stages and uploads are refused with 503 while reads keep
   * answering; running imports get the grace period to finish (`imports.hurry()` cuts it short),
   * then stop and revert. `reason` (the signal) goes to the log.
   */
  close(o?: { reason?: string }): Promise<void>;
}

/** Large uploads stream through; only JSON bodies are bounded. */
const BODY_LIMIT = 1024 * 1024;
const OPEN_ROUTES = new Set(['/', '/versions', '/healthcheck', '/v2', '/v2/']);
/** The Image API's collections: a client given the unversioned endpoint (openstacksdk with admin_token) calls them without /v2. */
const UNVERSIONED = /^\/(images|schemas|tasks|info|stores)(\/|\?|$)/;
/** Calls that keep answering while the server drains: they read, and a client following an import needs them. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Scrapes and probes every few seconds: their request lines go to debug, not info. */
const QUIET_ROUTES = new Set(['/healthcheck', '/metrics']);

/** Build the Image API server on the embedded default: SQLite, file stores and staging under `dataDir`. */
/** How long a stopping server lets answers in flight finish once its imports are done. */
const CLOSE_ANSWERS_MS = 3000;

export async function createServer(o: ServerOptions): Promise<GlanceServer> {
  const config = o.config;
  const dataDir = path.resolve(o.dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    throw giError('GI_SERVER_DATA_DIR', { dir: dataDir, reason: (e as Error).message }, { cause: e });
  }
  const level = o.logLevel ?? (config.values.DEFAULT.debug ? 'debug' : 'info');
  const log: Logger =
    o.logger && 'child' in o.logger ? (o.logger as Logger) : pino({ ...serviceLogOptions(level), ...(o.logger as LoggerOptions | undefined) });
  const gi = config.values.glance_import;
  // Entry points are looked for only when the config names some (plugins, or store types other than
  // the built-in file store): a service without them needs no host app.
  const needsDiscovery =
    config.values.image_import_opts.image_import_plugins.length > 0 ||
    Object.values(config.values.DEFAULT.enabled_backends ?? {}).some((type) => type !== 'file');
  const registry =
    o.registry ??
    (needsDiscovery
      ? EntryPointRegistry.discover({ root: o.root ?? process.cwd(), dirs: gi.plugin_dirs })
      : EntryPointRegistry.fromExtensions(IMPORT_PLUGINS_NAMESPACE, {}));
  const stores = await buildStores(config, dataDir, registry);
  const staging = new StagingArea(stores.stagingDir);
  const policyFile = gi.policy_file ?? [path.join(dataDir, 'policy.yaml'), path.join(dataDir, 'policy.json')].find((f) => existsSync(f));
  const policy = await PolicyEnforcer.load({ ...(policyFile ? { file: policyFile } : {}) });
  // [paste_deploy] and [keystone_authtoken] are judged with the rest of the config, before the database opens.
  const identityChoice = identityConfig(config, { trustedIdentityHeaders: gi.trusted_identity_headers });
  const { plugins, warnings } = await resolveImportPlugins(registry, config);
  for (const w of warnings) log.warn({ error_code: w.code }, w.message);
  // An object store that cannot work (unreachable, credentials refused, container missing) stops the
  // start here, not the first import.
  await checkStores(stores.byId.values());
  // Opened once nothing else can refuse the config, so a refusal leaves no connection pool open.
  const dbSettings = databaseSettings(config, dataDir);
  const db = o.db ?? (await openDatabase(dbSettings.url, { pool: dbSettings.pool, ...o.database }));
  const identity = createIdentity({ chosen: identityChoice, db, policy, log });
  for (const n of identity.notices) log.warn({ file: n.file }, n.message);
  const metrics = new Metrics();
  let draining = false;
  const quotas = new Quotas({ config, db });
  const selfUrl = config.values.DEFAULT.worker_self_reference_url ?? config.values.DEFAULT.public_endpoint;
  const node = nodeId(config.values.DEFAULT.worker_self_reference_url, dataDir);
  const imports = new Imports({
    selfUrl,
    node,
    db,
    staging,
    stores,
    quotas,
    plugins,
    settings: importSettings(config),
    log,
    metrics,
    ...(o.resolve ? { resolve: o.resolve } : {}),
  });
  metrics.watch(imports);
  const formats = { disk: config.values.image_format.disk_formats, container: config.values.image_format.container_formats };
  const viewOptions = {
    multiStore: stores.multi,
    storeWeights: new Map([...stores.byId.values()].map((s) => [s.id, s.weight])),
    showMultipleLocations: config.values.DEFAULT.show_multiple_locations,
    showDirectUrl: config.values.DEFAULT.show_image_direct_url,
  };
  const view = (image: ImageRecord) => imageView(image, viewOptions);
  const prefixes = versionPrefixes({ config, stores });

  // Typed as the default instance: routes take FastifyInstance, whatever logger type pino brings.
  const app = Fastify({
    loggerInstance: log,
    genReqId: () => `req-${randomUUID()}`,
    // One line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // A path segment is as long as the client makes it: a 255-character tag may take 2 KiB
    // percent-encoded, and a long unknown id answers 404 as in Glance, not the router's 414. Node's
    // 16 KiB header limit bounds the whole URL anyway.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      const m = /^\/(v\d+(?:\.\d+)?)(\/.*)?$/.exec(url);
      if (m && m[1] !== 'v2' && prefixes.has(m[1]!)) return `/v2${m[2] ?? '/'}`;
      // Beyond Glance (whose version negotiation answers 300 there): the unversioned endpoint works too.
      if (UNVERSIONED.test(url)) return `/v2${url}`;
      return url;
    },
  }) as unknown as FastifyInstance;
  app.decorateRequest('caller', undefined);
  registerBodyParsers(app, BODY_LIMIT);

  const routes: Array<{ re: RegExp; method: string }> = [];
  app.addHook('onRoute', (r) => {
    const re = new RegExp(`^${r.url.replace(/:[^/]+/g, '[^/]+')}/?$`);
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ re, method: m });
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Openstack-Request-Id', request.id);
    if (draining && !READS.has(request.method)) throw giError('GI_SERVER_DRAINING', { method: request.method });
    const url = request.url.split('?')[0]!;
    // The console's files need no token (its page asks for one); turned off, /console is simply not found.
    if (OPEN_ROUTES.has(url) || isConsolePath(url) || (url === '/metrics' && gi.metrics_access === 'open')) return;
    // Scrapers (Prometheus' authorization, credentials_file) send the token as a bearer token.
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer && request.headers['x-auth-token'] === undefined) request.headers['x-auth-token'] = bearer;
    const caller = await identity.identify(request, reply);
    if (!caller) return reply;
    request.caller = caller;
  });
  // A refusal that stops reading a body half-way (image_size_cap, a quota, the format) must not wedge a
  // keep-alive connection: the rest of the body is read and dropped, as Glance's eventlet server does,
  // so a client that sends the whole body before it reads (python-glanceclient) gets the answer, and
  // its next request on that connection is served.
  app.addHook('onSend', async (request, _reply, payload) => {
    const body = request.raw;
    // A body read past Node's parser is dropped before the answer, whose connection then closes.
    const rest = restOfBody(body);
    if (rest) await rest;
    else if (!body.complete && !body.destroyed && body.readableFlowing !== true) body.resume();
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    metrics.requests.inc({ method: request.method, status: String(status) });
    metrics.requestSeconds.observe({ method: request.method }, reply.elapsedTime / 1000);
    const line = { method: request.method, url: request.url, status, ms: Math.round(reply.elapsedTime) };
    if (QUIET_ROUTES.has(request.url.split('?')[0]!)) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });
  app.setErrorHandler((err, request, reply) => {
    const apiErr = toApiError(err, request.id);
    if (apiErr.status === 500 || !isGlanceImportError(err)) {
      if (apiErr.status === 500) request.log.error({ err }, 'request failed');
    }
    return sendError(request, reply, apiErr);
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.re.test(url)).map((r) => r.method))];
    if (allowed.length) return sendError(request, reply, giError('GI_API_METHOD_NOT_ALLOWED', { method: request.method, allowed }));
    // An unknown version prefix (/v3/..., /v2.99/...) answers the versions document, as Glance's negotiation does.
    if (/^\/v\d/.test(url) && !url.startsWith('/v2/')) return reply.code(300).send(versionsDocument({ config, stores }, request));
    return sendError(request, reply, giError('GI_API_NOT_FOUND', { message: 'The resource could not be found.' }));
  });

  versionRoutes(app, { config, stores });
  opsRoutes(app, { db, metrics, access: gi.metrics_access });
  schemaRoutes(app, { formats });
  imageRoutes(app, { config, db, policy, quotas, stores, staging, formats, view, imports, selfUrl });
  imageDataRoutes(app, { config, db, policy, quotas, staging, stores, metrics, plugins, imports, selfUrl, node });
  importRoutes(app, { db, policy, imports, selfUrl });
  infoRoutes(app, { policy, quotas, stores, imports });
  storeRoutes(app, { db, policy, stores });
  memberRoutes(app, { config, db, policy });
  taskRoutes(app, { config, db, policy });
  pluginsInfoRoutes(app, {
    policy,
    report: pluginsReport({
      registry,
      configured: config.values.image_import_opts.image_import_plugins,
      loadErrors: gi.plugin_load_errors === 'warn' ? 'warn' : 'fail',
      plugins,
      warnings,
    }),
  });
  projectsUsageRoutes(app, { db, policy, quotas });
  if (gi.console) consoleRoutes(app, { dir: consoleDir(), log });

  // A database that fails here would otherwise keep its pool, and the process, alive.
  const recovered = await imports.recoverInterrupted().catch(async (e: unknown) => {
    if (!o.db) await db.close();
    throw e;
  });
  if (recovered.completed + recovered.resumed + recovered.reverted) {
    log.warn(
      recovered,
      `imports interrupted by the last shutdown: ${recovered.completed} completed, ${recovered.resumed} resumed, ${recovered.reverted} reverted (image back to its pre-import state)`,
    );
  }
  await requeueBrokenStages({ db, staging, log, node, selfUrl }).catch(async (e: unknown) => {
    if (!o.db) await db.close();
    throw e;
  });

  void identity.start();

  return {
    app,
    runtime: { config, dataDir, db, staging, stores, plugins, imports },
    identity,
    async listen(host, port) {
      try {
        return await app.listen({ host, port });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EADDRINUSE') throw giError('GI_SERVER_PORT_IN_USE', { host, port }, { cause: e });
        throw giError('GI_SERVER_LISTEN', { host, port, reason: (e as Error).message }, { cause: e });
      }
    },
    async close(c = {}) {
      const graceMs = o.shutdownGraceMs ?? gi.shutdown_grace * 1000;
      const { active, queued } = imports;
      draining = true;
      log.info(
        { signal: c.reason, grace_s: graceMs / 1000, imports: active, queued },
        `shutting down${c.reason ? ` (${c.reason})` : ''}: waiting up to ${graceMs / 1000} s for ${active} import(s)` +
          `${queued ? ` (${queued} queued import(s) fail now)` : ''}; reads still answer, new imports and uploads get 503`,
      );
      await imports.shutdown(graceMs);
      // Fastify closes the connections that are idle when the close starts; a keep-alive connection
      // whose request was still being answered (a browser console's, say) would then hold the close
      // for the whole keep-alive timeout. Each is closed once its answer has gone out.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      // A socket a browser opened ahead of need (preconnect) carries no request, so it is never
      // "idle" to Node and would hold the close until headersTimeout (60 s): once the imports are done
      // and answers had CLOSE_ANSWERS_MS to go out, every connection left is closed.
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_ANSWERS_MS);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(cut);
      }
      if (!o.db) await db.close();
      log.info('stopped');
    },
  };
}
