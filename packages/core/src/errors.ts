/**
 * The one error registry of glance-import. Every error and warning the project raises has a stable
 * `GI_*` code, a message built from typed parameters, and a hint telling a person what to do.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */

import { GlanceImportError, didYouMean, quoteList as list } from '@glance-import/errors';

export { GlanceImportError, isGlanceImportError, reasonOf, type GlanceImportErrorJSON } from '@glance-import/errors';

type Params = Record<string, unknown>;

interface Definition<P extends Params> {
  /** HTTP status when the error reaches an API client. */
  status?: number;
  message: (p: P) => string;
  hint: string | ((p: P) => string);
}

const define = <P extends Params>(d: Definition<P>) => d;

export const errorDefinitions = {
  // --- flows and the engine -------------------------------------------------------------------
  GI_FLOW_INVALID: define<{ flow: string; reason: string }>({
    message: (p) => `Flow '${p.flow}' is not valid: ${p.reason}.`,
    hint: 'Fix the flow definition returned by the plugin or caller that built it.',
  }),
  GI_FLOW_DUPLICATE_ATOM: define<{ name: string }>({
    message: (p) => `Two atoms in one flow are named '${p.name}'.`,
    hint: 'Atom names identify persisted state; give every task in a flow a distinct name.',
  }),
  GI_FLOW_CYCLE: define<{ flow: string; cycle: string[] }>({
    message: (p) => `Graph flow '${p.flow}' has a dependency cycle: ${p.cycle.join(' -> ')}.`,
    hint: 'A graph flow orders tasks by what they require and provide; break the cycle by renaming or removing one requirement.',
  }),
  GI_FLOW_MISSING_INPUT: define<{ atom: string; input: string; detail?: string }>({
    message: (p) => `Task '${p.atom}' requires '${p.input}', which nothing provides before it${p.detail ? ` (${p.detail})` : ''}.`,
    hint: 'Provide the value as an engine input, or add a task ordered before it that provides it.',
  }),
  GI_FLOW_FAILED: define<{ flow: string; atom: string; reason: string }>({
    status: 500,
    message: (p) => `Flow '${p.flow}' failed in task '${p.atom}': ${p.reason}`,
    hint: 'See `failures` for the original error and any revert failures.',
  }),
  GI_FLOW_CANCELLED: define<{ flow: string; reason?: string }>({
    message: (p) => `Flow '${p.flow}' was cancelled${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The flow was aborted through its signal; what had run was reverted.',
  }),
  GI_FLOW_RESULT_SHAPE: define<{ atom: string; missing: string[] }>({
    message: (p) => `Task '${p.atom}' declares provides ${list(p.missing)} but its result has no such key.`,
    hint: 'A task that provides several names must return an object with one key per name.',
  }),

  // --- the entry-point registry ---------------------------------------------------------------
  GI_REGISTRY_NOT_FOUND: define<{ namespace: string; name: string; suggestions?: string[]; available: string[] }>({
    message: (p) => `No entry point '${p.name}' in namespace '${p.namespace}'.${didYouMean(p.suggestions)}`,
    hint: (p) => p.available.length
      ? `Installed names: ${list(p.available)}. Install the package that provides '${p.name}' (npm install it in the host app) or fix the name.`
      : `No package declares entry points in '${p.namespace}'. Install a plugin package and list it in the host's package.json dependencies.`,
  }),
  GI_REGISTRY_DUPLICATE_CLAIM: define<{ namespace: string; name: string; packages: string[] }>({
    message: (p) => `Entry point '${p.name}' in '${p.namespace}' is claimed by several packages: ${list(p.packages)}.`,
    hint: 'Uninstall all but one of these packages; an entry-point name must be unique.',
  }),
  GI_REGISTRY_DUPLICATE_NAME: define<{ namespace: string; name: string }>({
    message: (p) => `'${p.name}' is listed more than once for '${p.namespace}'.`,
    hint: 'Each plugin runs once; remove the repeated name from the list.',
  }),
  GI_REGISTRY_BAD_METADATA: define<{ package: string; reason: string }>({
    message: (p) => `Package '${p.package}' declares invalid entry points: ${p.reason}.`,
    hint: 'Entry points are `"entryPoints": { "<namespace>": { "<name>": "<module path>[:<export>]" } }` in package.json.',
  }),
  GI_REGISTRY_IMPORT_FAILED: define<{ name: string; package: string; module: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) could not be imported from '${p.module}': ${p.reason}`,
    hint: 'Is the package built and installed completely? The cause is attached.',
  }),
  GI_REGISTRY_EXPORT_INVALID: define<{ name: string; package: string; export: string; found: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) names export '${p.export}', which is ${p.found}; a function was expected.`,
    hint: 'Point the entry point at an exported function, e.g. "./dist/index.js:getFlow".',
  }),
  GI_REGISTRY_INCOMPATIBLE: define<{ name: string; package: string; packageVersion: string; host: string; range: string; version: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}@${p.packageVersion}) requires ${p.host} ${p.range}, but ${p.version} is running.`,
    hint: (p) => `Install a version of ${p.package} built for ${p.host} ${p.version}, or a ${p.host} that satisfies ${p.range}.`,
  }),
  GI_REGISTRY_NO_CORE_RANGE: define<{ name: string; package: string; host: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) does not say which ${p.host} it works with.`,
    hint: (p) => `The plugin's package.json must list ${p.host} in peerDependencies with a semver range.`,
  }),
  GI_REGISTRY_FACTORY_FAILED: define<{ name: string; package: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) failed while building its flow: ${p.reason}`,
    hint: 'The plugin threw from getFlow(); the cause is attached.',
  }),
  GI_REGISTRY_HOST_NOT_FOUND: define<{ root: string }>({
    message: (p) => `No package.json found at or above '${p.root}'.`,
    hint: 'Run the command inside the host application (the folder whose package.json lists the plugins), or pass --root.',
  }),
  GI_REGISTRY_SKIPPED: define<{ name: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' was skipped: ${p.reason}`,
    hint: 'The operator chose to warn and skip (plugin_load_errors = warn); fix the cause or remove the name.',
  }),

  // --- import plugins ---------------------------------------------------------------------------
  GI_PLUGIN_INVALID_OPTIONS: define<{ plugin: string; group: string; problems: string[] }>({
    message: (p) => `Options of plugin '${p.plugin}' in [${p.group}] are invalid: ${p.problems.join('; ')}.`,
    hint: 'Fix the value in the config file (the message says what the option accepts), then run `glance-import config check` again: it stops at the first problem.',
  }),
  GI_PLUGIN_CHAIN_INCOMPATIBLE: define<{ plugin: string; position: number; reason: string; fix?: string }>({
    message: (p) => `Plugin '${p.plugin}' (position ${p.position} in image_import_plugins) cannot work here: ${p.reason}.`,
    hint: (p) => p.fix ?? 'Reorder [image_import_plugins] image_import_plugins so each plugin receives data it accepts.',
  }),

  // --- configuration ----------------------------------------------------------------------------
  GI_CONFIG_PARSE: define<{ file: string; line: number; reason: string }>({
    message: (p) => `${p.file}:${p.line}: ${p.reason}.`,
    hint: 'Config files use oslo.config INI syntax: [group] headers and `name = value` lines.',
  }),
  GI_CONFIG_LOAD_FAILED: define<{ file: string; reason: string }>({
    message: (p) => `Config file '${p.file}' could not be loaded: ${p.reason}`,
    hint: 'cosmiconfig files (module name glance-import) hold { "<group>": { "<option>": value } } as JSON, YAML or a module\'s default export; a .ts file needs the typescript package installed in the host app.',
  }),
  GI_CONFIG_FILE_NOT_FOUND: define<{ file: string }>({
    message: (p) => `Config file '${p.file}' does not exist or cannot be read.`,
    hint: 'Check the path given to --config-file.',
  }),
  GI_CONFIG_UNKNOWN_GROUP: define<{ file: string; group: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown group [${p.group}].${didYouMean(p.suggestions)}`,
    hint: 'Groups are those of glance-api.conf / glance-image-import.conf, one per store in enabled_backends, and one per configured plugin.',
  }),
  GI_CONFIG_UNKNOWN_OPTION: define<{ file: string; group: string; option: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown option '${p.option}' in [${p.group}].${didYouMean(p.suggestions)}`,
    hint: "Remove the option or fix its spelling; a plugin's group accepts the options in its README, core groups those of glance-api.conf.",
  }),
  GI_CONFIG_INVALID_VALUE: define<{ file: string; group: string; option: string; reason: string }>({
    message: (p) => `${p.file}: [${p.group}] ${p.option}: ${p.reason}.`,
    hint: 'Fix the value; the message says what the option accepts.',
  }),

  // --- the format inspector (GI_INSPECT_*) ------------------------------------------------------
  GI_INSPECT_UNSAFE: define<{ format: string; reason: string; fix: string }>({
    status: 400,
    message: (p) => `The image data (${p.format}) failed the format inspector's safety checks: ${p.reason}.`,
    hint: (p) => p.fix,
  }),
  GI_INSPECT_FORMAT_MISMATCH: define<{ declared: string; detected: string }>({
    status: 415,
    message: (p) => `The image's disk_format is '${p.declared}', but its data is ${p.detected}.`,
    hint: (p) => `Set disk_format to '${p.detected}' if the data is right, or upload data in ${p.declared} format.`,
  }),
  GI_INSPECT_READ_FAILED: define<{ source: string; reason: string }>({
    message: (p) => `Could not read ${p.source} to inspect it: ${p.reason}`,
    hint: 'The inspector needs a readable regular file or a stream that does not fail; check the path and permissions.',
  }),

  // --- shipped import plugins (GI_DECOMPRESS_*, GI_CONVERT_*, GI_INJECT_*) ----------------------
  GI_CONVERT_NO_DISK_FORMAT: define<{ image: string }>({
    message: (p) => `Image ${p.image} has no disk_format, so image_conversion cannot tell qemu-img what the data is.`,
    hint: 'Set disk_format (and container_format) on the image before staging its data, then import again.',
  }),
  GI_CONVERT_UNSUPPORTED_FORMAT: define<{ format: string; supported: string[] }>({
    message: (p) => `disk_format '${p.format}' cannot be converted: qemu-img has no driver for it.`,
    hint: (p) => `image_conversion converts ${list(p.supported)}. Set the right disk_format, or leave image_conversion out of image_import_plugins for such images.`,
  }),
  GI_CONVERT_UNSAFE: define<{ reason: string; fix: string }>({
    message: (p) => `Image has disallowed configuration: ${p.reason}.`,
    hint: (p) => p.fix,
  }),
  GI_CONVERT_FORMAT_MISMATCH: define<{ declared: string; detected: string }>({
    message: (p) => `Image format mismatch: disk_format is '${p.declared}', but the data is ${p.detected}.`,
    hint: (p) => `Set disk_format to '${p.detected}' if the data is right, or stage data in ${p.declared} format; then import again.`,
  }),
  GI_CONVERT_METADATA_MISMATCH: define<{ declared: string; reported: string }>({
    message: (p) => `Image metadata disagrees about format: qemu-img reads the data as '${p.reported}', disk_format is '${p.declared}'.`,
    hint: 'The image is corrupt or crafted; stage a clean image.',
  }),
  GI_CONVERT_QEMU_IMG_MISSING: define<Record<string, never>>({
    message: () => 'qemu-img was not found on the PATH of the import service.',
    hint: 'Install it (Debian: apt-get install qemu-utils) or remove image_conversion from image_import_plugins.',
  }),
  GI_CONVERT_QEMU_IMG_FAILED: define<{ command: string; reason: string }>({
    message: (p) => `qemu-img ${p.command} failed: ${p.reason}`,
    hint: 'qemu-img could not read or write the image; the message above is its own. The staged data is kept, so the import can be retried.',
  }),
  GI_CONVERT_TIMEOUT: define<{ command: string; seconds: number }>({
    message: (p) => `qemu-img ${p.command} did not finish within ${p.seconds} s and was stopped.`,
    hint: 'Raise [image_conversion] convert_timeout for very large images, or check the staging disk is not stalled.',
  }),
  GI_CONVERT_CANCELLED: define<Record<string, never>>({
    message: () => 'Image conversion was cancelled; qemu-img was stopped and its partial output removed.',
    hint: 'The import was aborted; the staged data is intact, so it can be imported again.',
  }),
  GI_CONVERT_TOO_LARGE: define<{ bytes: number; limit: number; option: string }>({
    message: (p) => `The converted image would take ${p.bytes} bytes, more than ${p.option} allows (${p.limit}).`,
    hint: 'Convert to a sparse format ([image_conversion] output_format = qcow2), or raise the limit.',
  }),
  GI_CONVERT_OUTPUT_MISMATCH: define<{ expected: string; detected: string; reason?: string }>({
    message: (p) => `Converted image in unexpected format: expected ${p.expected}, the inspector found ${p.detected}${p.reason ? ` (${p.reason})` : ''}.`,
    hint: 'qemu-img wrote something other than what was asked for; report it with the qemu-img version. The staged data is kept.',
  }),
  GI_DECOMPRESS_TOO_LARGE: define<{ format: string; limit: number; guard: 'image_size_cap' | 'staging_quota' | 'max_ratio' | 'max_output_bytes'; inputBytes: number }>({
    message: (p) => `Decompressing the ${p.format} data went past ${p.limit} bytes, the limit set by ${{
      image_size_cap: '[DEFAULT] image_size_cap', staging_quota: 'the staging quota left to this project',
      max_ratio: '[image_decompression] max_ratio (times the compressed size, and at least 16 MiB)', max_output_bytes: '[image_decompression] max_output_bytes',
    }[p.guard]}; stopped, and the staged data is unchanged.`,
    hint: (p) => p.guard === 'max_ratio' || p.guard === 'max_output_bytes'
      ? `Either a decompression bomb or an image that really expands this much (${p.inputBytes} bytes in). If it is genuine, raise [image_decompression] ${p.guard} and import again.`
      : 'The decompressed image does not fit; upload a smaller image, or ask the operator to raise the limit.',
  }),
  GI_DECOMPRESS_CORRUPT: define<{ format: string; reason: string }>({
    message: (p) => `The staged data looks like ${p.format} but cannot be decompressed: ${p.reason}.`,
    hint: 'The upload is truncated or damaged, or is not the format its first bytes claim. Check the file locally (e.g. `gzip -t`, `xz -t`, `zstd -t`, `bzip2 -t`, `unzip -t`) and stage it again; the staged data is unchanged.',
  }),
  GI_DECOMPRESS_UNSUPPORTED_FORMAT: define<{ format: string }>({
    message: (p) => `The staged data is a ${p.format} archive, which image_decompression does not decompress.`,
    hint: 'Recompress the image with gzip, zstd, xz or bzip2 (or zip with one member), or set container_format to \'compressed\' to store it as it is.',
  }),
  GI_DECOMPRESS_MEMORY: define<{ format: string; needed: string; limit: string }>({
    message: (p) => `The ${p.format} data needs ${p.needed} of decoding window; the decoder allows at most ${p.limit}.`,
    hint: 'The reference tools refuse such data by default too (`zstd -d` without --memory). Recompress without --long/--ultra (zstd) or with at most -9 (xz).',
  }),
  GI_DECOMPRESS_ZIP_MEMBERS: define<{ count: number }>({
    message: (p) => `The zip archive holds ${p.count} members; image_decompression takes an archive with exactly one file.`,
    hint: 'Zip the disk image alone (no folders, no extra files), or compress it with gzip, zstd or xz.',
  }),
  GI_DECOMPRESS_ZIP_UNSAFE_NAME: define<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' has an unsafe name (${p.reason}); the archive is refused.`,
    hint: 'Member names must be relative paths without `..`, drive letters or backslashes. Such a name only appears in crafted archives: zip the image file again.',
  }),
  GI_DECOMPRESS_ZIP_UNSUPPORTED: define<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' cannot be used: ${p.reason}.`,
    hint: 'Zip the image as a plain file with deflate or no compression, without encryption (`zip image.zip disk.img`).',
  }),
  GI_DECOMPRESS_WRITE_FAILED: define<{ path: string; reason: string }>({
    message: (p) => `Could not write the decompressed image to '${p.path}': ${p.reason}.`,
    hint: 'Check free space and permissions in the staging directory ([DEFAULT] node_staging_uri); the staged data is unchanged, so the import can be retried.',
  }),
  GI_INJECT_FORBIDDEN_PROPERTY: define<{ keys: string[] }>({
    message: (p) => `[inject_metadata_properties] inject names properties an import may not set: ${p.keys.join(', ')}.`,
    hint: 'Base attributes (id, size, disk_format, owner, visibility, …) and the reserved os_glance* namespace cannot be injected; remove them from `inject`.',
  }),

  // --- the image service: API, stores, database (GI_API_*, GI_STORE_*, GI_DB_*, GI_IMPORT_*) -----
  GI_STORE_BAD_STAGING_URI: define<{ uri: string }>({
    status: 400,
    message: (p) => `'node_staging_uri' is not set correctly ('${p.uri}'). Could not load staging store.`,
    hint: "Set [DEFAULT] node_staging_uri to 'file://<absolute path>', e.g. file:///var/lib/glance-import/staging.",
  }),
  GI_STORE_BAD_IMAGE_ID: define<{ imageId: string }>({
    status: 400,
    message: (p) => `'${p.imageId}' cannot name image data: it must be non-empty and hold no '/', '\\', '.' or NUL.`,
    hint: 'Image ids are UUIDs; pass the id of the image record.',
  }),
  GI_STORE_STAGE_EXISTS: define<{ imageId: string }>({
    status: 409,
    message: (p) => `The image ${p.imageId} has data on staging`,
    hint: (p) => `Import the staged data (POST /v2/images/${p.imageId}/import) or drop it (DELETE /v2/images/${p.imageId}/stage) before staging again.`,
  }),
  GI_STORE_DUPLICATE: define<{ store: string; imageId: string }>({
    status: 409,
    message: (p) => `Store '${p.store}' already holds data for image ${p.imageId}.`,
    hint: 'Delete the existing data from that store first, or import to another store.',
  }),
  GI_STORE_TOO_LARGE: define<{ limit: number }>({
    status: 413,
    message: (p) => `The incoming image is too large: it passed the limit of ${p.limit} bytes.`,
    hint: 'Upload a smaller image, or raise [DEFAULT] image_size_cap.',
  }),
  GI_STORE_SIZE_MISMATCH: define<{ expected: number; actual: number; longer: boolean }>({
    status: 400,
    message: (p) => p.longer
      ? `The data is longer than the ${p.expected} bytes announced (at least ${p.actual} bytes arrived).`
      : `The data ended after ${p.actual} bytes; ${p.expected} bytes were announced.`,
    hint: 'Send exactly the announced number of bytes (x-openstack-image-size / Content-Length), or do not announce a size.',
  }),
  GI_STORE_FULL: define<{ store: string; path: string; reason: string }>({
    status: 413,
    message: (p) => `Image storage media is full: store '${p.store}' could not write '${p.path}' (${p.reason}).`,
    hint: 'Free space (or raise the quota) on the store\'s file system, or import to another store.',
  }),
  GI_STORE_WRITE_DENIED: define<{ store: string; path: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' cannot be written: '${p.path}' (${p.reason}).`,
    hint: 'Check that the store directory exists, is a directory, is mounted read-write and is writable by the glance-import user.',
  }),
  GI_STORE_IO: define<{ store: string; path: string; reason: string }>({
    status: 500,
    message: (p) => `Store '${p.store}' failed on '${p.path}': ${p.reason}.`,
    hint: 'An I/O error from the operating system; check the disk and the kernel log. Nothing partial was kept.',
  }),
  GI_STORE_ABORTED: define<{ what: string; reason?: string }>({
    message: (p) => `${p.what} was aborted${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The write was stopped through its abort signal (a cancelled task, a client that went away, or another store that failed with fail-fast); partial data was removed.',
  }),
  GI_STORE_SOURCE_FAILED: define<{ reason: string }>({
    message: (p) => `Reading the image data failed: ${p.reason}`,
    hint: 'The data source (an upload, a download or a staged file) broke off; the cause is attached. Partial data was removed; send the data again.',
  }),
  GI_STORE_NOT_FOUND: define<{ store: string; location: string }>({
    status: 404,
    message: (p) => `Store '${p.store}' has no data at '${p.location}'.`,
    hint: 'The image data was deleted or never written; the image location is stale.',
  }),
  GI_STORE_BAD_LOCATION: define<{ store: string; location: string; reason: string }>({
    message: (p) => `'${p.location}' is not a location of store '${p.store}': ${p.reason}.`,
    hint: 'Each store reads only the locations it wrote; pass the location to the store of its image location record.',
  }),
  GI_STORE_RANGE_NOT_SATISFIABLE: define<{ start: number; end?: number; size: number }>({
    status: 416,
    message: (p) => `Range ${p.start}-${p.end ?? ''} cannot be satisfied: the image has ${p.size} bytes.`,
    hint: 'Ask for a range that starts before the end of the data (bytes=<start>-<end>, end inclusive).',
  }),
  GI_STORE_READ_ONLY: define<{ store: string }>({
    status: 410,
    message: (p) => `Store '${p.store}' is read-only: image data cannot be added to it.`,
    hint: 'Import to a writable store; read-only stores (such as http) only serve existing locations.',
  }),
  GI_STORE_BAD_OPTIONS: define<{ store: string; reason: string }>({
    message: (p) => `Store '${p.store}' cannot be set up: ${p.reason}.`,
    hint: "Fix the store's group in the config (e.g. [<store id>] filesystem_store_datadir = /var/lib/glance-import/images).",
  }),
  GI_STORE_BAD_HASH_ALGO: define<{ algo: string; available: string[] }>({
    message: (p) => `Hashing algorithm '${p.algo}' is not available.`,
    hint: (p) => `Set [DEFAULT] hashing_algorithm to one of ${list(p.available)}.`,
  }),

  // --- database (GI_DB_*) ------------------------------------------------------------------------
  GI_DB_NOT_FOUND: define<{ kind: string; id: string }>({
    status: 404,
    message: (p) => `No ${p.kind} with ID ${p.id} found.`,
    hint: 'Check the ID; deleted records are not shown.',
  }),
  GI_DB_CONFLICT: define<{ kind: string; id: string; reason: string }>({
    status: 409,
    message: (p) => `The ${p.kind} ${p.id} changed concurrently: ${p.reason}.`,
    hint: 'Read it again and retry the call.',
  }),
  GI_DB_DUPLICATE: define<{ kind: string; id: string }>({
    status: 409,
    message: (p) => `A ${p.kind} with ID ${p.id} already exists.`,
    hint: 'Choose another ID, or omit it to get a new one.',
  }),
  GI_DB_MARKER_NOT_FOUND: define<{ marker: string }>({
    status: 400,
    message: (p) => `marker ${p.marker} not found.`,
    hint: 'Pass the ID of the last item of the previous page, as the `next` link does.',
  }),
  GI_DB_URL_INVALID: define<{ url: string; reason: string }>({
    message: (p) => `Database URL '${p.url}' is not usable: ${p.reason}.`,
    hint: "Set [database] connection to 'sqlite:///<absolute path>' (embedded) or 'postgresql://user:password@host:5432/dbname'.",
  }),
  GI_DB_CONNECT_FAILED: define<{ url: string; reason: string }>({
    message: (p) => `Cannot use the database at ${p.url}: ${p.reason}.`,
    hint: 'Check [database] connection (user, password, host, port, database name), that PostgreSQL runs and accepts this host (pg_hba.conf), and that the role owns the database.',
  }),
  GI_DB_SCHEMA_OUTDATED: define<{ url: string; version: number; latest: number; command: string }>({
    message: (p) => p.version === 0
      ? `The database at ${p.url} has no glance-import schema yet; this version needs schema ${p.latest}.`
      : `The database at ${p.url} has schema version ${p.version}; this version of glance-import needs ${p.latest}.`,
    hint: (p) => `Run \`${p.command}\` once (from one node), then start again.`,
  }),
  GI_DB_SCHEMA_TOO_NEW: define<{ url: string; version: number; latest: number }>({
    message: (p) => `The database at ${p.url} has schema version ${p.version}, newer than this glance-import knows (up to ${p.latest}).`,
    hint: 'A newer glance-import migrated it: run that version (or newer) on every node. Schemas are never downgraded; restore a backup to go back.',
  }),

  // --- the Image API (GI_API_*) ------------------------------------------------------------------
  GI_API_UNAUTHENTICATED: define<{ reason: string }>({
    status: 401,
    message: (p) => `The request you have made requires authentication: ${p.reason}.`,
    hint: 'Send a token in X-Auth-Token; `glance-import token create` makes one.',
  }),
  GI_API_NOT_FOUND: define<{ message: string }>({
    status: 404,
    message: (p) => p.message,
    hint: 'Check the ID and that your project may see the resource.',
  }),
  GI_API_BAD_REQUEST: define<{ message: string }>({
    status: 400,
    message: (p) => p.message,
    hint: 'Fix the request as the message says; the schemas are at /v2/schemas/image and /v2/schemas/task.',
  }),
  GI_API_FORBIDDEN: define<{ message: string }>({
    status: 403,
    message: (p) => p.message,
    hint: 'The attribute or operation is not open to this caller.',
  }),
  GI_API_CONFLICT: define<{ message: string }>({
    status: 409,
    message: (p) => p.message,
    hint: "The image's status does not allow this call now; GET the image to see its status.",
  }),
  GI_API_METHOD_NOT_ALLOWED: define<{ method: string; allowed: string[]; message?: string }>({
    status: 405,
    message: (p) => p.message ?? `The method ${p.method} is not allowed for this resource.`,
    hint: (p) => `Allowed: ${p.allowed.join(', ')}.`,
  }),
  GI_API_UNSUPPORTED_MEDIA_TYPE: define<{ message: string }>({
    status: 415,
    message: (p) => p.message,
    hint: 'Send the Content-Type the call expects.',
  }),
  GI_API_RANGE_NOT_SATISFIABLE: define<{ range: string; size: number }>({
    status: 416,
    message: (p) => `Requested range ${p.range} is not satisfiable for ${p.size} bytes of image data.`,
    hint: 'Ask for a range inside the image size.',
  }),
  GI_API_TOO_LARGE: define<{ message: string }>({
    status: 413,
    message: (p) => p.message,
    hint: 'The image is larger than [DEFAULT] image_size_cap or a quota allows.',
  }),
  GI_API_GONE: define<{ message: string }>({
    status: 410,
    message: (p) => p.message,
    hint: 'The resource went away while the call ran.',
  }),
  GI_API_INTERNAL: define<{ requestId: string }>({
    status: 500,
    message: (p) => `The server failed to handle request ${p.requestId}.`,
    hint: 'The server log has the cause under this request id.',
  }),

  // --- the server process (GI_SERVER_*) ------------------------------------------------------------
  GI_SERVER_DATA_DIR: define<{ dir: string; reason: string }>({
    message: (p) => `Data directory ${p.dir} cannot be used: ${p.reason}.`,
    hint: 'Pass --data-dir with a directory this user can create and write.',
  }),
  GI_SERVER_PORT_IN_USE: define<{ host: string; port: number }>({
    message: (p) => `Cannot listen on ${p.host}:${p.port}: the address is already in use.`,
    hint: 'Stop the other process or pass another --port.',
  }),
  GI_SERVER_LISTEN: define<{ host: string; port: number; reason: string }>({
    message: (p) => `Cannot listen on ${p.host}:${p.port}: ${p.reason}.`,
    hint: 'Check --host and --port.',
  }),

  // --- imports (GI_IMPORT_*) ----------------------------------------------------------------------
  GI_IMPORT_LOCKED: define<{ imageId: string }>({
    status: 409,
    message: () => 'Image has active task',
    hint: 'Another import of this image is running; wait for it (GET /v2/images/{id}/tasks) or, if it died, for its lock to expire.',
  }),
  GI_IMPORT_LOCK_LOST: define<{ imageId: string; taskId: string }>({
    message: (p) => `Task ${p.taskId} no longer holds the import lock of image ${p.imageId}.`,
    hint: 'Another import took over an expired lock, or the image was deleted; this import stops.',
  }),
  GI_IMPORT_NOT_STAGED: define<{ imageId: string; reason: string }>({
    status: 409,
    message: (p) => `Staged data of image ${p.imageId} is not usable: ${p.reason}.`,
    hint: 'Stage the data again (DELETE /v2/images/{id}/stage, then PUT .../stage) and import again.',
  }),
  GI_IMPORT_FORMAT_MISMATCH: define<{ declared: string; detected: string }>({
    status: 415,
    message: (p) => `Image disk_format ${p.declared} does not match stream data ${p.detected}.`,
    hint: 'Set disk_format to what the data is, or upload data of the declared format.',
  }),
  GI_IMPORT_UNSAFE: define<{ reason: string }>({
    status: 415,
    message: (p) => `Image failed safety checks: ${p.reason}.`,
    hint: 'The data uses features that could expose host files (backing files, external data files, foreign extents); upload a self-contained image.',
  }),
  GI_IMPORT_STORES_FAILED: define<{ stores: string[]; reason: string }>({
    message: (p) => `Writing to store(s) ${p.stores.join(', ')} failed: ${p.reason}`,
    hint: 'Check the stores named; the import can be retried once they are writable.',
  }),
  GI_IMPORT_NO_STORE_SUCCEEDED: define<Record<string, never>>({
    message: () => 'None of the uploads finished!',
    hint: 'Every target store failed; see os_glance_failed_import on the image and the server log.',
  }),
  GI_IMPORT_IMAGE_DELETED: define<{ imageId: string }>({
    message: (p) => `Image ${p.imageId} was deleted during the import.`,
    hint: 'Nothing to do: the import stopped and removed what it had written.',
  }),
  GI_IMPORT_LOCK_PREEMPTED: define<{ taskId: string }>({
    message: () => 'Expired lock preempted',
    hint: 'A newer import took over this import’s expired lock.',
  }),
  GI_IMPORT_INTERRUPTED: define<{ taskId: string }>({
    message: (p) => `Import task ${p.taskId} was interrupted by a server restart.`,
    hint: 'Call the import again; the staged data was kept.',
  }),

  // --- policy (GI_POLICY_*) -------------------------------------------------------------------------
  GI_POLICY_FORBIDDEN: define<{ rule: string }>({
    status: 403,
    // Glance's own wording (exception.Forbidden with action=<rule>); clients match on it.
    message: (p) => `You are not authorized to complete ${p.rule} action.`,
    hint: (p) => `The policy rule '${p.rule}' denied the caller. Ask for a role it accepts, or change '${p.rule}' in the policy file.`,
  }),
  GI_POLICY_HIDDEN: define<{ rule: string; image: string }>({
    status: 404,
    // Glance answers a bare HTTPNotFound here, so nothing says whether the image exists.
    message: () => 'The resource could not be found.',
    hint: 'The image does not exist, or the caller may not see it (policy rule get_image).',
  }),
  GI_POLICY_SYNTAX: define<{ rule: string; source: string; text: string; position: number; reason: string }>({
    message: (p) => `Policy rule '${p.rule}' (${p.source}) cannot be parsed at character ${p.position}: ${p.reason}. Rule: ${JSON.stringify(p.text)}`,
    hint: 'Check strings are checks such as role:admin, rule:<name>, project_id:%(project_id)s or \'public\':%(visibility)s, joined by and, or, not and parentheses; "" allows everyone and "!" no one.',
  }),
  GI_POLICY_FILE: define<{ file: string; reason: string }>({
    message: (p) => `Policy file '${p.file}' cannot be used: ${p.reason}.`,
    hint: 'A policy file is a YAML or JSON mapping of rule names to check strings, e.g. `modify_image: "role:admin"`; rules it leaves out keep their defaults.',
  }),
  GI_POLICY_UNDEFINED_RULE: define<{ rule: string; missing: string }>({
    message: (p) => `Policy rule '${p.rule}' refers to rule:${p.missing}, which is not defined; that check always fails.`,
    hint: (p) => `Define '${p.missing}' in the policy file, or fix the reference in '${p.rule}'.`,
  }),
  GI_POLICY_CYCLE: define<{ cycle: string[] }>({
    message: (p) => `Policy rules refer to each other in a cycle: ${p.cycle.join(' -> ')}; a check that reaches the cycle fails.`,
    hint: 'Break the cycle: one of these rules must decide without rule: references back into the others.',
  }),

  // --- import methods and quotas (GI_METHOD_*, GI_QUOTA_*) ---------------------------------------
  GI_QUOTA_EXCEEDED: define<{ resource: string; limit: number; usage: number; delta: number }>({
    status: 413,
    message: (p) => `${p.resource} is over limit of ${p.limit} due to current usage ${p.usage} and delta ${p.delta}`,
    hint: (p) => `The project's ${p.resource} limit is reached; delete images or staged data, or ask the operator to raise [glance_import_limits] ${p.resource}.`,
  }),
  GI_METHOD_REMOTE_IMAGE: define<{ region: string; imageId: string; reason: string }>({
    message: (p) => `Remote image ${p.imageId} in region ${p.region} cannot be imported: ${p.reason}.`,
    hint: 'Check the remote image id, that it is active, and that the token may read it there.',
  }),
  GI_METHOD_NO_SOURCE: define<{ imageId: string }>({
    message: () => 'Image not found in any configured store',
    hint: 'copy-image reads the image from a store this node has; the image has no data in any of them.',
  }),
  GI_METHOD_URI_FILTERED: define<{ method: string; uri: string; reason: string }>({
    status: 400,
    // Glance's wording; the reason goes in the hint so the message stays what clients match on.
    message: (p) => `URI for ${p.method} does not pass filtering: ${p.uri}`,
    hint: (p) => `Refused because ${p.reason}. Use an http(s) URL that [import_filtering_opts] allows (schemes, hosts, explicit ports); ask the operator which sources are open.`,
  }),
  GI_METHOD_PROCESSED_URI_FILTERED: define<{ method: string; uri: string; reason: string }>({
    // Glance's task message for a URL it built itself (glance-download's remote endpoint), with the reason.
    message: (p) => `Processed URI for ${p.method} does not pass filtering: ${p.uri} (${p.reason})`,
    hint: 'The region\'s endpoint ([glance_import] glance_download_endpoints) must be an http(s) URL that [import_filtering_opts] allows: its host, and its port when it names one.',
  }),
  GI_METHOD_REDIRECT_REFUSED: define<{ uri: string; reason: string }>({
    message: (p) => `Redirect to disallowed URL: ${p.uri} (${p.reason})`,
    hint: 'The source redirected to a URL that [import_filtering_opts] refuses; every redirect is filtered like the URL itself. Import from the final URL if it is allowed, or ask the operator.',
  }),
  GI_METHOD_DOWNLOAD_FAILED: define<{ uri: string; reason: string }>({
    message: (p) => `Downloading ${p.uri} failed: ${p.reason}.`,
    hint: 'Check that the URL serves the image (GET answers 2xx with the whole body) from where this server runs; nothing was kept, so the import can simply be called again.',
  }),
  GI_METHOD_DOWNLOAD_TIMEOUT: define<{ uri: string; phase: 'connect' | 'read'; seconds: number }>({
    message: (p) => p.phase === 'connect'
      ? `Downloading ${p.uri} failed: no connection within ${p.seconds} s.`
      : `Downloading ${p.uri} failed: the source sent nothing for ${p.seconds} s.`,
    hint: (p) => `The source is unreachable or stalled; nothing was kept. Import again when it answers, or raise [import_filtering_opts] ${p.phase}_timeout.`,
  }),
} as const;

export type ErrorCode = keyof typeof errorDefinitions;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof errorDefinitions)[C]['message']>[0];

/** Build a registered error: `giError('GI_FLOW_CYCLE', { flow, cycle })`. */
export function giError<C extends ErrorCode>(code: C, params: ErrorParams<C>, options?: { cause?: unknown }): GlanceImportError<C> {
  const def = errorDefinitions[code] as unknown as Definition<Params>;
  const p = params as Params;
  const hint = typeof def.hint === 'function' ? def.hint(p) : def.hint;
  return new GlanceImportError(code, def.message(p), hint, p, { cause: options?.cause, status: def.status });
}
