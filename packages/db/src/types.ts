export const IMAGE_STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];
export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface ImageMember {
  image_id: string;
  member: string;
  status: 'pending' | 'accepted' | 'rejected';
  created_at: string;
  updated_at: string;
}

export interface ImageLocation {
  id: string;
  store: string;
  url: string;
  metadata: Record<string, unknown>;
  status: 'active' | 'pending';
  createdAt: string;
}

/** The columns an image has besides its properties, tags and locations. */
export interface ImageBase {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  protected: boolean;
  os_hidden: boolean;
  created_at: string;
  updated_at: string;
}

export interface ImageRecord extends ImageBase {
  properties: Record<string, string>;
  tags: string[];
  locations: ImageLocation[];
}

export type NewImage = Omit<ImageBase, 'created_at' | 'updated_at' | 'status' | 'size' | 'virtual_size' | 'checksum' | 'os_hash_algo' | 'os_hash_value'> & {
  properties: Record<string, string>;
  tags: string[];
};

export type ImageColumns = Partial<Omit<ImageBase, 'id' | 'created_at' | 'updated_at'>>;

export interface ImageChanges {
  columns?: ImageColumns;
  setProperties?: Record<string, string>;
  removeProperties?: readonly string[];
  /** Replace the tag set. */
  tags?: readonly string[];
}

/** When an image update applies (see `ImageRepository.update`). */
export interface UpdateConditions {
  fromStatus?: readonly ImageStatus[];
  whileProperty?: { name: string; value: string; remove?: boolean };
}

export interface Viewer {
  projectId: string | null;
  isAdmin: boolean;
}

export interface SortKey {
  key: string;
  dir: 'asc' | 'desc';
}

/** The image table's columns; a listing filters on each, as Glance's `image_get_all` does. */
export const IMAGE_COLUMNS = [
  'id',
  'name',
  'status',
  'visibility',
  'owner',
  'disk_format',
  'container_format',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'min_disk',
  'min_ram',
  'protected',
  'os_hidden',
  'created_at',
  'updated_at',
] as const;
export type ImageFilterColumn = (typeof IMAGE_COLUMNS)[number];

/** A condition on one image column: `in` a list (Glance's `in:` and `eq:`), or one comparison. */
export type ColumnFilter =
  | { column: ImageFilterColumn; op: 'in'; values: ReadonlyArray<string | number> }
  | { column: ImageFilterColumn; op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte'; value: string | number | boolean };

export interface ImageQuery {
  viewer: Viewer;
  /** 'all' lists everything the viewer may see, community included only when owned (as Glance does). */
  visibility?: Visibility | 'all';
  member_status?: 'accepted' | 'pending' | 'rejected' | 'all';
  /** All must hold. Numbers for the integer columns, booleans for `protected`/`os_hidden`, ISO-8601 for the timestamps. */
  columns?: readonly ColumnFilter[];
  tags?: readonly string[];
  properties?: Record<string, string>;
  /** In order; the id is appended when missing, in the last key's direction, so the order is total. */
  sort: readonly SortKey[];
  /** The id of the row the page starts after: it pages from that image's place in this order, filtered or not. */
  marker?: string;
  limit: number;
}

export const TASK_STATUSES = ['pending', 'processing', 'success', 'failure'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Beyond Glance's "Copied N MiB": where an import is and how fast it moves. */
export interface TaskProgress {
  phase: string;
  bytesDone?: number;
  bytesTotal?: number;
  /** Bytes per second over the phase so far. */
  rate?: number;
  phases?: Array<{ phase: string; startedAt: string; endedAt?: string; bytes?: number }>;
  stores?: Record<string, { status: 'pending' | 'writing' | 'done' | 'failed'; bytesDone?: number }>;
  /** Every step of the flow in the order it runs, each plugin's steps named with the plugin. */
  plan?: Array<{ phase: string; plugin?: string }>;
  updatedAt: string;
}

export interface TaskRecord {
  id: string;
  type: string;
  status: TaskStatus;
  owner: string;
  image_id: string | null;
  request_id: string | null;
  user_id: string | null;
  input: unknown;
  result: unknown;
  message: string;
  progress: TaskProgress | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  /** The node running the task (`worker_self_reference_url` or its own id); null for tasks no node runs. */
  node: string | null;
}

export type NewTask = Pick<TaskRecord, 'id' | 'type' | 'owner' | 'image_id' | 'request_id' | 'user_id' | 'input'> & Partial<Pick<TaskRecord, 'node'>>;

export type TaskChanges = Partial<Pick<TaskRecord, 'status' | 'result' | 'message' | 'progress' | 'expires_at'>>;

export interface TaskQuery {
  /** Non-admins see their project's tasks only. */
  owner?: string;
  status?: TaskStatus;
  type?: string;
  /** Tasks this node runs; `null`: tasks recorded with no node (before nodes were recorded). */
  node?: string | null;
  sort: SortKey;
  marker?: string;
  limit: number;
}

export interface Identity {
  userId: string;
  projectId: string;
  roles: string[];
}

export interface TokenInfo extends Identity {
  description: string | null;
  createdAt: string;
  expiresAt: string | null;
}

/** A token as `token list` shows it: by id, the hex sha256 of the token (the token itself is never stored). */
export interface TokenSummary extends TokenInfo {
  id: string;
}
