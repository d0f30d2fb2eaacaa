/** One Swift account to log in to: a reference of the swift references file, or the store group's options. */
export interface SwiftAccount {
  /** The reference name (`ref1`), written into locations instead of credentials. */
  readonly reference: string;
  readonly authAddress: string;
  /** '1': tempauth/swauth (`X-Auth-User`/`X-Auth-Key`); '3': Keystone v3. */
  readonly authVersion: '1' | '3';
  readonly user?: string;
  readonly key?: string;
  readonly applicationCredentialId?: string;
  readonly applicationCredentialSecret?: string;
  readonly projectName?: string;
  readonly projectId?: string;
  readonly userDomainId?: string;
  readonly userDomainName?: string;
  readonly projectDomainId?: string;
  readonly projectDomainName?: string;
  /** The option names to point at in messages (never their values). */
  readonly origin: { readonly address: string; readonly credentials: string };
}

/** How a Swift account is reached: what a login needs besides the account. */
export interface SwiftAccess {
  readonly store: string;
  /** Storage URL that replaces the one auth returns (`swift_store_endpoint`). */
  readonly endpoint?: string;
  readonly region?: string;
  /** Keystone catalog interface: public, internal or admin. */
  readonly interface: 'public' | 'internal' | 'admin';
  readonly serviceType: string;
  /** A token is renewed this long before it expires. */
  readonly expireSoonMs: number;
}
