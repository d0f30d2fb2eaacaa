import { def, defineErrors } from '@glance-import/errors';

/**
 * The error codes of the s3 store. Codes are never reused or renumbered. No message, hint or detail
 * ever holds the access key or the secret key: options are named, their values are not.
 */
export const s3Errors = defineErrors('GI_S3_', {
  GI_S3_BAD_OPTIONS: def<{ store: string; option: string; reason: string }>({
    message: (p) => `Store '${p.store}' (s3): ${p.option} ${p.reason}.`,
    hint: (p) => `Fix ${p.option} in the store's group [${p.store}] and start again.`,
  }),
  GI_S3_UNREACHABLE: def<{ store: string; url: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (s3): cannot reach ${p.url} (s3_store_host): ${p.reason}.`,
    hint: 'Is the S3 service running and listening there? Check s3_store_host, the network and any proxy between.',
  }),
  GI_S3_ACCESS_DENIED: def<{ store: string; operation: string; status: number; code: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (s3): the S3 service refused ${p.operation} (HTTP ${p.status} ${p.code}).`,
    hint: 'Check s3_store_access_key / s3_store_secret_key (the values are not shown) and that this user may read and write the bucket.',
  }),
  GI_S3_NO_BUCKET: def<{ store: string; bucket: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (s3): the bucket ${p.bucket} does not exist in S3.`,
    hint: (p) => `Create it (\`aws s3 mb s3://${p.bucket}\`), or set s3_store_create_bucket_on_put = true in [${p.store}] to create it on the first write.`,
  }),
  GI_S3_REQUEST_FAILED: def<{ store: string; operation: string; status: number; code: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (s3): ${p.operation} failed with HTTP ${p.status} ${p.code}${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The S3 service answered with an error. Nothing partial was kept (a multipart upload is aborted).',
  }),
  GI_S3_CONNECTION_LOST: def<{ store: string; operation: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' (s3): the connection broke during ${p.operation}: ${p.reason}.`,
    hint: 'The S3 service stopped answering (restarted, overloaded, network). Nothing partial is visible; parts of an upload that could not be aborted are aborted by the next write or delete of the image.',
  }),
});

export type S3ErrorCode = keyof typeof s3Errors.table;
