import { def, defineErrors } from '@glance-import/errors';

/**
 * The error codes of the swift store. Codes are never reused or renumbered. No message, hint or
 * detail ever holds a credential (user, key, application credential, token): options are named,
 * their values are not.
 */
export const swiftErrors = defineErrors('GI_SWIFT_', {
  GI_SWIFT_BAD_OPTIONS: def<{ store: string; option: string; reason: string }>({
    message: (p) => `Store '${p.store}' (swift): ${p.option} ${p.reason}.`,
    hint: (p) => `Fix ${p.option} in the store's group [${p.store}] and start again.`,
  }),
  GI_SWIFT_CONFIG_FILE: def<{ store: string; file: string; reason: string }>({
    message: (p) => `Store '${p.store}' (swift): the swift references file '${p.file}' (swift_store_config_file) ${p.reason}.`,
    hint: 'The file holds one [<reference>] group per Swift account with auth_address, user and key (or application_credential_id and application_credential_secret), as glance-swift.conf does.',
  }),
  GI_SWIFT_UNREACHABLE: def<{ store: string; option: string; url: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): cannot reach ${p.url} (${p.option}): ${p.reason}.`,
    hint: (p) => `Is Swift running and listening there? Check ${p.option}, the network and any proxy between.`,
  }),
  GI_SWIFT_AUTH_FAILED: def<{ store: string; url: string; status: number; options: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): ${p.url} refused the credentials (HTTP ${p.status}).`,
    hint: (p) => `Check ${p.options}; the values are not shown.`,
  }),
  GI_SWIFT_NO_ENDPOINT: def<{ store: string; serviceType: string; endpointType: string; region?: string }>({
    status: 503,
    message: (p) =>
      `Store '${p.store}' (swift): the Keystone catalog has no '${p.serviceType}' ${p.endpointType} endpoint${p.region ? ` in region ${p.region}` : ''}.`,
    hint: 'Set swift_store_service_type, swift_store_endpoint_type and swift_store_region to an endpoint the catalog lists, or give the storage URL in swift_store_endpoint.',
  }),
  GI_SWIFT_NO_CONTAINER: def<{ store: string; container: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): the container ${p.container} does not exist in Swift.`,
    hint: (p) =>
      `Create it (\`swift post ${p.container}\`), or set swift_store_create_container_on_put = true in [${p.store}] to create containers on the first write.`,
  }),
  GI_SWIFT_DENIED: def<{ store: string; operation: string; status: number }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): Swift denied ${p.operation} (HTTP ${p.status}).`,
    hint: 'The Swift user needs read and write access to the container (with tempauth: .admin on the account; with Keystone: an operator role of the project).',
  }),
  GI_SWIFT_REQUEST_FAILED: def<{ store: string; operation: string; status: number; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): ${p.operation} failed with HTTP ${p.status}${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'Swift answered with an error; its proxy log has the request (find it by the X-Trans-Id). Nothing partial was kept.',
  }),
  GI_SWIFT_CONNECTION_LOST: def<{ store: string; operation: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (swift): the connection to Swift broke during ${p.operation}: ${p.reason}.`,
    hint: 'Swift stopped answering (restarted, overloaded, network). Nothing partial was kept; try again once it is back.',
  }),
  GI_SWIFT_READ_BROKEN: def<{ store: string; object: string; bytesRead: number; bytesExpected: number; retries: number }>({
    status: 503,
    message: (p) =>
      `Store '${p.store}' (swift): reading ${p.object} broke after ${p.bytesRead} of ${p.bytesExpected} bytes, ${p.retries} ${p.retries === 1 ? 'retry' : 'retries'} used.`,
    hint: 'Raise swift_store_retry_get_count to resume broken reads more often, and look at the Swift proxy log.',
  }),
  GI_SWIFT_TOO_MANY_SEGMENTS: def<{ store: string; limit: number; chunkSize: number }>({
    status: 413,
    message: (p) => `Store '${p.store}' (swift): the image needs more than ${p.limit} segments of ${p.chunkSize} bytes.`,
    hint: 'Raise swift_store_large_object_chunk_size (in MB).',
  }),
});

export type SwiftErrorCode = keyof typeof swiftErrors.table;
