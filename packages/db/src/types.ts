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

export interface Viewer {
  projectId: string | null;
  isAdmin: boolean;
}

export interface SortKey {
  key: string;
  dir: 'asc' | 'desc';
}

export interface ImageQuery {
  viewer: Viewer;
  /** 'all' lists everything the viewer may see, community included only when owned (as Glance does). */
  visibility?: Visibility | 'all';
  name?: string;
  status?: string;
  owner?: string;
  disk_format?: string;
  container_format?: string;
  size_min?: number;
  size_max?: number;
  protected?: boolean;
  os_hidden?: boolean;
  member_status?: 'accepted' | 'pending' | 'rejected' | 'all';
  tags?: readonly string[];
  ids?: readonly string[];
  properties?: Record<string, string>;
  sort: readonly SortKey[];
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
}

export type NewTask = Pick<TaskRecord, 'id' | 'type' | 'owner' | 'image_id' | 'request_id' | 'user_id' | 'input'>;

export type TaskChanges = Partial<Pick<TaskRecord, 'status' | 'result' | 'message' | 'progress' | 'expires_at'>>;

export interface TaskQuery {
  /** Non-admins see their project's tasks only. */
  owner?: string;
  status?: TaskStatus;
  type?: string;
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
