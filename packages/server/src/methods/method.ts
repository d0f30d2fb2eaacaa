import type { FlowItem, ImportRequest } from '@glance-import/core';
import type { ImageRecord } from '@glance-import/db';
import type { CallerIdentity } from '../http/identity.js';
import type { Runtime } from '../runtime.js';
import type { TaskDeps } from '../import/tasks.js';

/**
 * An import method other than glance-direct (Glance's internal plugins): checks at the import call,
 * and the tasks that fill staging before VerifyStaging and the plugins run. A method task that
 * fails must remove what it wrote to staging; ImageLock's revert then puts the image back
 * (`queued` for web-download and glance-download, `active` for copy-image).
 */
export interface ImportMethod {
  readonly name: string;
  /** Extra checks at the API call, after status and policy (e.g. URI filtering → 400). */
  validate?(rt: Runtime, req: ImportRequest, image: ImageRecord, caller: CallerIdentity): void | Promise<void>;
  /** Tasks run right after ImageLock; they must leave a complete staged file `<staging>/<image id>`. */
  tasks(d: TaskDeps): FlowItem[];
}

const methods = new Map<string, ImportMethod>();

export function registerMethod(m: ImportMethod): void {
  methods.set(m.name, m);
}

export function methodFor(name: string): ImportMethod | undefined {
  return methods.get(name);
}
