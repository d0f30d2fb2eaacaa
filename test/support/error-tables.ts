import { cliErrors } from '@glance-import/cli';
import { coreErrors } from '@glance-import/core';
import { dbErrors } from '@glance-import/db';
import type { ErrorTable, Errors } from '@glance-import/errors';
import { inspectorErrors } from '@glance-import/format-inspector';
import { keystoneErrors } from '@glance-import/keystone';
import { convertErrors } from '@glance-import/plugin-convert';
import { decompressErrors } from '@glance-import/plugin-decompress';
import { injectErrors } from '@glance-import/plugin-inject-metadata';
import { policyErrors } from '@glance-import/policy';
import { serverErrors } from '@glance-import/server';
import { storeErrors } from '@glance-import/store';
import { s3Errors } from '@glance-import/store-s3';
import { swiftErrors } from '@glance-import/store-swift';

/** Every first-party error table, by the package that owns it, as its public entry exports it. */
export const ERROR_TABLES: Record<string, Pick<Errors<ErrorTable>, 'prefixes' | 'table'>> = {
  '@glance-import/cli': cliErrors,
  '@glance-import/core': coreErrors,
  '@glance-import/db': dbErrors,
  '@glance-import/format-inspector': inspectorErrors,
  '@glance-import/keystone': keystoneErrors,
  '@glance-import/policy': policyErrors,
  '@glance-import/server': serverErrors,
  '@glance-import/store': storeErrors,
  '@glance-import/store-s3': s3Errors,
  '@glance-import/store-swift': swiftErrors,
  '@glance-import/plugin-convert': convertErrors,
  '@glance-import/plugin-decompress': decompressErrors,
  '@glance-import/plugin-inject-metadata': injectErrors,
};
