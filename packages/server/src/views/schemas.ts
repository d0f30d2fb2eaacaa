/** JSON schemas the client reads (`/v2/schemas/image`, `/images`, `/task`, `/tasks`), shaped as Glance's. */

const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
const ro = (type: unknown, description: string, extra: Record<string, unknown> = {}) => ({ type, readOnly: true, description, ...extra });
const STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'];

export function imageSchema(formats: { disk: readonly string[]; container: readonly string[] }): Record<string, unknown> {
  const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
  return {
    name: 'image',
    properties: {
      id: str('An identifier for the image', { pattern: UUID_PATTERN }),
      name: { type: ['null', 'string'], description: 'Descriptive name for the image', maxLength: 255 },
      status: ro('string', 'Status of the image', { enum: STATUSES }),
      visibility: str('Scope of image accessibility', { enum: ['community', 'public', 'private', 'shared'] }),
      protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
      os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
      checksum: ro(['null', 'string'], 'md5 hash of image contents.', { maxLength: 32 }),
      os_hash_algo: ro(['null', 'string'], 'Algorithm to calculate the os_hash_value', { maxLength: 64 }),
      os_hash_value: ro(['null', 'string'], 'Hexdigest of the image contents using the algorithm specified by the os_hash_algo', { maxLength: 128 }),
      owner: { type: ['null', 'string'], description: 'Owner of the image', maxLength: 255 },
      size: ro(['null', 'integer'], 'Size of image file in bytes'),
      virtual_size: ro(['null', 'integer'], 'Virtual size of image in bytes'),
      container_format: { type: ['null', 'string'], description: 'Format of the container', enum: [null, ...formats.container] },
      disk_format: { type: ['null', 'string'], description: 'Format of the disk', enum: [null, ...formats.disk] },
      created_at: ro('string', 'Date and time of image registration'),
      updated_at: ro('string', 'Date and time of the last image modification'),
      tags: { type: 'array', description: 'List of strings related to the image', items: { type: 'string', maxLength: 255 } },
      direct_url: ro('string', 'URL to access the image file kept in external store'),
      min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
      min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
      self: ro('string', 'An image self url'),
      file: ro('string', 'An image file url'),
      stores: ro(
        'string',
        'Store in which image data resides.  Only present when the operator has enabled multiple stores.  May be a comma-separated list of store identifiers.',
      ),
      schema: ro('string', 'An image schema url'),
      locations: {
        type: 'array',
        description: 'A set of URLs to access the image file kept in external store',
        items: {
          type: 'object',
          properties: { url: { type: 'string', maxLength: 255 }, metadata: { type: 'object' }, validation_data: { type: 'object' } },
          required: ['url', 'metadata'],
        },
      },
      kernel_id: {
        type: ['null', 'string'],
        pattern: UUID_PATTERN,
        description: 'ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.',
        is_base: false,
      },
      ramdisk_id: {
        type: ['null', 'string'],
        pattern: UUID_PATTERN,
        description: 'ID of image stored in Glance that should be used as the ramdisk when booting an AMI-style image.',
        is_base: false,
      },
      instance_uuid: {
        type: 'string',
        description:
          'Metadata which can be used to record which instance this image is associated with. (Informational only, does not create an instance snapshot.)',
        is_base: false,
      },
      architecture: {
        type: 'string',
        description: 'Operating system architecture as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html',
        is_base: false,
      },
      os_distro: {
        type: 'string',
        description:
          'Common name of operating system distribution as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html',
        is_base: false,
      },
      os_version: { type: 'string', description: 'Operating system version as specified by the distributor.', is_base: false },
      description: { type: 'string', description: 'A human-readable string describing this image.', is_base: false },
      cinder_encryption_key_id: {
        type: 'string',
        description:
          'Identifier in the OpenStack Key Management Service for the encryption key for the Block Storage Service to use when mounting a volume created from this image',
        is_base: false,
      },
      cinder_encryption_key_deletion_policy: {
        type: 'string',
        enum: ['on_image_deletion', 'do_not_delete'],
        description:
          "States the condition under which the Image Service will delete the object associated with the 'cinder_encryption_key_id' image property.  If this property is missing, the Image Service will take no action",
        is_base: false,
      },
    },
    additionalProperties: { type: 'string' },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function collectionSchema(name: string, item: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    properties: { [name]: { type: 'array', items: item }, schema: { type: 'string' }, first: { type: 'string' }, next: { type: 'string' } },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function taskSchema(): Record<string, unknown> {
  const s = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
  return {
    name: 'task',
    properties: {
      id: s('An identifier for the task', { pattern: UUID_PATTERN }),
      type: s('The type of task represented by this content', { enum: ['import', 'api_image_import'] }),
      status: s('The current status of this task', { enum: ['pending', 'processing', 'success', 'failure'] }),
      input: { type: ['null', 'object'], description: 'The parameters required by task, JSON blob' },
      result: { type: ['null', 'object'], description: 'The result of current task, JSON blob' },
      owner: s('An identifier for the owner of this task'),
      message: s('Human-readable informative message only included when appropriate (usually on failure)'),
      image_id: s('Image associated with the task', { readOnly: true }),
      request_id: s('Human-readable informative request-id', { readOnly: true }),
      user_id: s('User associated with the task', { readOnly: true }),
      expires_at: { type: ['null', 'string'], description: 'Datetime when this resource would be subject to removal' },
      created_at: s('Datetime when this resource was created'),
      updated_at: s('Datetime when this resource was updated'),
      progress: { type: ['null', 'object'], description: 'Beyond Glance: phase, bytes done/total, rate and per-store state of an import' },
      inspections: {
        type: ['null', 'array'],
        items: { type: 'object' },
        description: "Beyond Glance: each run of the format inspector over an import's data (phase, format, verdict, reason)",
      },
      error_code: { type: ['null', 'string'], description: 'Beyond Glance: the stable GI_* code of a failed import' },
      error_hint: { type: ['null', 'string'], description: 'Beyond Glance: what to do about a failed import' },
      error_plugin: { type: ['null', 'string'], description: 'Beyond Glance: the import plugin a failure without a code of its own came from' },
      self: { type: 'string' },
      schema: { type: 'string' },
    },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

export function memberSchema(): Record<string, unknown> {
  return {
    name: 'member',
    properties: {
      created_at: { type: 'string', description: 'Date and time of image member creation' },
      image_id: { type: 'string', description: 'An identifier for the image', pattern: UUID_PATTERN },
      member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
      status: { type: 'string', description: 'The status of this image member', enum: ['pending', 'accepted', 'rejected'] },
      updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
      schema: { readOnly: true, type: 'string' },
    },
  };
}
