import { def, defineErrors } from '@glance-import/errors';

/**
 * The image service's error codes: the Image API, the server process, imports, import methods, quotas.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const serverErrors = defineErrors(['GI_API_', 'GI_SERVER_', 'GI_IMPORT_', 'GI_METHOD_', 'GI_QUOTA_'], {
  GI_API_UNAUTHENTICATED: def<{ reason: string }>({
    status: 401,
    message: (p) => `The request you have made requires authentication: ${p.reason}.`,
    hint: 'Send a token in X-Auth-Token; `glance-import token create` makes one.',
  }),
  GI_API_NOT_FOUND: def<{ message: string }>({
    status: 404,
    message: (p) => p.message,
    hint: 'Check the ID and that your project may see the resource.',
  }),
  GI_API_BAD_REQUEST: def<{ message: string }>({
    status: 400,
    message: (p) => p.message,
    hint: 'Fix the request as the message says; the schemas are at /v2/schemas/image and /v2/schemas/task.',
  }),
  GI_API_FORBIDDEN: def<{ message: string }>({
    status: 403,
    message: (p) => p.message,
    hint: 'The attribute or operation is not open to this caller.',
  }),
  GI_API_CONFLICT: def<{ message: string }>({
    status: 409,
    message: (p) => p.message,
    hint: "The image's status does not allow this call now; GET the image to see its status.",
  }),
  GI_API_METHOD_NOT_ALLOWED: def<{ method: string; allowed: string[]; message?: string }>({
    status: 405,
    message: (p) => p.message ?? `The method ${p.method} is not allowed for this resource.`,
    hint: (p) => `Allowed: ${p.allowed.join(', ')}.`,
  }),
  GI_API_UNSUPPORTED_MEDIA_TYPE: def<{ message: string }>({
    status: 415,
    message: (p) => p.message,
    hint: 'Send the Content-Type the call expects.',
  }),
  GI_API_RANGE_NOT_SATISFIABLE: def<{ range: string; size: number }>({
    status: 416,
    message: (p) => `Requested range ${p.range} is not satisfiable for ${p.size} bytes of image data.`,
    hint: 'Ask for a range inside the image size.',
  }),
  GI_API_STAGE_OFFSET_MISMATCH: def<{ imageId: string; offset: number; committed: number }>({
    status: 409,
    message: (p) => `The upload to staging of image ${p.imageId} cannot continue at byte ${p.offset}: the server holds ${p.committed} bytes of it.`,
    hint: (p) =>
      `Continue at byte ${p.committed} (Content-Range: bytes ${p.committed}-*/*), or send the whole data again with a plain PUT; HEAD /v2/images/${p.imageId}/stage answers the offset in X-Image-Stage-Offset.`,
  }),
  GI_API_TOO_LARGE: def<{ message: string }>({
    status: 413,
    message: (p) => p.message,
    hint: 'The image is larger than [DEFAULT] image_size_cap or a quota allows.',
  }),
  GI_API_GONE: def<{ message: string }>({
    status: 410,
    message: (p) => p.message,
    hint: 'The resource went away while the call ran.',
  }),
  GI_API_INTERNAL: def<{ requestId: string }>({
    status: 500,
    message: (p) => `The server failed to handle request ${p.requestId}.`,
    hint: 'The server log has the cause under this request id.',
  }),
  GI_SERVER_DATA_DIR: def<{ dir: string; reason: string }>({
    message: (p) => `Data directory ${p.dir} cannot be used: ${p.reason}.`,
    hint: 'Pass --data-dir with a directory this user can create and write.',
  }),
  GI_SERVER_NODE_ID: def<{ file: string; reason: string }>({
    message: (p) => `This node's id cannot be read or kept in ${p.file}: ${p.reason}.`,
    hint: 'Make the data directory writable, or set [DEFAULT] worker_self_reference_url, which is then the node id.',
  }),
  GI_SERVER_PORT_IN_USE: def<{ host: string; port: number }>({
    message: (p) => `Cannot listen on ${p.host}:${p.port}: the address is already in use.`,
    hint: 'Stop the other process or pass another --port.',
  }),
  GI_SERVER_LISTEN: def<{ host: string; port: number; reason: string }>({
    message: (p) => `Cannot listen on ${p.host}:${p.port}: ${p.reason}.`,
    hint: 'Check --host and --port.',
  }),
  GI_SERVER_DRAINING: def<{ method: string }>({
    status: 503,
    message: (p) => `The server is shutting down: it answers reads until its running imports end, but takes no ${p.method} now.`,
    hint: 'Send the call again once the service is back (a restart takes seconds), or to another node.',
  }),
  GI_IMPORT_LOCKED: def<{ imageId: string }>({
    status: 409,
    message: () => 'Image has active task',
    hint: 'Another import of this image is running; wait for it (GET /v2/images/{id}/tasks) or, if it died, for its lock to expire.',
  }),
  GI_IMPORT_LOCK_LOST: def<{ imageId: string; taskId: string }>({
    message: (p) => `Task ${p.taskId} no longer holds the import lock of image ${p.imageId}.`,
    hint: 'Another import took over an expired lock, or the image was deleted; this import stops.',
  }),
  GI_IMPORT_NOT_STAGED: def<{ imageId: string; reason: string }>({
    status: 409,
    message: (p) => `Staged data of image ${p.imageId} is not usable: ${p.reason}.`,
    hint: 'Stage the data again (DELETE /v2/images/{id}/stage, then PUT .../stage) and import again.',
  }),
  GI_IMPORT_FORMAT_MISMATCH: def<{ declared: string; detected: string }>({
    status: 415,
    message: (p) => `Image disk_format ${p.declared} does not match stream data ${p.detected}.`,
    hint: 'Set disk_format to what the data is, or upload data of the declared format.',
  }),
  GI_IMPORT_UNSAFE: def<{ reason: string }>({
    status: 415,
    message: (p) => `Image failed safety checks: ${p.reason}.`,
    hint: 'The data uses features that could expose host files (backing files, external data files, foreign extents); upload a self-contained image.',
  }),
  GI_IMPORT_STORES_FAILED: def<{ stores: string[]; reason: string }>({
    message: (p) => `Writing to store(s) ${p.stores.join(', ')} failed: ${p.reason}`,
    hint: 'Check the stores named; the import can be retried once they are writable.',
  }),
  GI_IMPORT_NO_STORE_SUCCEEDED: def<Record<string, never>>({
    message: () => 'None of the uploads finished!',
    hint: 'Every target store failed; see os_glance_failed_import on the image and the server log.',
  }),
  GI_IMPORT_IMAGE_DELETED: def<{ imageId: string }>({
    message: (p) => `Image ${p.imageId} was deleted during the import.`,
    hint: 'Nothing to do: the import stopped and removed what it had written.',
  }),
  GI_IMPORT_LOCK_PREEMPTED: def<{ taskId: string }>({
    message: () => 'Expired lock preempted',
    hint: 'A newer import took over this import’s expired lock.',
  }),
  GI_IMPORT_INTERRUPTED: def<{ taskId: string; step?: string }>({
    message: (p) =>
      `Import task ${p.taskId} was interrupted by a server restart` +
      (p.step ? ` in step ${p.step}, which cannot safely run again; what it had done was reverted.` : '.'),
    hint: 'Call the import again; the staged data was kept.',
  }),
  GI_IMPORT_STAGE_HOST_UNREACHABLE: def<{ host: string; imageId: string; reason: string }>({
    status: 504,
    // Glance's words; which node and why are in the hint.
    message: () => 'Stage host is unavailable',
    hint: (p) =>
      `Image ${p.imageId} was staged on ${p.host} ([DEFAULT] worker_self_reference_url of that node), which could not be reached (${p.reason}); nothing changed. ` +
      'Call the import again once that node is back, or stage the data again through a running node (DELETE /v2/images/{id}/stage, then PUT .../stage).',
  }),
  GI_IMPORT_STAGE_HOST_FAILED: def<{ host: string; imageId: string; reason: string }>({
    status: 502,
    message: () => 'Stage host is unavailable',
    hint: (p) =>
      `Image ${p.imageId} was staged on ${p.host}, which did not answer the import relayed to it (${p.reason}). ` +
      'GET the image and its tasks to see whether the import started there; if not, call the import again.',
  }),
  GI_QUOTA_EXCEEDED: def<{ resource: string; limit: number; usage: number; delta: number }>({
    status: 413,
    message: (p) => `${p.resource} is over limit of ${p.limit} due to current usage ${p.usage} and delta ${p.delta}`,
    hint: (p) =>
      `The project's ${p.resource} limit is reached; delete images or staged data, or ask the operator to raise [glance_import_limits] ${p.resource}.`,
  }),
  GI_METHOD_REMOTE_IMAGE: def<{ region: string; imageId: string; reason: string }>({
    message: (p) => `Remote image ${p.imageId} in region ${p.region} cannot be imported: ${p.reason}.`,
    hint: 'Check the remote image id, that it is active, and that the token may read it there.',
  }),
  GI_METHOD_NO_SOURCE: def<{ imageId: string }>({
    message: () => 'Image not found in any configured store',
    hint: 'copy-image reads the image from a store this node has; the image has no data in any of them.',
  }),
  GI_METHOD_URI_FILTERED: def<{ method: string; uri: string; reason: string }>({
    status: 400,
    // Glance's wording; the reason goes in the hint so the message stays what clients match on.
    message: (p) => `URI for ${p.method} does not pass filtering: ${p.uri}`,
    hint: (p) =>
      `Refused because ${p.reason}. Use an http(s) URL that [import_filtering_opts] allows (schemes, hosts, explicit ports); ask the operator which sources are open.`,
  }),
  GI_METHOD_PROCESSED_URI_FILTERED: def<{ method: string; uri: string; reason: string }>({
    // Glance's task message for a URL it built itself (glance-download's remote endpoint), with the reason.
    message: (p) => `Processed URI for ${p.method} does not pass filtering: ${p.uri} (${p.reason})`,
    hint: "The region's endpoint ([glance_import] glance_download_endpoints) must be an http(s) URL that [import_filtering_opts] allows: its host, and its port when it names one.",
  }),
  GI_METHOD_REDIRECT_REFUSED: def<{ uri: string; reason: string }>({
    message: (p) => `Redirect to disallowed URL: ${p.uri} (${p.reason})`,
    hint: 'The source redirected to a URL that [import_filtering_opts] refuses; every redirect is filtered like the URL itself. Import from the final URL if it is allowed, or ask the operator.',
  }),
  GI_METHOD_DOWNLOAD_FAILED: def<{ uri: string; reason: string }>({
    message: (p) => `Downloading ${p.uri} failed: ${p.reason}.`,
    hint: 'Check that the URL serves the image (GET answers 2xx with the whole body) from where this server runs; nothing was kept, so the import can simply be called again.',
  }),
  GI_METHOD_DOWNLOAD_TIMEOUT: def<{ uri: string; phase: 'connect' | 'read'; seconds: number }>({
    message: (p) =>
      p.phase === 'connect'
        ? `Downloading ${p.uri} failed: no connection within ${p.seconds} s.`
        : `Downloading ${p.uri} failed: the source sent nothing for ${p.seconds} s.`,
    hint: (p) => `The source is unreachable or stalled; nothing was kept. Import again when it answers, or raise [import_filtering_opts] ${p.phase}_timeout.`,
  }),
});

/** Builds one of this package's errors: `giError('GI_API_UNAUTHENTICATED', { ... })`. */
export const giError = serverErrors.error;
